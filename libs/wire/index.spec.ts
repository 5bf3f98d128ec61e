import * as wire from './index';

describe('libs/wire', () => {
  it('exports its public API from one place', () => {
    expect(Object.keys(wire).sort()).toEqual([
      'AnthropicMessageAssembler',
      'AnthropicToOpenAIChatStream',
      'ChatCompletionAssembler',
      'DEFAULT_ANTHROPIC_MAX_TOKENS',
      'IncompleteStreamError',
      'OpenAIChatToAnthropicStream',
      'OpenAIResponseAssembler',
      'SSE_DONE',
      'SseParser',
      'UntranslatableError',
      'addDeltaUsage',
      'anthropicCacheShape',
      'anthropicErrorBody',
      'anthropicErrorType',
      'anthropicMessageToEvents',
      'anthropicMessageToOpenAIChat',
      'anthropicMessageToSse',
      'anthropicRequestToOpenAIChat',
      'anthropicStreamErrorFrame',
      'chatCompletionToChunks',
      'chatCompletionToSse',
      'encodeSseEvent',
      'openAIChatCacheShape',
      'openAIChatRequestToAnthropic',
      'openAIChatToAnthropicMessage',
      'openAIErrorBody',
      'openAIErrorType',
      'openAIResponseToEvents',
      'openAIResponseToSse',
      'openAIResponsesCacheShape',
      'openAIStreamErrorFrame',
    ]);
  });
});

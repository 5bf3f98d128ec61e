import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses';
import type { AnthropicMessagesRequest } from './anthropic.types';
import {
  anthropicCacheShape,
  openAIChatCacheShape,
  openAIResponsesCacheShape,
} from './cache-shape';

const chat: ChatCompletionCreateParamsBase = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be terse.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  temperature: 0.2,
};

const anthropic: AnthropicMessagesRequest = {
  model: 'claude-sonnet-5-5',
  max_tokens: 100,
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
};

const responses: ResponseCreateParamsBase = {
  model: 'gpt-4.1-mini',
  instructions: 'Be terse.',
  input: 'What is the capital of France?',
};

describe('openAIChatCacheShape', () => {
  it('keys on the answer-changing fields, unknown ones included, and not on delivery or bookkeeping', () => {
    const shape = openAIChatCacheShape({
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
      user: 'u',
      metadata: { team: 'a' },
      safety_identifier: 's',
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      seed: 7,
      tools: [{ type: 'function', function: { name: 'f' } }],
      ...{ vendor_knob: 3 },
    });
    expect(shape.keyBody).toEqual({
      ...chat,
      seed: 7,
      tools: [{ type: 'function', function: { name: 'f' } }],
      vendor_knob: 3,
    });
    expect(shape.bypass).toBeUndefined();
  });

  it('gives a streamed and a plain request the same key body', () => {
    expect(openAIChatCacheShape({ ...chat, stream: true }).keyBody).toEqual(
      openAIChatCacheShape(chat).keyBody,
    );
  });

  it.each<[Partial<ChatCompletionCreateParamsBase>, string | undefined]>([
    [{ n: 2 }, 'n > 1'],
    [{ n: 1 }, undefined],
    [{ logprobs: true }, 'logprobs'],
    [{ logprobs: false }, undefined],
    [{ top_logprobs: 0 }, 'logprobs'],
  ])('bypasses %j: %s', (changes, reason) => {
    const { bypass } = openAIChatCacheShape({ ...chat, ...changes });
    if (reason === undefined) expect(bypass).toBeUndefined();
    else expect(bypass).toContain(reason);
  });

  it.each<[ChatCompletionCreateParamsBase['messages'], string | undefined]>([
    [[{ role: 'user', content: 'Hi' }], 'Hi'],
    [
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'text', text: 'there' },
          ],
        },
      ],
      'Hi\nthere',
    ],
    [
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'image_url', image_url: { url: 'https://x/a.png' } },
          ],
        },
      ],
      undefined,
    ],
    [[{ role: 'user', content: [] }], undefined],
    [
      [
        { role: 'user', content: 'Hi' },
        { role: 'tool', tool_call_id: 'c', content: '18C' },
      ],
      undefined,
    ],
    [
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hel' },
      ],
      undefined,
    ],
    [[], undefined],
  ])('reads the last user turn of %j as %j', (messages, text) => {
    expect(openAIChatCacheShape({ ...chat, messages }).lastUserText).toBe(text);
  });
});

describe('anthropicCacheShape', () => {
  it('is always cacheable, and keys on everything but stream, metadata and top-level cache_control', () => {
    const shape = anthropicCacheShape({
      ...anthropic,
      stream: true,
      metadata: { user_id: 'u' },
      cache_control: { type: 'ephemeral' },
      top_k: 5,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    expect(shape.bypass).toBeUndefined();
    expect(shape.keyBody).toEqual({
      ...anthropic,
      top_k: 5,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
  });

  it.each<[AnthropicMessagesRequest['messages'], string | undefined]>([
    [[{ role: 'user', content: 'Hi' }], 'Hi'],
    [[{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], 'Hi'],
    [
      [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: '18C' }] }],
      undefined,
    ],
    [
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'The answer is' },
      ],
      undefined,
    ],
  ])('reads the last user turn of %j as %j', (messages, text) => {
    expect(anthropicCacheShape({ ...anthropic, messages }).lastUserText).toBe(text);
  });
});

describe('openAIResponsesCacheShape', () => {
  it('keys on the answer-changing fields and not on delivery or bookkeeping', () => {
    const shape = openAIResponsesCacheShape({
      ...responses,
      stream: true,
      user: 'u',
      metadata: { a: 'b' },
      safety_identifier: 's',
      prompt_cache_key: 'k',
      text: { format: { type: 'json_object' } },
      ...{ vendor_knob: 3 },
    });
    expect(shape.bypass).toBeUndefined();
    expect(shape.keyBody).toEqual({
      ...responses,
      text: { format: { type: 'json_object' } },
      vendor_knob: 3,
    });
  });

  it('keys on store, since only a stored answer has an id that can be continued', () => {
    const stored = openAIResponsesCacheShape({ ...responses, store: true }).keyBody;
    expect(stored).not.toEqual(openAIResponsesCacheShape({ ...responses, store: false }).keyBody);
    expect(openAIChatCacheShape({ ...chat, store: true }).keyBody).toHaveProperty('store', true);
  });

  it.each<[Partial<ResponseCreateParamsBase>, string | undefined]>([
    [{ previous_response_id: 'resp_1' }, 'previous_response_id'],
    [{ conversation: 'conv_1' }, 'conversation'],
    [{ conversation: 'conv_1', store: true }, 'conversation'],
    [{ store: true }, undefined],
    [{ background: true }, 'background'],
    [{ prompt: { id: 'pmpt_1' } }, 'prompt template'],
    [{ prompt: { id: 'pmpt_1', version: '2' } }, undefined],
    [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'item_reference'],
    [{ input: [{ id: 'msg_1' } as never] }, 'item_reference'],
    [{ top_logprobs: 3 }, 'logprobs'],
    [{ include: ['message.output_text.logprobs'] }, 'logprobs'],
    [{ include: ['reasoning.encrypted_content'] }, undefined],
  ])('bypasses %j: %s', (changes, reason) => {
    const { bypass } = openAIResponsesCacheShape({ ...responses, ...changes });
    if (reason === undefined) expect(bypass).toBeUndefined();
    else expect(bypass).toContain(reason);
  });

  it.each<[ResponseCreateParamsBase['input'], string | undefined]>([
    ['Hi', 'Hi'],
    [[{ role: 'user', content: 'Hi' }], 'Hi'],
    [
      [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Hi' },
            { type: 'input_text', text: 'there' },
          ],
        },
      ],
      'Hi\nthere',
    ],
    [
      [
        {
          role: 'user',
          content: [{ type: 'input_image', image_url: 'https://x/a.png', detail: 'auto' }],
        },
      ],
      undefined,
    ],
    [
      [
        { role: 'user', content: 'Hi' },
        { type: 'function_call_output', call_id: 'c', output: '18C' },
      ],
      undefined,
    ],
    [[{ role: 'assistant', content: 'Hi' }], undefined],
    [[], undefined],
    [undefined, undefined],
  ])('reads the last user turn of %j as %j', (input, text) => {
    expect(openAIResponsesCacheShape({ ...responses, input }).lastUserText).toBe(text);
  });
});

import {
  FakeProviderServer,
  countWords,
  isArray,
  isRecord,
  randomId,
  textOf,
} from './fake-provider.server';
import type { Completion, FakeProviderOptions, ParsedRequest } from './fake-provider.server';

// Keeps input token counts in line with the OpenAI fake, so both providers cost alike in benchmarks.
const TOKENS_PER_MESSAGE = 3;

const ERROR_TYPES: Partial<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** Stands in for `POST /v1/messages` of the Anthropic API. */
export class FakeAnthropicServer extends FakeProviderServer {
  protected override readonly basePath = '';
  protected override readonly completionPath = '/v1/messages';
  protected override readonly requestIdHeader = 'request-id';

  static start(opts: FakeProviderOptions = {}): Promise<FakeAnthropicServer> {
    return new FakeAnthropicServer(opts).listen(opts.port ?? 0);
  }

  protected override parseRequest(body: unknown): ParsedRequest {
    if (!isRecord(body)) {
      return { invalid: 'The request body must be a JSON object.' };
    }
    const { model, max_tokens: maxTokens, messages, system } = body;
    if (typeof model !== 'string' || model === '') {
      return { invalid: 'model: Field required' };
    }
    if (maxTokens === undefined) {
      return { invalid: 'max_tokens: Field required' };
    }
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
      return { invalid: 'max_tokens: Input should be an integer greater than or equal to 1' };
    }
    if (!isArray(messages) || messages.length === 0) {
      return { invalid: 'messages: Field required' };
    }
    const systemText = system === undefined ? undefined : textOf(system);
    let lastUserText = '';
    let promptTokens = systemText === undefined ? 0 : countWords(systemText);
    for (const [index, message] of messages.entries()) {
      if (!isRecord(message) || typeof message.role !== 'string') {
        return { invalid: `messages.${index}: expected an object with role and content` };
      }
      const text = textOf(message.content);
      promptTokens += countWords(text) + TOKENS_PER_MESSAGE;
      if (message.role === 'user') {
        lastUserText = text;
      }
    }
    return { input: { model, system: systemText, lastUserText, body }, promptTokens };
  }

  protected override successBody({
    model,
    text,
    promptTokens,
    completionTokens,
  }: Completion): object {
    return {
      id: `msg_${randomId()}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: promptTokens, output_tokens: completionTokens },
    };
  }

  protected override errorBody(status: number, message: string): object {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message } };
  }
}

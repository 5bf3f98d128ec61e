import {
  FakeProviderServer,
  countWords,
  isArray,
  isRecord,
  randomId,
  textOf,
} from './fake-provider.server';
import type { Completion, FakeProviderOptions, ParsedRequest } from './fake-provider.server';

// Per-message overhead of the chat format, as OpenAI counts it.
const TOKENS_PER_MESSAGE = 3;

const ERRORS: Partial<Record<number, { type: string; code: string | null }>> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  404: { type: 'invalid_request_error', code: null },
  429: { type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
};

/** Stands in for `POST /v1/chat/completions` of the OpenAI API. */
export class FakeOpenAIServer extends FakeProviderServer {
  protected override readonly basePath = '/v1';
  protected override readonly completionPath = '/v1/chat/completions';
  protected override readonly requestIdHeader = 'x-request-id';

  static start(opts: FakeProviderOptions = {}): Promise<FakeOpenAIServer> {
    return new FakeOpenAIServer(opts).listen(opts.port ?? 0);
  }

  protected override parseRequest(body: unknown): ParsedRequest {
    if (!isRecord(body)) {
      return { invalid: 'The request body must be a JSON object.' };
    }
    const { model, messages } = body;
    if (typeof model !== 'string' || model === '') {
      return { invalid: 'you must provide a model parameter' };
    }
    if (!isArray(messages) || messages.length === 0) {
      return { invalid: "Missing required parameter: 'messages'." };
    }
    const system: string[] = [];
    let lastUserText = '';
    let promptTokens = 0;
    for (const [index, message] of messages.entries()) {
      if (!isRecord(message) || typeof message.role !== 'string') {
        return { invalid: `Invalid value for 'messages[${index}]': expected a role and content.` };
      }
      const text = textOf(message.content);
      promptTokens += countWords(text) + TOKENS_PER_MESSAGE;
      if (message.role === 'system' || message.role === 'developer') {
        system.push(text);
      } else if (message.role === 'user') {
        lastUserText = text;
      }
    }
    return {
      input: {
        model,
        system: system.length > 0 ? system.join('\n') : undefined,
        lastUserText,
        body,
      },
      promptTokens,
    };
  }

  protected override successBody({
    model,
    text,
    promptTokens,
    completionTokens,
  }: Completion): object {
    return {
      id: `chatcmpl-${randomId()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
  }

  protected override errorBody(status: number, message: string): object {
    const { type, code } = ERRORS[status] ?? {
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code: null,
    };
    return { error: { message, type, param: null, code } };
  }
}

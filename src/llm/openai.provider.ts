import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { LlmProviderSettings } from './llm-provider.settings';
import { ProviderFetch } from './provider-fetch';
import { ChatCompletion, ChatRequest } from './chat.types';
import { LlmProvider } from './llm-provider.port';
import { fromSdkError } from './upstream-error';
import { WireApi, WireCall } from './wire-call';
import { untilHeaders } from './until-headers';

const SDK_ERRORS = {
  timeout: APIConnectionTimeoutError,
  abort: APIUserAbortError,
  api: APIError,
};

/** Reasoning models take `max_completion_tokens`; the older name is rejected by them. */
const USES_MAX_COMPLETION_TOKENS = /^(o\d|gpt-5)/;

/** OpenAI's chat completions through the official SDK; any OpenAI-compatible server works too. */
export class OpenAIProvider implements LlmProvider {
  readonly name = 'openai';
  readonly apis: readonly WireApi[] = ['chat.completions', 'responses', 'embeddings'];
  readonly configured: boolean;
  private readonly timeoutMs: number;
  private readonly client: OpenAI;

  constructor(settings: LlmProviderSettings, transport: ProviderFetch) {
    this.configured = Boolean(settings.apiKey || settings.baseUrl);
    this.timeoutMs = settings.timeoutMs;
    this.client = new OpenAI({
      // The SDK refuses an empty key; compatible servers behind OPENAI_BASE_URL often need none.
      apiKey: settings.apiKey ?? 'not-set',
      baseURL: settings.baseUrl,
      timeout: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      fetch: transport.fetch,
    });
  }

  static toParams(request: ChatRequest): ChatCompletionCreateParamsNonStreaming {
    const { params } = request;
    const maxTokensField = USES_MAX_COMPLETION_TOKENS.test(request.model)
      ? 'max_completion_tokens'
      : 'max_tokens';
    return {
      model: request.model,
      messages: [
        ...(request.system === undefined
          ? []
          : [{ role: 'system' as const, content: request.system }]),
        ...request.messages.map((message) => ({ role: message.role, content: message.content })),
      ],
      ...(params.temperature !== undefined && { temperature: params.temperature }),
      ...(params.top_p !== undefined && { top_p: params.top_p }),
      ...(params.max_tokens !== undefined && { [maxTokensField]: params.max_tokens }),
      ...(params.stop !== undefined && { stop: params.stop }),
      ...(params.seed !== undefined && { seed: params.seed }),
    };
  }

  async send(call: WireCall): Promise<Response> {
    const { deadline, signal, done } = untilHeaders(this.timeoutMs, call.signal);
    const options = { signal, headers: call.headers };
    // The SDK's own methods, so its authentication, base URL and retries apply; `as never`
    // because the body is the caller's, unknown fields included, and is passed on as it stands.
    const body = call.body as never;
    try {
      switch (call.api) {
        case 'chat.completions':
          return await this.client.chat.completions.create(body, options).asResponse();
        case 'responses':
          return await this.client.responses.create(body, options).asResponse();
        case 'embeddings':
          return await this.client.embeddings.create(body, options).asResponse();
        default:
          throw new Error(`openai does not serve ${call.api}`);
      }
    } catch (error) {
      throw fromSdkError(this.name, error, SDK_ERRORS, deadline);
    } finally {
      done();
    }
  }

  async complete(request: ChatRequest): Promise<ChatCompletion> {
    let response: OpenAI.Chat.Completions.ChatCompletion;
    // One deadline for the whole call, retries included: callers wait at most LLM_TIMEOUT_MS.
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      response = await this.client.chat.completions.create(OpenAIProvider.toParams(request), {
        signal: deadline,
      });
    } catch (error) {
      throw fromSdkError(this.name, error, SDK_ERRORS, deadline);
    }
    const choice = response.choices[0];
    return {
      content: choice?.message?.content ?? '',
      model: response.model ?? request.model,
      finishReason: choice?.finish_reason ?? null,
      usage: {
        promptTokens: response.usage?.prompt_tokens ?? 0,
        completionTokens: response.usage?.completion_tokens ?? 0,
        totalTokens: response.usage?.total_tokens ?? 0,
      },
    };
  }
}

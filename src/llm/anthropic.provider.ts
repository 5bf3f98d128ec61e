import Anthropic, {
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import { ChatCompletion, ChatRequest } from './chat.types';
import { LlmProvider } from './llm-provider.port';
import { LlmProviderSettings } from './llm-provider.settings';
import { ProviderFetch } from './provider-fetch';
import { fromSdkError } from './upstream-error';
import { untilHeaders } from './until-headers';
import { WireApi, WireCall } from './wire-call';

const SDK_ERRORS = {
  timeout: APIConnectionTimeoutError,
  abort: APIUserAbortError,
  api: APIError,
};

/**
 * Anthropic requires `max_tokens`; when the caller sets none this fixed value is sent. It is a
 * constant, so requests without a limit still share cache entries.
 */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** Anthropic's Messages API through the official SDK. */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic';
  readonly apis: readonly WireApi[] = ['messages'];
  readonly configured: boolean;
  private readonly timeoutMs: number;
  private readonly client: Anthropic;

  constructor(settings: LlmProviderSettings, transport: ProviderFetch) {
    this.configured = Boolean(settings.apiKey || settings.baseUrl);
    this.timeoutMs = settings.timeoutMs;
    this.client = new Anthropic({
      apiKey: settings.apiKey ?? 'not-set',
      baseURL: settings.baseUrl,
      timeout: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      fetch: transport.fetch,
    });
  }

  static toParams(request: ChatRequest): MessageCreateParamsNonStreaming {
    const { params } = request;
    return {
      model: request.model,
      max_tokens: params.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      ...(request.system !== undefined && { system: request.system }),
      messages: request.messages.map((message) => ({
        role: message.role,
        content: message.content,
      })),
      ...(params.temperature !== undefined && { temperature: params.temperature }),
      ...(params.top_p !== undefined && { top_p: params.top_p }),
      ...(params.stop !== undefined && { stop_sequences: params.stop }),
    };
  }

  async send(call: WireCall): Promise<Response> {
    if (call.api !== 'messages') throw new Error(`anthropic does not serve ${call.api}`);
    const { deadline, signal, done } = untilHeaders(this.timeoutMs, call.signal);
    try {
      // The caller's body as it stands (unknown fields included) through the SDK's own method.
      return await this.client.messages
        .create(call.body as never, { signal, headers: call.headers })
        .asResponse();
    } catch (error) {
      throw fromSdkError(this.name, error, SDK_ERRORS, deadline);
    } finally {
      done();
    }
  }

  async complete(request: ChatRequest): Promise<ChatCompletion> {
    let response: Anthropic.Message;
    // One deadline for the whole call, retries included: callers wait at most LLM_TIMEOUT_MS.
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      response = await this.client.messages.create(AnthropicProvider.toParams(request), {
        signal: deadline,
      });
    } catch (error) {
      throw fromSdkError(this.name, error, SDK_ERRORS, deadline);
    }
    const text = response.content
      .filter((block): block is Anthropic.TextBlock => block.type === 'text')
      .map((block) => block.text)
      .join('');
    const promptTokens = response.usage.input_tokens;
    const completionTokens = response.usage.output_tokens;
    return {
      content: text,
      model: response.model ?? request.model,
      finishReason: response.stop_reason ?? null,
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    };
  }
}

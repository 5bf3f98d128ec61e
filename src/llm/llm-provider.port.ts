import { ProviderName } from '../config/app-config';
import { ChatCompletion, ChatRequest } from './chat.types';
import { WireApi, WireCall } from './wire-call';

/** One chat-completion backend. Adapters map `ChatRequest` to their SDK and errors to `ApiError`. */
export interface LlmProvider {
  readonly name: ProviderName;
  /** False when neither a key nor a base URL is set: calls would fail, so they are refused early. */
  readonly configured: boolean;
  complete(request: ChatRequest): Promise<ChatCompletion>;
  /** The provider APIs `send` speaks. */
  readonly apis: readonly WireApi[];
  /**
   * Sends a body of the provider's own API through its SDK and hands back the raw response, so
   * a stream can be passed on as it arrives. The deadline covers the wait for the response's
   * headers, not the stream after them. A refusal throws, like `complete`.
   */
  send(call: WireCall): Promise<Response>;
}

export const LLM_PROVIDERS = Symbol('LlmProviders');

import { ProviderName } from '../config/app-config';
import { ChatCompletion, ChatRequest } from './chat.types';

/** One chat-completion backend. Adapters map `ChatRequest` to their SDK and errors to `ApiError`. */
export interface LlmProvider {
  readonly name: ProviderName;
  /** False when neither a key nor a base URL is set: calls would fail, so they are refused early. */
  readonly configured: boolean;
  complete(request: ChatRequest): Promise<ChatCompletion>;
}

export const LLM_PROVIDERS = Symbol('LlmProviders');

import { ProviderName } from '../config/app-config';
import { TokenUsage } from '../cache/exact-cache.port';

export type ChatRole = 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Generation parameters that change the answer; all of them are part of the cache scope. */
export interface GenerationParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
}

/** The one internal shape every endpoint's body is mapped to. */
export interface ChatRequest {
  provider: ProviderName;
  model: string;
  system: string | undefined;
  /** The conversation; the last message is the user's question. */
  messages: ChatMessage[];
  params: GenerationParams;
}

export interface ChatCompletion {
  content: string;
  /** The model that answered, as the provider names it (may be a dated snapshot). */
  model: string;
  finishReason: string | null;
  usage: TokenUsage;
}

export interface PricedCompletion extends ChatCompletion {
  provider: ProviderName;
  costUsd: number | null;
}

import { EntryKey } from '../../libs/cache-key';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** What the exact cache keeps for one answer: enough to answer again without the provider. */
export interface CachedAnswer {
  content: string;
  provider: string;
  model: string;
  finishReason: string | null;
  usage: TokenUsage;
  /** What the original call cost; a hit saves this much. Null when the model has no price. */
  costUsd: number | null;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface ExactCacheStats {
  entries: number;
  bytes: number | null;
}

/**
 * The exact cache: entry key → stored answer with a TTL. Adapters must never throw on lookups
 * because their backend is down; they report it through `available` and answer "not found".
 */
export interface ExactCacheStore {
  readonly backend: 'memory' | 'redis';
  /** False while the backend cannot be reached; the gateway then serves from the provider. */
  readonly available: boolean;
  get(key: EntryKey): Promise<CachedAnswer | undefined>;
  set(key: EntryKey, answer: CachedAnswer, ttlSeconds: number): Promise<void>;
  delete(key: EntryKey): Promise<boolean>;
  /** Deletes every entry of one tenant's namespace; returns how many were removed. */
  purgeNamespace(tenant: string, namespace: string): Promise<number>;
  stats(): Promise<ExactCacheStats>;
}

export const EXACT_CACHE_STORE = Symbol('ExactCacheStore');

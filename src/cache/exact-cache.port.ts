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
  /**
   * For the drop-in routes: the answer in the API format it was asked in (a chat.completion,
   * an Anthropic message, a Responses response), so a hit gives back what the provider did.
   */
  wire?: {
    format: string;
    body: unknown;
    /** Neither text nor a tool call: like an empty `content`, not worth storing. */
    empty: boolean;
  };
}

export interface ExactCacheStats {
  entries: number;
  bytes: number | null;
}

/** Where an entry lives: the scope is not needed to find it, only to derive its hash. */
export type EntryAddress = Pick<EntryKey, 'tenant' | 'namespace' | 'hash'>;

/** One stored entry as the admin API lists it. The prompt is not stored, so it is not here. */
export interface StoredEntry {
  tenant: string;
  namespace: string;
  /** The `hash` part of the entry key (base64url): what `DELETE /api/v1/cache/entries/:key` takes. */
  hash: string;
  answer: CachedAnswer;
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
  delete(key: EntryAddress): Promise<boolean>;
  /** Deletes every entry of one tenant's namespace; returns how many were removed. */
  purgeNamespace(tenant: string, namespace: string): Promise<number>;
  stats(): Promise<ExactCacheStats>;
  /** Entries (and bytes, when the backend knows them) of one tenant, every namespace. */
  tenantStats(tenant: string): Promise<ExactCacheStats>;
  /** Live entries per tenant, for the admin overview. Tenants without entries are absent. */
  entriesByTenant(): Promise<Map<string, number>>;
  /**
   * The live entries of one tenant's namespace, read lazily in batches so a large cache is never
   * held in memory at once. Entries written or expiring meanwhile may or may not appear.
   */
  entries(tenant: string, namespace: string): AsyncIterable<StoredEntry>;
}

export const EXACT_CACHE_STORE = Symbol('ExactCacheStore');

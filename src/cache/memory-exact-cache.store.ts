import { LRUCache } from 'lru-cache';
import { EntryKey } from '../../libs/cache-key';
import {
  CachedAnswer,
  EntryAddress,
  ExactCacheStats,
  ExactCacheStore,
  StoredEntry,
} from './exact-cache.port';

export interface MemoryExactCacheOptions {
  maxEntries: number;
  maxBytes: number;
}

/** Rough in-heap size: JS strings are UTF-16, plus a fixed overhead for the object and usage. */
function approximateBytes(answer: CachedAnswer): number {
  return 2 * (answer.content.length + answer.model.length + answer.provider.length) + 200;
}

/** The default exact cache: an in-process LRU bounded by entry count and bytes, with per-entry TTL. */
export class MemoryExactCacheStore implements ExactCacheStore {
  readonly backend = 'memory';
  readonly available = true;
  private readonly lru: LRUCache<string, CachedAnswer>;

  constructor(options: MemoryExactCacheOptions) {
    this.lru = new LRUCache<string, CachedAnswer>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: approximateBytes,
      ttlAutopurge: false,
    });
  }

  private static id(key: EntryAddress): string {
    return `${key.tenant}/${key.namespace}/${key.hash}`;
  }

  get(key: EntryKey): Promise<CachedAnswer | undefined> {
    return Promise.resolve(this.lru.get(MemoryExactCacheStore.id(key)));
  }

  set(key: EntryKey, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    this.lru.set(MemoryExactCacheStore.id(key), answer, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }

  delete(key: EntryAddress): Promise<boolean> {
    return Promise.resolve(this.lru.delete(MemoryExactCacheStore.id(key)));
  }

  purgeNamespace(tenant: string, namespace: string): Promise<number> {
    const prefix = `${tenant}/${namespace}/`;
    let removed = 0;
    for (const id of [...this.lru.keys()]) {
      if (id.startsWith(prefix) && this.lru.delete(id)) removed += 1;
    }
    return Promise.resolve(removed);
  }

  stats(): Promise<ExactCacheStats> {
    this.lru.purgeStale();
    return Promise.resolve({ entries: this.lru.size, bytes: this.lru.calculatedSize });
  }

  /** Walks every live entry (the LRU's iterators skip stale ones and leave recency alone). */
  tenantStats(tenant: string): Promise<ExactCacheStats> {
    const prefix = `${tenant}/`;
    let entries = 0;
    let bytes = 0;
    for (const [id, answer] of this.lru.entries()) {
      if (!id.startsWith(prefix)) continue;
      entries += 1;
      bytes += approximateBytes(answer);
    }
    return Promise.resolve({ entries, bytes });
  }

  entriesByTenant(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const id of this.lru.keys()) {
      const tenant = id.slice(0, id.indexOf('/'));
      counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
    }
    return Promise.resolve(counts);
  }

  async *entries(tenant: string, namespace: string): AsyncIterable<StoredEntry> {
    const prefix = `${tenant}/${namespace}/`;
    // Ids first: the caller awaits between entries, and the LRU may change meanwhile.
    const ids = [...this.lru.keys()].filter((id) => id.startsWith(prefix));
    for (const id of ids) {
      // peek: an export must not make every entry look recently used.
      const answer = this.lru.peek(id);
      if (answer !== undefined) yield { tenant, namespace, hash: id.slice(prefix.length), answer };
    }
  }
}

import { LRUCache } from 'lru-cache';
import { EntryKey } from '../../libs/cache-key';
import { CachedAnswer, ExactCacheStats, ExactCacheStore } from './exact-cache.port';

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

  private static id(key: EntryKey): string {
    return `${key.tenant}/${key.namespace}/${key.hash}`;
  }

  get(key: EntryKey): Promise<CachedAnswer | undefined> {
    return Promise.resolve(this.lru.get(MemoryExactCacheStore.id(key)));
  }

  set(key: EntryKey, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    this.lru.set(MemoryExactCacheStore.id(key), answer, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }

  delete(key: EntryKey): Promise<boolean> {
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
}

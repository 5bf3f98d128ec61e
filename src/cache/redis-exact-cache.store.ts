import Redis from 'ioredis';
import { EntryKey } from '../../libs/cache-key';
import { RedisConnection } from '../redis/redis-connection';
import {
  CachedAnswer,
  EntryAddress,
  ExactCacheStats,
  ExactCacheStore,
  StoredEntry,
} from './exact-cache.port';

const SCAN_BATCH = 500;

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

function parseAnswer(raw: string): CachedAnswer | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return isCachedAnswer(parsed) ? parsed : undefined;
  } catch {
    // Not ours, or written by an incompatible version: a miss, and the next answer overwrites it.
    return undefined;
  }
}

function isCachedAnswer(value: unknown): value is CachedAnswer {
  const answer = value as CachedAnswer | null;
  return (
    typeof answer === 'object' &&
    answer !== null &&
    typeof answer.content === 'string' &&
    typeof answer.model === 'string' &&
    typeof answer.usage === 'object'
  );
}

/**
 * The exact cache in Redis (one server or a cluster). Keys look like
 * `<prefix>{<tenant>/<namespace>}:<hash>`: the hash tag keeps a namespace on one cluster slot so
 * a purge is one SCAN per master. While Redis is away lookups are misses (see RedisConnection).
 */
export class RedisExactCacheStore implements ExactCacheStore {
  readonly backend = 'redis';

  constructor(private readonly redis: RedisConnection) {}

  get available(): boolean {
    return this.redis.available;
  }

  private redisKey(key: EntryAddress): string {
    return `${this.redis.keyPrefix}{${key.tenant}/${key.namespace}}:${key.hash}`;
  }

  async get(key: EntryKey): Promise<CachedAnswer | undefined> {
    if (!this.available) return undefined;
    let raw: string | null;
    try {
      raw = await this.redis.client.get(this.redisKey(key));
    } catch (error) {
      this.redis.markDegraded(error as Error);
      return undefined;
    }
    return raw === null ? undefined : parseAnswer(raw);
  }

  async set(key: EntryKey, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    await this.redis.client.set(this.redisKey(key), JSON.stringify(answer), 'EX', ttlSeconds);
  }

  async delete(key: EntryAddress): Promise<boolean> {
    return (await this.redis.client.unlink(this.redisKey(key))) > 0;
  }

  /** SCAN, never KEYS: a purge must not block Redis for the other replicas. */
  private async scan(node: Redis, pattern: string, onBatch: (keys: string[]) => Promise<void>) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
      cursor = next;
      if (keys.length > 0) await onBatch(keys);
    } while (cursor !== '0');
  }

  async purgeNamespace(tenant: string, namespace: string): Promise<number> {
    const pattern = `${escapeGlob(this.redis.keyPrefix)}{${escapeGlob(`${tenant}/${namespace}`)}}:*`;
    let removed = 0;
    for (const node of this.redis.masters()) {
      await this.scan(node, pattern, async (keys) => {
        removed += await node.unlink(...keys);
      });
    }
    return removed;
  }

  async stats(): Promise<ExactCacheStats> {
    let entries = 0;
    // Entry keys only: the rate limiter shares the prefix under `rl:`.
    for (const node of this.redis.masters()) {
      await this.scan(node, `${escapeGlob(this.redis.keyPrefix)}{*`, async (keys) => {
        entries += keys.length;
      });
    }
    return { entries, bytes: null };
  }

  /** One SCAN of the tenant's keys on every master; Redis does not tell sizes cheaply. */
  async tenantStats(tenant: string): Promise<ExactCacheStats> {
    let entries = 0;
    const pattern = `${escapeGlob(this.redis.keyPrefix)}{${escapeGlob(tenant)}/*`;
    for (const node of this.redis.masters()) {
      await this.scan(node, pattern, async (keys) => {
        entries += keys.length;
      });
    }
    return { entries, bytes: null };
  }

  async entriesByTenant(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const start = this.redis.keyPrefix.length + 1;
    for (const node of this.redis.masters()) {
      await this.scan(node, `${escapeGlob(this.redis.keyPrefix)}{*`, async (keys) => {
        for (const key of keys) {
          const end = key.indexOf('/', start);
          if (end < 0) continue;
          const tenant = key.slice(start, end);
          counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
        }
      });
    }
    return counts;
  }

  /**
   * SCAN, then one MGET per batch of keys. A namespace's keys share a hash tag, so each batch sits
   * on one cluster slot. Only one batch is held at a time: the caller pulls the next when ready.
   */
  async *entries(tenant: string, namespace: string): AsyncIterable<StoredEntry> {
    const tag = `${this.redis.keyPrefix}{${tenant}/${namespace}}:`;
    const pattern = `${escapeGlob(tag)}*`;
    for (const node of this.redis.masters()) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
        cursor = next;
        if (keys.length === 0) continue;
        const values = await node.mget(...keys);
        for (let i = 0; i < keys.length; i++) {
          const raw = values[i];
          // Expired or deleted since the SCAN, or not an entry: skipped.
          const answer = raw === null ? undefined : parseAnswer(raw);
          if (answer) yield { tenant, namespace, hash: keys[i].slice(tag.length), answer };
        }
      } while (cursor !== '0');
    }
  }
}

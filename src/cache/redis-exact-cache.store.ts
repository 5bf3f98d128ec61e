import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { Cluster } from 'ioredis';
import { EntryKey } from '../../libs/cache-key';
import { RedisConfig } from '../config/app-config';
import { CachedAnswer, ExactCacheStats, ExactCacheStore } from './exact-cache.port';

const CONNECT_WAIT_MS = 2_000;
const SCAN_BATCH = 500;

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
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
 * The exact cache in Redis (one server or a cluster through ioredis). Keys look like
 * `<prefix>{<tenant>/<namespace>}:<hash>`: the hash tag keeps a namespace on one cluster slot so
 * a purge is one SCAN per node. Commands fail fast while Redis is away (no offline queue, a short
 * command timeout) so a Redis outage costs a lookup nothing but a miss.
 */
export class RedisExactCacheStore implements ExactCacheStore, OnModuleInit, OnApplicationShutdown {
  readonly backend = 'redis';
  private readonly logger = new Logger(RedisExactCacheStore.name);
  private readonly client: Redis | Cluster;
  private readonly prefix: string;
  private degraded = false;

  constructor(config: RedisConfig) {
    this.prefix = config.keyPrefix;
    const redisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: config.commandTimeoutMs,
      connectTimeout: 2_000,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    };
    this.client =
      config.clusterNodes.length > 0
        ? new Cluster(config.clusterNodes, {
            lazyConnect: true,
            enableOfflineQueue: false,
            redisOptions,
            clusterRetryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
          })
        : new Redis(config.url as string, redisOptions);
    this.client.on('ready', () => this.markHealthy());
    this.client.on('error', (error: Error) => this.markDegraded(error));
  }

  get available(): boolean {
    return this.client.status === 'ready';
  }

  async onModuleInit(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS)));
    // A Redis that is down at start must not stop the gateway: it keeps reconnecting in the background.
    await Promise.race([
      this.client.connect().catch((error: Error) => this.markDegraded(error)),
      waited,
    ]);
    clearTimeout(timer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }

  private markHealthy(): void {
    if (this.degraded) this.logger.log('Redis is reachable again; exact cache restored');
    this.degraded = false;
  }

  /** Logged once per outage, not per failed command, so an outage does not flood the logs. */
  private markDegraded(error: Error): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `Redis unavailable (${error.message}); exact cache degraded: lookups miss and writes are skipped until it returns`,
    );
  }

  private redisKey(key: EntryKey): string {
    return `${this.prefix}{${key.tenant}/${key.namespace}}:${key.hash}`;
  }

  async get(key: EntryKey): Promise<CachedAnswer | undefined> {
    if (!this.available) return undefined;
    let raw: string | null;
    try {
      raw = await this.client.get(this.redisKey(key));
    } catch (error) {
      this.markDegraded(error as Error);
      return undefined;
    }
    this.markHealthy();
    if (raw === null) return undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      return isCachedAnswer(parsed) ? parsed : undefined;
    } catch {
      // Not ours, or written by an incompatible version: a miss, and the next answer overwrites it.
      return undefined;
    }
  }

  async set(key: EntryKey, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    await this.client.set(this.redisKey(key), JSON.stringify(answer), 'EX', ttlSeconds);
  }

  async delete(key: EntryKey): Promise<boolean> {
    return (await this.client.unlink(this.redisKey(key))) > 0;
  }

  private masters(): Redis[] {
    return this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
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
    const pattern = `${escapeGlob(this.prefix)}{${escapeGlob(`${tenant}/${namespace}`)}}:*`;
    let removed = 0;
    for (const node of this.masters()) {
      await this.scan(node, pattern, async (keys) => {
        removed += await node.unlink(...keys);
      });
    }
    return removed;
  }

  async stats(): Promise<ExactCacheStats> {
    let entries = 0;
    for (const node of this.masters()) {
      await this.scan(node, `${escapeGlob(this.prefix)}*`, async (keys) => {
        entries += keys.length;
      });
    }
    return { entries, bytes: null };
  }
}

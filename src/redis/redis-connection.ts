import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { Cluster } from 'ioredis';
import { RedisConfig } from '../config/app-config';

const CONNECT_WAIT_MS = 2_000;

/**
 * The one Redis (or Redis Cluster) client of the process, shared by the exact cache, the rate
 * limiter and the readiness probe. Commands fail fast while Redis is away (no offline queue, a
 * short command timeout) so an outage costs callers a miss, not a hang; the client keeps
 * reconnecting in the background.
 */
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: Redis | Cluster;
  readonly keyPrefix: string;
  private degraded = false;

  constructor(config: RedisConfig) {
    this.keyPrefix = config.keyPrefix;
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
    // A Redis that is down at start must not stop the gateway: it keeps reconnecting.
    await Promise.race([
      this.client.connect().catch((error: Error) => this.markDegraded(error)),
      waited,
    ]);
    clearTimeout(timer);
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }

  /** The masters to SCAN: the one server, or every master of a cluster. */
  masters(): Redis[] {
    return this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
  }

  markHealthy(): void {
    if (this.degraded)
      this.logger.log('Redis is reachable again; features that use it are restored');
    this.degraded = false;
  }

  /** Logged once per outage, not per failed command, so an outage does not flood the logs. */
  markDegraded(error: Error): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `Redis unavailable (${error.message}); exact cache degraded (lookups miss, writes skipped) and rate limits fail open until it returns`,
    );
  }
}

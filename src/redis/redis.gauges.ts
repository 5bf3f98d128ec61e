import { Registry } from 'prom-client';
import { METRIC } from '../metrics/gateway-metrics';
import { scrapedGauge } from '../metrics/scraped-gauges';
import { RedisConnection } from './redis-connection';

/**
 * `ragcache_redis_up{client="redis"}`, read at scrape time. Labelled, and only registered when
 * Redis is configured, so that no series exists at all (rather than a 0) without Redis.
 */
export class RedisGauges {
  constructor(registry: Registry, redis: RedisConnection | null) {
    if (!redis) return;
    scrapedGauge(
      registry,
      {
        name: METRIC.redisUp,
        help: '1 while Redis answers, 0 while it does not; absent when Redis is not configured',
        labelNames: ['client'],
      },
      (gauge) => gauge.set({ client: 'redis' }, redis.available ? 1 : 0),
    );
  }
}

import { Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { SCRAPED_GAUGES } from '../metrics/scraped-gauges';
import { RedisConnection } from './redis-connection';
import { RedisGauges } from './redis.gauges';

export const REDIS_CONNECTION = Symbol('RedisConnection');

/** Provides the shared `RedisConnection`, or `null` when neither REDIS_URL nor a cluster is set. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CONNECTION,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => (config.redis ? new RedisConnection(config.redis) : null),
    },
    {
      provide: RedisGauges,
      inject: [SCRAPED_GAUGES, REDIS_CONNECTION],
      useFactory: (registry: Registry, redis: RedisConnection | null) =>
        new RedisGauges(registry, redis),
    },
  ],
  exports: [REDIS_CONNECTION],
})
export class RedisModule {}

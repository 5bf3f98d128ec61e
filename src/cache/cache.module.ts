import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ExactCacheGauges } from './exact-cache.gauges';
import { EXACT_CACHE_STORE, ExactCacheStore } from './exact-cache.port';
import { MemoryExactCacheStore } from './memory-exact-cache.store';
import { RedisExactCacheStore } from './redis-exact-cache.store';
import { REDIS_CONNECTION } from '../redis/redis.module';
import { RedisConnection } from '../redis/redis-connection';

@Module({
  providers: [
    {
      provide: EXACT_CACHE_STORE,
      inject: [AppConfig, REDIS_CONNECTION],
      useFactory: (config: AppConfig, redis: RedisConnection | null): ExactCacheStore =>
        redis
          ? new RedisExactCacheStore(redis)
          : new MemoryExactCacheStore({
              maxEntries: config.cache.maxEntries,
              maxBytes: config.cache.maxBytes,
            }),
    },
    ExactCacheGauges,
  ],
  exports: [EXACT_CACHE_STORE],
})
export class CacheModule {}

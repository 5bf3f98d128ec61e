import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EXACT_CACHE_STORE, ExactCacheStore } from './exact-cache.port';
import { MemoryExactCacheStore } from './memory-exact-cache.store';
import { RedisExactCacheStore } from './redis-exact-cache.store';

@Module({
  providers: [
    {
      provide: EXACT_CACHE_STORE,
      inject: [AppConfig],
      useFactory: (config: AppConfig): ExactCacheStore =>
        config.redis
          ? new RedisExactCacheStore(config.redis)
          : new MemoryExactCacheStore({
              maxEntries: config.cache.maxEntries,
              maxBytes: config.cache.maxBytes,
            }),
    },
  ],
  exports: [EXACT_CACHE_STORE],
})
export class CacheModule {}

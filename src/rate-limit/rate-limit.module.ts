import { Module } from '@nestjs/common';
import { REDIS_CONNECTION } from '../redis/redis.module';
import { RedisConnection } from '../redis/redis-connection';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit.port';
import { RedisRateLimitStore } from './redis-rate-limit.store';

@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORE,
      inject: [REDIS_CONNECTION],
      useFactory: (redis: RedisConnection | null): RateLimitStore =>
        redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore(),
    },
    RateLimitGuard,
  ],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}

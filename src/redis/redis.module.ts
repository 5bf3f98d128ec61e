import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisConnection } from './redis-connection';

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
  ],
  exports: [REDIS_CONNECTION],
})
export class RedisModule {}

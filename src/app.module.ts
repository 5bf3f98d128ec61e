import { DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthModule } from './auth/auth.module';
import { LatencyInterceptor } from './common/interceptors/latency.interceptor';
import { RequestIdInterceptor } from './common/interceptors/request-id.interceptor';
import { CompatModule } from './compat/compat.module';
import { DestinationStream } from 'pino';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueryModule } from './query/query.module';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';

@Module({})
export class AppModule {
  static forRoot(configModule: DynamicModule, logDestination?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule,
        LoggingModule.forRoot(logDestination),
        RedisModule,
        MetricsModule,
        AuthModule,
        RateLimitModule,
        QueryModule,
        CompatModule,
        AdminModule,
        HealthModule,
      ],
      // Global guards run in this order: who is calling, then whether they may call now.
      providers: [
        { provide: APP_GUARD, useExisting: ApiKeyGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_INTERCEPTOR, useClass: RequestIdInterceptor },
        { provide: APP_INTERCEPTOR, useClass: LatencyInterceptor },
      ],
    };
  }
}

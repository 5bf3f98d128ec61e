import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Req } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import { presentedKey } from '../auth/api-key.guard';
import { EXACT_CACHE_STORE, ExactCacheStore } from '../cache/exact-cache.port';
import { ApiError } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { REDIS_CONNECTION } from '../redis/redis.module';
import { RedisConnection } from '../redis/redis-connection';
import { SemanticCacheService } from '../semantic/semantic-cache.service';
import { GatewayMetrics } from './gateway-metrics';
import { timingSafeEqual, createHash } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `GET /metrics` in Prometheus text format. Open by default, as scrapers expect inside a
 * cluster; with METRICS_API_KEY set it wants that key (Bearer or x-api-key).
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController extends PrometheusController {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: GatewayMetrics,
    @Inject(EXACT_CACHE_STORE) private readonly exactCache: ExactCacheStore,
    @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null,
    private readonly semantic: SemanticCacheService,
  ) {
    super();
  }

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Text exposition format. Open unless METRICS_API_KEY is set; then send that key as Bearer or x-api-key.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Metrics prefixed ragcache_, plus process and Node.js defaults',
    schema: { type: 'string' },
  })
  override async index(
    @Res({ passthrough: true }) response: FastifyReply,
    @Req() request?: FastifyRequest,
  ): Promise<string> {
    const required = this.config.auth.metricsKey;
    if (required !== undefined) {
      const presented = request ? presentedKey(request) : undefined;
      if (presented === undefined || !timingSafeEqual(digest(presented), digest(required))) {
        throw new ApiError(401, 'invalid_api_key', 'GET /metrics requires METRICS_API_KEY');
      }
    }
    // Redis-backed stats would SCAN the keyspace on every scrape; only the in-memory store is counted.
    const stats =
      this.exactCache.backend === 'memory'
        ? await this.exactCache.stats()
        : { entries: 0, bytes: null };
    this.metrics.snapshot({
      ...stats,
      redisUp: this.redis ? this.redis.available : null,
      semanticEntries: await this.semantic.count(),
    });
    return super.index(response);
  }
}

import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { LLM_PROVIDERS, LlmProvider } from '../llm/llm-provider.port';
import { REDIS_CONNECTION } from '../redis/redis.module';
import { RedisConnection } from '../redis/redis-connection';
import { SemanticCacheService } from '../semantic/semantic-cache.service';

/** Kubernetes probes. Neither needs an API key nor counts against a rate limit. */
@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null,
    @Inject(LLM_PROVIDERS) private readonly providers: LlmProvider[],
    private readonly semantic: SemanticCacheService,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ description: 'Always 200 while the process runs' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: every configured dependency answers',
    description:
      'Checks Redis (when REDIS_URL or REDIS_CLUSTER_NODES is set), that at least one provider is configured, ' +
      'and (unless SEMANTIC_CACHE=false) that the embedding model is loaded and the vector store (embedded index or Qdrant) answers. ' +
      '503 with the same details when a check fails; queries are still served in degraded mode meanwhile.',
  })
  @ApiServiceUnavailableResponse({ description: 'A configured dependency is down' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.checkProviders(),
        ...(this.redis ? [() => this.checkRedis(this.redis as RedisConnection)] : []),
        ...(this.semantic.enabled ? [() => this.checkSemantic()] : []),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // The probe's body keeps its per-check details rather than the generic error envelope.
      reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private checkProviders(): HealthIndicatorResult {
    const configured = Object.fromEntries(
      this.providers.map((provider) => [provider.name, provider.configured]),
    );
    const session = this.indicators.check('providers');
    return Object.values(configured).some(Boolean)
      ? session.up({ configured })
      : session.down({ configured, message: 'no provider has a key or a base URL' });
  }

  private checkSemantic(): HealthIndicatorResult {
    const details = {
      model: this.semantic.modelId || 'loading',
      verifier: this.semantic.verifierId || 'loading',
      store: this.semantic.backend,
    };
    const session = this.indicators.check('semantic');
    if (!this.semantic.ready) {
      return session.down({
        ...details,
        message: 'the embedding model or the pair verifier is not loaded (yet)',
      });
    }
    return this.semantic.storeAvailable
      ? session.up(details)
      : session.down({
          ...details,
          message: `the ${this.semantic.backend} vector store is unavailable`,
        });
  }

  private async checkRedis(redis: RedisConnection): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('redis');
    try {
      await redis.client.ping();
      return session.up();
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}

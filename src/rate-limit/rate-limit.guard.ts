import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf, CallerAwareRequest } from '../auth/caller';
import { IS_PUBLIC } from '../auth/public.decorator';
import { ApiError } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { RATE_LIMIT_STORE, RateLimitDecision, RateLimitStore } from './rate-limit.port';

const WINDOW_MS = 60_000;

/**
 * Requests per minute per API key (RATE_LIMIT_RPM, per tenant from RATE_LIMIT_OVERRIDES). Runs
 * after the API-key guard. When the store fails (Redis down) the request is let through: a
 * broken limiter must not take the gateway down with it.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private failingOpen = false;

  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly metrics: GatewayMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const caller = callerOf(
      context.switchToHttp().getRequest<FastifyRequest & CallerAwareRequest>(),
    );
    const limit = this.config.rateLimit.overrides[caller.tenant] ?? this.config.rateLimit.rpm;
    if (limit === 0) return true;
    if (
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
        context.getHandler(),
        context.getClass(),
      ])
    ) {
      return true;
    }
    let decision: RateLimitDecision;
    try {
      decision = await this.store.hit(caller.limitKey, limit, WINDOW_MS);
    } catch (error) {
      this.metrics.failedOpen();
      if (!this.failingOpen) {
        this.logger.warn(
          `rate limits fail open until the store answers: ${(error as Error).message}`,
        );
      }
      this.failingOpen = true;
      return true;
    }
    this.failingOpen = false;
    const resetSeconds = Math.max(1, Math.ceil(decision.resetMs / 1000));
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    reply.header('x-ratelimit-limit', String(decision.limit));
    reply.header('x-ratelimit-remaining', String(decision.remaining));
    reply.header('x-ratelimit-reset', String(resetSeconds));
    if (!decision.allowed) {
      this.metrics.limited(caller.tenant);
      throw new ApiError(
        429,
        'rate_limited',
        `Rate limit of ${decision.limit} requests per minute exceeded; retry in ${resetSeconds} s`,
        { 'retry-after': String(resetSeconds) },
      );
    }
    return true;
  }
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { ApiError } from '../common/errors/api-error';
import { annotateRequestLog } from '../logging/request-log';
import { ApiKeyRegistry } from './api-key.registry';
import { ANONYMOUS_TENANT, Caller, CallerAwareRequest } from './caller';
import { IS_PUBLIC, NEEDS_METRICS_KEY } from './public.decorator';

/** The key a request presents: `Authorization: Bearer KEY` or `x-api-key: KEY`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : undefined;
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/**
 * The caller a request's key belongs to; 401 without a valid key. Only for a registry with keys:
 * with none, authentication is off.
 */
export function authenticate(registry: ApiKeyRegistry, request: FastifyRequest): Caller {
  const key = presentedKey(request);
  if (key === undefined) {
    throw new ApiError(
      401,
      'missing_api_key',
      'Send an API key as "Authorization: Bearer KEY" or "x-api-key: KEY"',
      { 'www-authenticate': 'Bearer' },
    );
  }
  const caller = registry.identify(key);
  if (!caller) {
    throw new ApiError(401, 'invalid_api_key', 'The API key is not valid', {
      'www-authenticate': 'Bearer error="invalid_token"',
    });
  }
  return caller;
}

/** Resolves the caller's tenant from its API key; 401 without a valid one when keys are configured. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly registry: ApiKeyRegistry,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<FastifyRequest & CallerAwareRequest>();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      if (
        this.registry.guardsMetrics &&
        this.reflector.get<boolean>(NEEDS_METRICS_KEY, targets[0])
      ) {
        const key = presentedKey(request);
        if (key === undefined || !this.registry.isMetricsKey(key)) {
          throw new ApiError(401, 'invalid_api_key', 'GET /metrics requires METRICS_API_KEY');
        }
      }
      return true;
    }
    if (!this.registry.enabled) {
      request.caller = { tenant: ANONYMOUS_TENANT, limitKey: `ip:${request.ip}`, admin: false };
      annotateRequestLog(request.raw, { tenant: ANONYMOUS_TENANT });
      return true;
    }
    const caller = authenticate(this.registry, request);
    request.caller = caller;
    annotateRequestLog(request.raw, { tenant: caller.tenant });
    return true;
  }
}

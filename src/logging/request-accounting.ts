import { Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { timedByInterceptor } from '../common/interceptors/latency.interceptor';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { RequestLogger } from './request-logger';

/**
 * The one place every finished request passes (a Fastify `onResponse` hook, registered by
 * `createApp`): it writes the request's log line, and counts in the duration histogram the
 * requests the latency interceptor never saw: those a guard, the router or the body parser
 * turned away before Nest's interceptors ran.
 */
@Injectable()
export class RequestAccounting {
  constructor(
    private readonly requestLogger: RequestLogger,
    private readonly metrics: GatewayMetrics,
  ) {}

  finished(request: FastifyRequest, reply: FastifyReply): void {
    this.requestLogger.log(request, reply);
    if (timedByInterceptor(request.raw)) return;
    this.metrics.httpRequest(
      request.routeOptions.url,
      reply.statusCode,
      'NONE',
      reply.elapsedTime / 1000,
    );
  }
}

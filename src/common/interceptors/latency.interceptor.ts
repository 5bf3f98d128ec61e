import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { IncomingMessage } from 'node:http';
import { Observable, tap } from 'rxjs';
import { GatewayMetrics } from '../../metrics/gateway-metrics';
import { statusOf } from '../errors/error-envelope.filter';

const TIMED = Symbol('ragcache.timed');

type TimedRequest = IncomingMessage & { [TIMED]?: true };

/** Whether the latency interceptor saw this request (and so already counted it). */
export function timedByInterceptor(raw: IncomingMessage): boolean {
  return (raw as TimedRequest)[TIMED] === true;
}

/**
 * Records `ragcache_http_request_duration_seconds` and sets `server-timing: app;dur=<ms>` once
 * the handler has its answer (or its error), measured from the request's arrival. A streamed
 * answer (the drop-in routes write SSE themselves) is counted when it has ended, and carries no
 * `server-timing`: its headers left with the first event. Requests that never reach the
 * interceptors (a guard, the router or the body parser turned them away) are counted by
 * `RequestAccounting` instead.
 */
@Injectable()
export class LatencyInterceptor implements NestInterceptor {
  constructor(private readonly metrics: GatewayMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    (request.raw as TimedRequest)[TIMED] = true;
    return next.handle().pipe(
      tap({
        next: () => this.record(request, reply, reply.statusCode),
        error: (error: unknown) => this.record(request, reply, statusOf(error)),
      }),
    );
  }

  private record(request: FastifyRequest, reply: FastifyReply, status: number): void {
    const milliseconds = reply.elapsedTime;
    if (!reply.raw.headersSent) reply.header('server-timing', `app;dur=${milliseconds.toFixed(2)}`);
    const cache = reply.getHeader('x-cache');
    this.metrics.httpRequest(
      request.routeOptions.url,
      status,
      typeof cache === 'string' ? cache : 'NONE',
      milliseconds / 1000,
    );
  }
}

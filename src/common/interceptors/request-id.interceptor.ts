import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';

/**
 * Puts the request's id (`requestIdFor`: the caller's safe `x-request-id`, or a new UUID) on the
 * response as `x-request-id`, before the handler runs, so a streamed answer carries it too.
 * Requests turned away before the interceptors run get it from `ErrorEnvelopeFilter`.
 */
@Injectable()
export class RequestIdInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    http.getResponse<FastifyReply>().header('x-request-id', http.getRequest<FastifyRequest>().id);
    return next.handle();
  }
}

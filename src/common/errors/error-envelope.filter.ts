import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import { inRouteSchema } from './error-schema';

export interface ErrorEnvelope {
  error: { code: string; message: string; request_id: string };
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  502: 'upstream_error',
  503: 'unavailable',
  504: 'upstream_timeout',
};

/** The HTTP status an error is answered with. */
export function statusOf(error: unknown): number {
  return error instanceof HttpException ? error.getStatus() : 500;
}

/**
 * Turns any error into `{ error: { code, message, request_id } }` with the right status. Nest hands
 * Fastify's own errors (bad JSON, body too large) here as `HttpException`s too.
 */
export function toErrorResponse(
  error: unknown,
  requestId: string,
): { status: number; body: ErrorEnvelope; headers: Record<string, string> } {
  if (error instanceof ApiError) {
    return {
      status: error.getStatus(),
      body: { error: { code: error.code, message: error.message, request_id: requestId } },
      headers: error.headers,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return {
      status,
      body: {
        error: {
          code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request'),
          message: status >= 500 ? 'Internal error' : error.message,
          request_id: requestId,
        },
      },
      headers: {},
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'Internal error', request_id: requestId } },
    headers: {},
  };
}

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorEnvelope');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, headers } = toErrorResponse(exception, request.id);
    if (status >= 500 && !(exception instanceof ApiError)) {
      // Only the error's name and message: a stack or request body could carry prompt text.
      const error = exception as Error | undefined;
      this.logger.error(`request ${request.id} failed: ${error?.name}: ${error?.message}`);
    }
    // Requests a guard, the router or the body parser turned away never reached the interceptors.
    reply
      .status(status)
      .header('x-request-id', request.id)
      .headers(headers)
      .send(inRouteSchema(request.url, status, body));
  }
}

import { Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { LoggableRequest } from './request-log';

/** Writes the one log line of a finished request: who, what, how it was answered, how fast. */
@Injectable()
export class RequestLogger {
  constructor(private readonly config: AppConfig) {}

  log(request: FastifyRequest, reply: FastifyReply): void {
    const logger = PinoLogger.root;
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (!logger?.isLevelEnabled(level)) return;
    const context = (request.raw as LoggableRequest).ragcache;
    // Fields named one by one rather than spread: this runs on every request, and the spreads'
    // copies measured as a few µs of an exact hit (docs/benchmarks.md). Unset ones are left out.
    const line: Record<string, unknown> = {
      request_id: request.id,
      method: request.method,
      url: request.url,
      status,
      latency_ms: Math.round(reply.elapsedTime * 100) / 100,
      route: request.routeOptions.url,
      tenant: context?.tenant,
      cache: context?.cache,
      provider: context?.provider,
      model: context?.model,
      tokens: context?.tokens,
    };
    if (this.config.logging.logPrompts) {
      line.prompt = context?.prompt;
      line.answer = context?.answer;
    }
    logger[level](line, 'request completed');
  }
}

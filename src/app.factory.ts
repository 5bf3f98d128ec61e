import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { ErrorEnvelopeFilter } from './common/errors/error-envelope.filter';
import { requestIdFor } from './common/http/request-id';
import { BodyValidationPipe } from './common/validation/body-validation.pipe';
import { AppConfig } from './config/app-config';
import { GatewayMetrics } from './metrics/gateway-metrics';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const NEST_LEVEL_OF: Record<string, LogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  trace: 'verbose',
};

/** LOG_LEVEL names the least severe level logged; Nest wants the list of levels to log. */
export function nestLogLevels(level: string): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(NEST_LEVEL_OF[level] ?? 'log') + 1);
}

/** Builds the whole gateway, the same way for `main.ts`, the end-to-end tests and the benchmarks. */
export async function createApp(
  config: AppConfig,
  options: { logger?: LogLevel[] | false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimitBytes,
    genReqId: requestIdFor,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: options.logger ?? nestLogLevels(config.logging.level),
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // A Fastify hook rather than a Nest interceptor: it also sees requests that guards, pipes or
  // the router turned away, and costs less on the hit path.
  const metrics = app.get(GatewayMetrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    const cache = reply.getHeader('x-cache');
    metrics.httpRequest(
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      typeof cache === 'string' ? cache : 'NONE',
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.useGlobalPipes(new BodyValidationPipe());
  app.enableShutdownHooks();
  return app;
}

import compression from '@fastify/compress';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { ErrorEnvelopeFilter } from './common/errors/error-envelope.filter';
import { requestIdFor } from './common/http/request-id';
import { setUpOpenApi } from './common/openapi/openapi';
import { BodyValidationPipe } from './common/validation/body-validation.pipe';
import { Logger } from 'nestjs-pino';
import { DestinationStream } from 'pino';
import { AppConfigModule, ConfigSource } from './config/config.module';
import { annotateRequestLog } from './logging/request-log';
import { RequestLogger } from './logging/request-logger';
import { GatewayMetrics } from './metrics/gateway-metrics';

/** Builds the whole gateway, the same way for `main.ts`, the end-to-end tests and the benchmarks. */
export async function createApp(
  source: ConfigSource = {},
  options: { logDestination?: DestinationStream } = {},
): Promise<NestFastifyApplication> {
  const { config, module: configModule } = await AppConfigModule.load(source);
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimitBytes,
    genReqId: requestIdFor,
    logger: false,
    // No Nest middleware is used; without middie every request skips its matching step.
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(configModule, options.logDestination),
    adapter,
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    annotateRequestLog(request.raw, { route: request.routeOptions.url });
    done();
  });
  // A Fastify hook rather than a Nest interceptor: it also sees requests that guards, pipes or
  // the router turned away, and costs less on the hit path.
  const metrics = app.get(GatewayMetrics);
  const requestLogger = app.get(RequestLogger);
  fastify.addHook('onResponse', (request, reply, done) => {
    requestLogger.log(request, reply);
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
  // Only answers above 1 KB are worth the CPU; streamed (SSE) responses are never compressed.
  await app.register(compression, {
    threshold: 1024,
    customTypes: /^application\/(json|x-ndjson)/,
  });
  if (config.corsOrigins) app.enableCors({ origin: config.corsOrigins });
  setUpOpenApi(app);
  app.enableShutdownHooks();
  return app;
}

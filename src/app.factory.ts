import compression from '@fastify/compress';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { installCheapAsyncResourceBind } from './common/async-context/async-resource-bind';
import { ErrorEnvelopeFilter } from './common/errors/error-envelope.filter';
import { requestIdFor } from './common/http/request-id';
import { setUpOpenApi } from './common/openapi/openapi';
import { BodyValidationPipe } from './common/validation/body-validation.pipe';
import { Logger } from 'nestjs-pino';
import { DestinationStream } from 'pino';
import { AppConfigModule, ConfigSource } from './config/config.module';
import { RequestAccounting } from './logging/request-accounting';

/** Builds the whole gateway, the same way for `main.ts`, the end-to-end tests and the benchmarks. */
export async function createApp(
  source: ConfigSource = {},
  options: { logDestination?: DestinationStream } = {},
): Promise<NestFastifyApplication> {
  const { config, module: configModule } = await AppConfigModule.load(source);
  installCheapAsyncResourceBind();
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
  // A Fastify hook, not an interceptor: it also sees the requests that never reach Nest's
  // interceptors (guards, the router or the body parser turned them away).
  const accounting = app.get(RequestAccounting);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      accounting.finished(request, reply);
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

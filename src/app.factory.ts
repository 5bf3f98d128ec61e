import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { ErrorEnvelopeFilter } from './common/errors/error-envelope.filter';
import { requestIdFor } from './common/http/request-id';
import { BodyValidationPipe } from './common/validation/body-validation.pipe';
import { AppConfig } from './config/app-config';

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
    logger: options.logger ?? ['error', 'warn', 'log'],
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.useGlobalPipes(new BodyValidationPipe());
  app.enableShutdownHooks();
  return app;
}

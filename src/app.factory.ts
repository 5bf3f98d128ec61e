import { LogLevel, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { ApiError } from './common/errors/api-error';
import { ErrorEnvelopeFilter } from './common/errors/error-envelope.filter';
import { requestIdFor } from './common/http/request-id';
import { AppConfig } from './config/app-config';

function validationMessages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {});
    const messages = own.length > 0 || error.children?.length ? own : [`${path} is not allowed`];
    return [...messages, ...validationMessages(error.children ?? [], path)];
  });
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
    logger: options.logger ?? ['error', 'warn', 'log'],
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: true,
      exceptionFactory: (errors) =>
        new ApiError(400, 'invalid_request', validationMessages(errors).join('; ')),
    }),
  );
  app.enableShutdownHooks();
  return app;
}

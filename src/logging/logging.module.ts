import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { DestinationStream } from 'pino';
import { AppConfig } from '../config/app-config';
import { RequestLogger } from './request-logger';

/**
 * JSON lines through pino, for the application's own log lines (Nest's Logger is routed here)
 * and one line per request (written by `RequestLogger`). Request headers and bodies are never
 * serialised, so keys and prompt text stay out of the logs; LOG_PROMPTS=true adds the prompt
 * and the answer.
 *
 * nestjs-pino's own per-request middleware is not mounted (`forRoutes: []`): it runs every
 * request in an AsyncLocalStorage scope and builds a child logger for it, which together cost
 * more than half of an exact hit's CPU time (see docs/benchmarks.md). The request line comes
 * from a Fastify hook through the same pino instance instead.
 */
@Module({})
export class LoggingModule {
  static forRoot(destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            forRoutes: [],
            pinoHttp: [{ level: config.logging.level }, destination ?? process.stdout],
          }),
        }),
      ],
      providers: [RequestLogger],
      exports: [RequestLogger],
    };
  }
}

import { DynamicModule, Module, OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import type SonicBoom from 'sonic-boom';
import { AppConfig } from '../config/app-config';
import { RequestAccounting } from './request-accounting';
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
const STDOUT_BUFFER_BYTES = 4096;

const FLUSH_INTERVAL_MS = 1_000;

/**
 * Empties the stdout buffer: at least once a second, so a quiet gateway's lines do not wait for
 * 4 KB to pile up; on demand (after the start banner); and synchronously at shutdown, so the
 * last lines are not lost.
 */
export class LogFlusher implements OnApplicationShutdown {
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly stdout: SonicBoom | undefined) {
    this.timer = stdout ? setInterval(() => this.flush(), FLUSH_INTERVAL_MS).unref() : undefined;
  }

  flush(): void {
    this.stdout?.flush();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.stdout?.flushSync();
  }
}

@Module({})
export class LoggingModule {
  static forRoot(destination?: DestinationStream): DynamicModule {
    // Buffered, asynchronous writes: one write(2) per 4 KB of log lines instead of one per line,
    // which on the hit path cost as much as the rest of the request logging together.
    const stdout = destination
      ? undefined
      : pino.destination({ dest: 1, sync: false, minLength: STDOUT_BUFFER_BYTES });
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            forRoutes: [],
            pinoHttp: [{ level: config.logging.level }, destination ?? (stdout as SonicBoom)],
          }),
        }),
      ],
      providers: [
        RequestLogger,
        RequestAccounting,
        { provide: LogFlusher, useValue: new LogFlusher(stdout) },
      ],
      exports: [RequestAccounting, LogFlusher],
    };
  }
}

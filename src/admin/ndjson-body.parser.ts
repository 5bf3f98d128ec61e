import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { errorCodes, FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/api-key.guard';
import { ApiKeyRegistry } from '../auth/api-key.registry';
import { AppConfig } from '../config/app-config';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';
/** `@RouteConfig({ [NDJSON_BODY_LIMIT]: bytes })` raises the body limit of one route. */
export const NDJSON_BODY_LIMIT = 'ndjsonBodyLimit';

function tooLarge(): Error {
  return new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
}

/** Reads a body as UTF-8 text, refusing it as soon as it passes `limit` bytes. */
export function readText(
  payload: NodeJS.ReadableStream,
  limit: number,
  contentLength: string | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(contentLength) > limit) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size).toString('utf8'));
    };
    const onError = (error: Error & { statusCode?: number }) => {
      cleanup();
      error.statusCode ??= 400;
      reject(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}

/**
 * Accepts `application/x-ndjson` bodies as one string. The server-wide BODY_LIMIT_BYTES applies
 * unless the route raises it with NDJSON_BODY_LIMIT (the import does), so no other route takes
 * the larger bodies; the limit is checked while the body arrives. Bodies are parsed before Nest's
 * guards run, so a route with a raised limit checks the API key here first: nobody without a
 * valid key can make the gateway read 50 MB.
 */
@Injectable()
export class NdjsonBodyParser implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly keys: ApiKeyRegistry,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (typeof fastify?.addContentTypeParser !== 'function') return;
    if (fastify.hasContentTypeParser(NDJSON_CONTENT_TYPE)) return;
    const serverLimit = this.config.server.bodyLimitBytes;
    fastify.addContentTypeParser(
      NDJSON_CONTENT_TYPE,
      (request: FastifyRequest, payload: NodeJS.ReadableStream, done) => {
        const config = request.routeOptions.config as unknown as
          Record<string, unknown> | undefined;
        const routeLimit = config?.[NDJSON_BODY_LIMIT];
        const limit =
          typeof routeLimit === 'number' ? Math.max(routeLimit, serverLimit) : serverLimit;
        if (limit > serverLimit && this.keys.enabled) {
          try {
            authenticate(this.keys, request);
          } catch (error) {
            done(error as Error, undefined);
            return;
          }
        }
        readText(payload, limit, request.headers['content-length']).then(
          (text) => done(null, text),
          (error: Error) => done(error, undefined),
        );
      },
    );
  }
}

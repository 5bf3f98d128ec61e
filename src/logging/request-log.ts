import { IncomingMessage } from 'node:http';

/**
 * What a handler tells the request log about its request, beyond method, URL and status: set on
 * the raw request so pino-http can add it to the one line it writes when the response ends.
 */
export interface RequestLogContext {
  tenant?: string;
  cache?: string;
  provider?: string;
  model?: string;
  tokens?: number;
  /** Only with LOG_PROMPTS=true. */
  prompt?: string;
  /** Only with LOG_PROMPTS=true. */
  answer?: string;
}

export interface LoggableRequest extends IncomingMessage {
  ragcache?: RequestLogContext;
}

/** Adds to the request's log context; callers pass a fresh object, which may be kept as is. */
export function annotateRequestLog(raw: IncomingMessage, context: RequestLogContext): void {
  const request = raw as LoggableRequest;
  if (request.ragcache) Object.assign(request.ragcache, context);
  else request.ragcache = context;
}

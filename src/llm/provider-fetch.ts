import { OnModuleDestroy } from '@nestjs/common';
import { HttpAgent, HttpsAgent } from 'agentkeepalive';
import type { Agent } from 'node:http';
import nodeFetch, { RequestInit as NodeFetchInit } from 'node-fetch';

/**
 * Idle connections are closed by the gateway before a provider would close them: servers on
 * Node's defaults close after 5 s, and a request sent on a socket the other side is closing
 * fails (agentkeepalive's own default, chosen for the same reason).
 */
const FREE_SOCKET_TIMEOUT_MS = 4_000;

/**
 * The `fetch` both provider SDKs are given: node-fetch over keep-alive `node:http` agents (what
 * the openai SDK itself used on Node before v5) instead of the runtime's fetch.
 *
 * Why not the runtime's fetch: undici, before it sends on a kept-alive socket that has been idle,
 * waits one `setTimeout(0)` (a millisecond) to learn whether the server closed it. Every provider
 * call paid that, and on a streamed miss it is on the first byte's path. Here the agent closes
 * idle sockets before the server does (above), and the SDKs retry a request that found its
 * socket closed (`LLM_MAX_RETRIES`), which is the same guard without the wait.
 */
export class ProviderFetch implements OnModuleDestroy {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  /**
   * `timeoutMs`: a working socket silent that long is given up (LLM_TIMEOUT_MS).
   * `freeSocketTimeoutMs`: an idle socket is closed after that long.
   */
  constructor(timeoutMs: number, freeSocketTimeoutMs = FREE_SOCKET_TIMEOUT_MS) {
    const options = {
      keepAlive: true,
      freeSocketTimeout: freeSocketTimeoutMs,
      timeout: timeoutMs,
    };
    this.http = new HttpAgent(options);
    this.https = new HttpsAgent(options);
  }

  private readonly agentFor = (url: URL): Agent =>
    url.protocol === 'https:' ? this.https : this.http;

  /** The function handed to the SDKs, in the signature of the runtime's `fetch`. */
  readonly fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof input !== 'string' && !(input instanceof URL)) {
      // Both SDKs pass the URL and an init; a Request object would carry a body node-fetch
      // cannot read.
      throw new TypeError('ProviderFetch takes a URL and an init, not a Request');
    }
    const url = String(input);
    const options = {
      ...(init as NodeFetchInit | undefined),
      agent: this.agentFor,
    } as NodeFetchInit;
    // The response is node-fetch's: the same members the gateway and the SDKs read (status,
    // headers, json(), text(), a body that is async-iterable as bytes).
    return nodeFetch(url, options) as unknown as Promise<Response>;
  };

  onModuleDestroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

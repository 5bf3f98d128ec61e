import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';

export interface RunningGateway {
  app: NestFastifyApplication;
  url: string;
  /** Every JSON log line written since this gateway started, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log output, for checks that nothing secret appears anywhere in it. */
  logText(): string;
  close(): Promise<void>;
}

/**
 * nestjs-pino builds one pino-http instance per process, on the first app's options, and every
 * later app logs through it. So all gateways of a test file share this one destination, and each
 * gateway reads the lines written since it started.
 */
const logLines: string[] = [];
const logDestination = { write: (line: string) => void logLines.push(line) };

/**
 * Starts the real gateway in this process on an ephemeral loopback port, with its semantic index
 * in a fresh temporary DATA_DIR unless the test names one, and one embedding worker unless the
 * test asks for more: the suites run side by side on two cores, and each model takes ~100 MB.
 */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const from = logLines.length;
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'ragcache-gateway-'));
  const app = await createApp(
    {
      variables: {
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        EMBEDDING_WORKERS: '1',
        ...env,
      },
    },
    { logDestination },
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    get logs() {
      return logLines.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => logLines.slice(from).join(''),
    close: async () => {
      await app.close();
      if (env.DATA_DIR === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error envelope every failure answers with. */
export interface ErrorBody {
  error: { code: string; message: string; request_id: string };
}

/** The body of a successful `POST /api/v1/query`. */
export interface QueryBody {
  response: string;
  provider: string;
  model: string;
  cached: boolean;
  cache_type: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  cost_usd: number | null;
  latency_ms: number;
  request_id: string;
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** POSTs JSON (or a raw string, sent as is) and parses the JSON answer. */
export async function postJson<T = Record<string, unknown>>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

/** The sum of a metric's samples in the Prometheus text exposition. */
export async function metricValue(baseUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) => line.startsWith(name) && !line.startsWith(`${name}_`) && line.includes(labels),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Polls until `condition` holds: for effects that land after the response, such as index writes. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

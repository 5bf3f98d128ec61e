import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../libs/testing';
import { startFakeProviders } from './support/providers';
import { cleanRedisPrefix, REDIS_URL, uniqueRedisPrefix } from './support/redis';

/** Runs the built service (`npm run build` first, as `npm test` does) the way `npm start` does. */
const MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');

function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'NODE_OPTIONS']) env[name] = process.env[name];
  return { ...env, ...extra };
}

function run(
  extra: Record<string, string>,
  cwd?: string,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [MAIN], { env: cleanEnvironment(extra), cwd });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function waitForListening(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('the service exited before listening');
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing listened on ${url}`);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the built service as a process', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  });

  it('starts on port 3000 with nothing configured and answers with the envelope', async () => {
    const { child, output } = run({});
    try {
      await waitForListening('http://127.0.0.1:3000/', child);
      const response = await fetch('http://127.0.0.1:3000/api/v1/query', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'Is anyone there?' }),
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: 'provider_not_configured' } });
      // Log lines are buffered and flushed at least once a second.
      await waitFor(() => output().includes('RAG Cache listening on'), 3_000);
      expect(output()).not.toContain('Is anyone there?');
    } finally {
      child.kill('SIGTERM');
      await exitOf(child);
    }
  }, 20_000);

  it.each([
    [{ PORT: 'eighty' }, /PORT: must be a whole number/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL: must be a URL/],
    [{ PRICING_FILE: '/nonexistent.json' }, /PRICING_FILE: cannot read/],
  ])('refuses to start with %j and names the variable', async (env, message) => {
    const { child, output } = run(env);
    expect(await exitOf(child)).toBe(1);
    expect(output()).toMatch(message);
  });

  describe('with a .env file in its working directory', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ragcache-dotenv-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const writeEnvFile = (lines: string[]) =>
      writeFileSync(join(dir, '.env'), `${lines.join('\n')}\n`);

    it('reads it, and a variable set in the environment wins over the file', async () => {
      const port = await freePort();
      writeEnvFile([
        '# the gateway reads this file at start',
        `PORT=${port}`,
        'HOST=127.0.0.1',
        'SEMANTIC_CACHE=false',
        `DATA_DIR=${join(dir, 'data')}`,
        'API_KEYS=acme:key-from-the-file',
        'METRICS_API_KEY=metrics-key-from-the-file',
      ]);
      const { child } = run({ METRICS_API_KEY: 'metrics-key-from-the-environment' }, dir);
      const get = (path: string, key: string) =>
        fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${key}` } });
      try {
        await waitForListening(`http://127.0.0.1:${port}/health/live`, child);
        expect((await get('/api/v1/cache/stats', 'key-from-the-file')).status).toBe(200);
        expect((await get('/api/v1/cache/stats', 'some-other-key')).status).toBe(401);
        expect((await get('/metrics', 'metrics-key-from-the-environment')).status).toBe(200);
        expect((await get('/metrics', 'metrics-key-from-the-file')).status).toBe(401);
      } finally {
        child.kill('SIGTERM');
        await exitOf(child);
      }
    });

    it('refuses to start on an invalid value in it and names the variable', async () => {
      writeEnvFile(['SEMANTIC_THRESHOLD=high']);
      const { child, output } = run({}, dir);
      expect(await exitOf(child)).toBe(1);
      expect(output()).toMatch(/SEMANTIC_THRESHOLD: must be a number/);
    });
  });

  it('shares one rate-limit budget between two gateway processes on one Redis', async () => {
    const providers = await startFakeProviders();
    const prefix = uniqueRedisPrefix('two-processes');
    const ports = [await freePort(), await freePort()];
    const gateways = ports.map((port) =>
      run({
        ...providers.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        API_KEYS: 'acme:shared-budget-key',
        RATE_LIMIT_RPM: '40',
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
      }),
    );
    const ask = (port: number, i: number) =>
      fetch(`http://127.0.0.1:${port}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer shared-budget-key' },
        body: JSON.stringify({ query: `Question ${i}` }),
      }).then((response) => response.status);
    try {
      await Promise.all(
        ports.map((port, index) =>
          waitForListening(`http://127.0.0.1:${port}/health/live`, gateways[index].child),
        ),
      );
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push(await ask(ports[i % 2], i));
      expect(statuses).toEqual(Array(40).fill(200));
      expect(await ask(ports[0], 40)).toBe(429);
      expect(await ask(ports[1], 41)).toBe(429);
    } finally {
      for (const { child } of gateways) child.kill('SIGTERM');
      await Promise.all(gateways.map(({ child }) => exitOf(child)));
      await providers.close();
      await cleanRedisPrefix(prefix);
    }
  }, 30_000);
});

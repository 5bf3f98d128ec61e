import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Runs the built service (`npm run build` first, as `npm test` does) the way `npm start` does. */
const MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');

function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'NODE_OPTIONS']) env[name] = process.env[name];
  return { ...env, ...extra };
}

function run(extra: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [MAIN], { env: cleanEnvironment(extra) });
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
      expect(output()).toContain('RAG Cache listening on');
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
});

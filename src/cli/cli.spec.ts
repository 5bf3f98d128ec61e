import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningGateway, postJson, startGateway } from '../../test/support/gateway';
import { FakeProviders, startFakeProviders } from '../../test/support/providers';
import { CliIo } from './client';
import { runCli, USAGE } from './main';
import { renderBar } from './progress-bar';

function captureIo(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    stdout: () => out,
    stderr: () => err,
  };
}

describe('renderBar', () => {
  it('fills in proportion and never overflows', () => {
    expect(renderBar(0, 10, 10)).toBe('[----------]   0% 0/10');
    expect(renderBar(5, 10, 10)).toBe('[#####-----]  50% 5/10');
    expect(renderBar(10, 10, 10)).toBe('[##########] 100% 10/10');
    expect(renderBar(12, 10, 10)).toBe('[##########] 100% 12/10');
    expect(renderBar(0, 0, 4)).toBe('[----]   0% 0/0');
  });
});

describe('rag-cache CLI against a running gateway', () => {
  const KEY = 'acme-cli-key';
  let providers: FakeProviders;
  let gateway: RunningGateway;
  let dir: string;

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway({
      ...providers.env,
      API_KEYS: `acme:${KEY}`,
      ADMIN_API_KEY: 'cli-admin-key',
    });
    dir = await mkdtemp(join(tmpdir(), 'rag-cache-cli-'));
  });
  afterAll(async () => {
    await gateway.close();
    await providers.close();
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, lines: string[]) => {
    const path = join(dir, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  };

  it('prints help, and refuses bad usage with exit code 2', async () => {
    const help = captureIo();
    expect(await runCli(['--help'], help, {})).toBe(0);
    expect(help.stdout()).toBe(USAGE);
    const none = captureIo();
    expect(await runCli([], none, {})).toBe(2);
    expect(none.stderr()).toContain('Usage: rag-cache');
    const unknown = captureIo();
    expect(await runCli(['stats', '--bogus'], unknown, {})).toBe(2);
    expect(unknown.stderr()).toContain("Unknown option '--bogus'");
    const missingFile = captureIo();
    expect(await runCli(['warm'], missingFile, {})).toBe(2);
  });

  it('warms the cache from a file with a progress bar, then the queries are hits', async () => {
    const count = 2_500;
    const path = await file(
      'warm.ndjson',
      Array.from({ length: count }, (_, i) =>
        JSON.stringify({ query: `CLI question ${i}?`, answer: `CLI answer ${i}` }),
      ),
    );
    const io = captureIo();
    const code = await runCli(
      ['warm', path, '--url', gateway.url, '--key', KEY, '--exact-only'],
      io,
      {},
    );
    expect(io.stderr()).toContain('\r[');
    expect(io.stderr()).toContain(`100% ${count}/${count} lines, ${count} imported, 0 failed`);
    expect(io.stdout()).toBe(`Imported ${count} of ${count} lines; 0 failed.\n`);
    expect(code).toBe(0);

    const hit = await postJson<{ response: string }>(
      `${gateway.url}/api/v1/query`,
      { query: 'CLI question 1234?' },
      { authorization: `Bearer ${KEY}` },
    );
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.body.response).toBe('CLI answer 1234');
    expect(providers.openai.calls).toBe(0);
  });

  it('reads the URL and key from the environment, lists failed lines and exits 1', async () => {
    const path = await file('mixed.ndjson', [
      JSON.stringify({ query: 'Env good?', answer: 'Yes.', namespace: 'cli' }),
      'not json',
      JSON.stringify({ query: 'Env missing answer?' }),
    ]);
    const io = captureIo();
    const code = await runCli(['warm', path], io, {
      RAG_CACHE_URL: gateway.url,
      RAG_CACHE_API_KEY: KEY,
    });
    expect(code).toBe(1);
    expect(io.stdout()).toContain('Imported 1 of 3 lines; 2 failed.');
    expect(io.stdout()).toContain('  line 2: not valid JSON');
    expect(io.stdout()).toMatch(/ {2}line 3: .*answer/);
  });

  it('prints the gateway’s error message and exits 1 on an HTTP error', async () => {
    const path = await file('one.ndjson', [JSON.stringify({ query: 'q?', answer: 'a' })]);
    const wrongKey = captureIo();
    expect(await runCli(['warm', path, '--url', gateway.url, '--key', 'nope'], wrongKey, {})).toBe(
      1,
    );
    expect(wrongKey.stderr()).toContain('The API key is not valid (401 invalid_api_key)');
    const adminWithoutTenant = captureIo();
    expect(
      await runCli(
        ['warm', path, '--url', gateway.url, '--key', 'cli-admin-key'],
        adminWithoutTenant,
        {},
      ),
    ).toBe(1);
    expect(adminWithoutTenant.stderr()).toContain('tenant_required');
    const missing = captureIo();
    expect(
      await runCli(['warm', join(dir, 'absent.ndjson'), '--url', gateway.url], missing, {}),
    ).toBe(1);
    expect(missing.stderr()).toContain('cannot read');
    const unreachable = captureIo();
    expect(await runCli(['stats', '--url', 'http://127.0.0.1:1'], unreachable, {})).toBe(1);
    expect(unreachable.stderr()).toContain('cannot reach http://127.0.0.1:1');
  });

  it('prints the stats of the tenant, or of a named tenant for the admin', async () => {
    const io = captureIo();
    expect(await runCli(['stats', '--url', gateway.url, '--key', KEY], io, {})).toBe(0);
    const stats = JSON.parse(io.stdout()) as { tenant: string; entries: number };
    expect(stats.tenant).toBe('acme');
    expect(stats.entries).toBeGreaterThanOrEqual(2_501);
    expect(io.stdout()).toContain('\n  "tenant": "acme"');

    const admin = captureIo();
    expect(
      await runCli(
        ['stats', '--url', gateway.url, '--key', 'cli-admin-key', '--tenant', 'acme'],
        admin,
        {},
      ),
    ).toBe(0);
    expect(JSON.parse(admin.stdout())).toMatchObject({ tenant: 'acme', entries: stats.entries });
  });
});

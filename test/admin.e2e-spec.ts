import { RunningGateway, postJson, startGateway, ErrorBody, QueryBody } from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';
import { REDIS_URL, cleanRedisPrefix, uniqueRedisPrefix } from './support/redis';

interface ImportResult {
  imported: number;
  failed: number;
  errors: { line: number; message: string }[];
  errors_truncated?: boolean;
}

interface ExportLine {
  key: string;
  namespace: string;
  provider: string;
  model: string;
  answer: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  cost_usd: number | null;
  created_at: string;
}

interface TenantStats {
  tenant: string;
  backend: string;
  entries: number;
  bytes: number | null;
  hits: { exact: number; semantic: number };
  misses: { exact: number; semantic: number };
  cost_saved_usd: number;
}

const KEYS = { acme: 'acme-key', globex: 'globex-key', initech: 'initech-key', admin: 'admin-key' };
const API_KEYS = `acme:${KEYS.acme},globex:${KEYS.globex},initech:${KEYS.initech}`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const ndjson = (lines: unknown[]) =>
  lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');

/** Thin HTTP helpers bound to one gateway. */
function adminClient(baseUrl: string) {
  const cacheUrl = `${baseUrl}/api/v1/cache`;
  const call = async <T>(method: string, path: string, key?: string, init: RequestInit = {}) => {
    const response = await fetch(`${cacheUrl}${path}`, {
      method,
      ...init,
      headers: { ...(key ? bearer(key) : {}), ...(init.headers as Record<string, string>) },
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: (type.startsWith('application/json') ? JSON.parse(text) : undefined) as T,
    };
  };
  return {
    query: (key: string, body: Record<string, unknown>) =>
      postJson<QueryBody>(`${baseUrl}/api/v1/query`, body, bearer(key)),
    stats: <T = TenantStats>(key?: string, params = '') => call<T>('GET', `/stats${params}`, key),
    purge: (key?: string, params = '') =>
      call<{ tenant: string; namespace: string; deleted: number }>('DELETE', params, key),
    deleteEntry: (key: string | undefined, entry: string, params = '') =>
      call<Record<string, unknown>>('DELETE', `/entries/${entry}${params}`, key),
    import: (
      key: string | undefined,
      body: string,
      params = '',
      contentType = 'application/x-ndjson',
    ) =>
      call<ImportResult>('POST', `/import${params}`, key, {
        body,
        headers: { 'content-type': contentType },
      }),
    export: async (key?: string, params = '') => {
      const response = await call<ErrorBody>('GET', `/export${params}`, key);
      const lines = response.headers.get('content-type')?.startsWith('application/x-ndjson')
        ? response.text
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as ExportLine)
        : [];
      return { ...response, lines };
    },
  };
}

describe('cache admin API (in-memory cache, API keys on)', () => {
  let providers: FakeProviders;
  let gateway: RunningGateway;
  let api: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway({ ...providers.env, API_KEYS, ADMIN_API_KEY: KEYS.admin });
    api = adminClient(gateway.url);
  });
  afterAll(async () => {
    await gateway.close();
    await providers.close();
  });
  beforeEach(() => providers.reset());

  it('wants a key on every route, keeps tenant keys to their tenant and lets the admin name one', async () => {
    const anonymous = [
      await api.stats(),
      await api.purge(),
      await api.deleteEntry(undefined, 'abc'),
      await api.import(undefined, '{"query":"q","answer":"a"}'),
      await api.export(),
    ];
    for (const response of anonymous) {
      expect(response.status).toBe(401);
      expect((response.body as unknown as ErrorBody).error.code).toBe('missing_api_key');
    }

    // The import's raised body limit is only offered to a valid key: a 5 MB body from a caller
    // without one is refused by the parser, before the body is read.
    const bulky = await api.import(
      'not-a-key',
      `${'{"query":"q","answer":"a"}\n'.repeat(200_000)}`,
    );
    expect(bulky.status).toBe(401);
    expect((bulky.body as unknown as ErrorBody).error.code).toBe('invalid_api_key');

    const crossTenant = [
      await api.stats(KEYS.acme, '?tenant=globex'),
      await api.purge(KEYS.acme, '?tenant=globex'),
      await api.deleteEntry(KEYS.acme, 'abc', '?tenant=globex'),
      await api.import(KEYS.acme, '{"query":"q","answer":"a"}', '?tenant=globex'),
      await api.export(KEYS.acme, '?tenant=globex'),
    ];
    for (const response of crossTenant) {
      expect(response.status).toBe(403);
      expect((response.body as unknown as ErrorBody).error.code).toBe('forbidden');
    }
    // Naming its own tenant is fine.
    expect((await api.stats(KEYS.acme, '?tenant=acme')).status).toBe(200);

    // The admin key must say which tenant a write is for.
    const unnamed = await api.purge(KEYS.admin, '?namespace=docs');
    expect(unnamed.status).toBe(400);
    expect((unnamed.body as unknown as ErrorBody).error.code).toBe('tenant_required');
    await api.query(KEYS.globex, { query: 'Admin purges this?', namespace: 'adm' });
    const named = await api.purge(KEYS.admin, '?tenant=globex&namespace=adm');
    expect(named.status).toBe(200);
    expect(named.body).toEqual({ tenant: 'globex', namespace: 'adm', deleted: 1 });
    const again = await api.query(KEYS.globex, { query: 'Admin purges this?', namespace: 'adm' });
    expect(again.headers.get('x-cache')).toBe('MISS');
  });

  it('rejects invalid and unknown query parameters', async () => {
    const badNamespace = await api.purge(KEYS.acme, '?namespace=no%20spaces');
    expect(badNamespace.status).toBe(400);
    expect((badNamespace.body as unknown as ErrorBody).error.code).toBe('invalid_request');
    const unknown = await api.stats(KEYS.acme, '?tennant=acme');
    expect(unknown.status).toBe(400);
    expect((unknown.body as unknown as ErrorBody).error.message).toContain('tennant');
  });

  it('purges a tenant’s namespace: its next query is a MISS, other tenants and namespaces keep theirs', async () => {
    const query = 'What does the purge remove?';
    for (const key of [KEYS.acme, KEYS.globex]) {
      await api.query(key, { query, namespace: 'docs' });
      await api.query(key, { query: 'And the second?', namespace: 'docs' });
    }
    await api.query(KEYS.acme, { query });
    expect(providers.openai.calls).toBe(5);

    const purged = await api.purge(KEYS.acme, '?namespace=docs');
    expect(purged.status).toBe(200);
    expect(purged.body).toEqual({ tenant: 'acme', namespace: 'docs', deleted: 2 });

    expect((await api.query(KEYS.acme, { query, namespace: 'docs' })).headers.get('x-cache')).toBe(
      'MISS',
    );
    expect(
      (await api.query(KEYS.globex, { query, namespace: 'docs' })).headers.get('x-cache'),
    ).toBe('HIT');
    expect((await api.query(KEYS.acme, { query })).headers.get('x-cache')).toBe('HIT');
    expect(providers.openai.calls).toBe(6);
  });

  it('deletes one entry by the key the export shows; an unknown key is a 404', async () => {
    const query = 'Which entry goes?';
    await api.query(KEYS.acme, { query, namespace: 'one' });
    await api.query(KEYS.acme, { query: 'Which entry stays?', namespace: 'one' });
    const exported = await api.export(KEYS.acme, '?namespace=one');
    const entry = exported.lines.find((line) => line.answer === `answer(gpt-4o-mini): ${query}`);
    expect(entry).toBeDefined();

    const deleted = await api.deleteEntry(KEYS.acme, entry!.key, '?namespace=one');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      tenant: 'acme',
      namespace: 'one',
      key: entry!.key,
      deleted: true,
    });
    expect((await api.query(KEYS.acme, { query, namespace: 'one' })).headers.get('x-cache')).toBe(
      'MISS',
    );
    expect(
      (await api.query(KEYS.acme, { query: 'Which entry stays?', namespace: 'one' })).headers.get(
        'x-cache',
      ),
    ).toBe('HIT');

    // Another tenant cannot delete it even with the right key: it looks in its own tenant.
    const other = await api.deleteEntry(KEYS.globex, entry!.key, '?namespace=one');
    expect(other.status).toBe(404);
    const unknown = await api.deleteEntry(KEYS.acme, 'A'.repeat(43), '?namespace=one');
    expect(unknown.status).toBe(404);
    expect((unknown.body as unknown as ErrorBody).error.code).toBe('not_found');
    const malformed = await api.deleteEntry(KEYS.acme, 'not%20a%20key', '?namespace=one');
    expect(malformed.status).toBe(400);
  });

  it('imports 10,000 lines (over 1 MB) with streamed progress, then serves them as exact hits', async () => {
    const count = 10_000;
    const padding = 'x'.repeat(120);
    const lines = Array.from({ length: count }, (_, i) => ({
      query: `Imported question ${i}?`,
      answer: `Imported answer ${i} ${padding}`,
    }));
    const body = ndjson(lines);
    expect(Buffer.byteLength(body)).toBeGreaterThan(1_048_576);

    const started = performance.now();
    const response = await api.import(
      KEYS.acme,
      body,
      '?stream=true&namespace=warm&semantic=false',
    );
    const seconds = (performance.now() - started) / 1000;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(seconds).toBeLessThan(20);

    const events = response.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const progress = events.filter((event) => event.done === undefined);
    const summary = events[events.length - 1];
    expect(progress.length).toBeGreaterThanOrEqual(10);
    let previous = 0;
    for (const line of progress) {
      expect(line).toEqual({
        processed: expect.any(Number),
        imported: expect.any(Number),
        failed: 0,
      });
      expect(line.processed).toBeGreaterThan(previous);
      expect(line.imported).toBe(line.processed);
      previous = line.processed as number;
    }
    expect(previous).toBe(count);
    expect(summary).toEqual({
      done: true,
      processed: count,
      imported: count,
      failed: 0,
      errors: [],
    });

    for (const i of [0, 1, 999, 4_321, 9_999]) {
      const hit = await api.query(KEYS.acme, {
        query: `Imported question ${i}?`,
        namespace: 'warm',
      });
      expect(hit.status).toBe(200);
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(hit.body).toMatchObject({
        response: lines[i].answer,
        cached: true,
        cache_type: 'exact',
        provider: 'openai',
        model: 'gpt-4o-mini',
      });
    }
    expect(providers.openai.calls).toBe(0);
    // Another tenant asking the same thing is not served the import.
    const other = await api.query(KEYS.globex, {
      query: 'Imported question 0?',
      namespace: 'warm',
    });
    expect(other.headers.get('x-cache')).toBe('MISS');
  }, 60_000);

  it('keys imported lines like queries: provider, model, system and parameters are part of the key', async () => {
    const line = {
      query: 'How do imports treat parameters?',
      answer: 'As part of the key.',
      model: 'claude-3-5-haiku-latest',
      system: 'Be brief.',
      temperature: 0.2,
      max_tokens: 64,
      namespace: 'params',
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    };
    const response = await api.import(
      KEYS.acme,
      ndjson([line]),
      '',
      'application/x-ndjson; charset=utf-8',
    );
    expect(response.body).toEqual({ imported: 1, failed: 0, errors: [] });
    const { answer, usage, ...request } = line;
    void usage;
    const hit = await api.query(KEYS.acme, request);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.body).toMatchObject({
      response: answer,
      provider: 'anthropic',
      cache_type: 'exact',
    });
    const otherTemperature = await api.query(KEYS.acme, { ...request, temperature: 0.3 });
    expect(otherTemperature.headers.get('x-cache')).toBe('MISS');
  });

  it('reports bad lines by line number and imports the good ones', async () => {
    const body = ndjson([
      { query: 'Good one?', answer: 'Yes.' },
      '{"query": "broken',
      '',
      { query: 'No answer?' },
      { query: 'Unknown model?', answer: 'a', model: 'llama-3' },
      { query: 'Typo?', answer: 'a', temprature: 0.5 },
      '[1, 2]',
      { query: '   ', answer: 'blank query' },
      { query: 'Good two?', answer: 'Also yes.', namespace: 'bad-lines' },
    ]);
    const response = await api.import(KEYS.acme, body);
    expect(response.status).toBe(200);
    expect(response.body.imported).toBe(2);
    expect(response.body.failed).toBe(6);
    expect(response.body.errors_truncated).toBeUndefined();
    expect(response.body.errors.map((error) => error.line)).toEqual([2, 4, 5, 6, 7, 8]);
    const messages = Object.fromEntries(response.body.errors.map((e) => [e.line, e.message]));
    expect(messages[2]).toBe('not valid JSON');
    expect(messages[4]).toMatch(/answer/);
    expect(messages[5]).toMatch(/Unknown model "llama-3"/);
    expect(messages[6]).toMatch(/temprature should not exist/);
    expect(messages[7]).toBe('must be a JSON object');
    expect(messages[8]).toMatch(/query must not be blank/);
    const good = await api.query(KEYS.acme, { query: 'Good two?', namespace: 'bad-lines' });
    expect(good.body.response).toBe('Also yes.');
  });

  it('caps the reported errors at 1,000', async () => {
    const body = Array.from({ length: 1_005 }, () => 'nope').join('\n');
    const response = await api.import(KEYS.acme, body);
    expect(response.body.failed).toBe(1_005);
    expect(response.body.errors).toHaveLength(1_000);
    expect(response.body.errors_truncated).toBe(true);
  });

  it('refuses bodies that are not NDJSON, empty, or over 50 MB, and big NDJSON bodies elsewhere', async () => {
    const json = await fetch(`${gateway.url}/api/v1/cache/import`, {
      method: 'POST',
      headers: { ...bearer(KEYS.acme), 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'q', answer: 'a' }),
    });
    expect(json.status).toBe(415);
    expect(((await json.json()) as ErrorBody).error.code).toBe('unsupported_media_type');

    const empty = await api.import(KEYS.acme, '\n\n');
    expect(empty.status).toBe(400);

    const huge = await api.import(KEYS.acme, 'x'.repeat(50 * 1024 * 1024 + 1));
    expect(huge.status).toBe(413);
    expect((huge.body as unknown as ErrorBody).error.code).toBe('payload_too_large');

    // Only the import takes large NDJSON bodies: other routes keep BODY_LIMIT_BYTES (1 MB).
    const elsewhere = await postJson<ErrorBody>(
      `${gateway.url}/api/v1/query`,
      'x'.repeat(2 * 1024 * 1024),
      { ...bearer(KEYS.acme), 'content-type': 'application/x-ndjson' },
    );
    expect(elsewhere.status).toBe(413);
  });

  it('exports a namespace as streamed NDJSON, for its tenant or for the admin naming it', async () => {
    const lines = [
      { query: 'Export one?', answer: 'One.', usage: { prompt_tokens: 3, completion_tokens: 2 } },
      { query: 'Export two?', answer: 'Two.', cost_usd: 0.5 },
      { query: 'Export three?', answer: 'Three.', model: 'claude-3-5-haiku-latest' },
    ];
    expect((await api.import(KEYS.globex, ndjson(lines), '?namespace=exp')).body.imported).toBe(3);

    const exported = await api.export(KEYS.globex, '?namespace=exp');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(exported.lines).toHaveLength(3);
    const byAnswer = new Map(exported.lines.map((line) => [line.answer, line]));
    expect(byAnswer.get('One.')).toEqual({
      key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      namespace: 'exp',
      provider: 'openai',
      model: 'gpt-4o-mini',
      answer: 'One.',
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      cost_usd: expect.any(Number),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(byAnswer.get('Two.')?.cost_usd).toBe(0.5);
    expect(byAnswer.get('Three.')).toMatchObject({ provider: 'anthropic', cost_usd: null });
    // No prompt in the export: it is not stored.
    expect(exported.text).not.toContain('Export one?');

    const asAdmin = await api.export(KEYS.admin, '?tenant=globex&namespace=exp');
    expect(asAdmin.lines).toHaveLength(3);
    expect((await api.export(KEYS.acme, '?namespace=exp')).lines).toHaveLength(0);
  });

  it('reports entries per tenant and the process’s hit counters', async () => {
    const before = await api.stats(KEYS.initech);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      tenant: 'initech',
      backend: 'memory',
      entries: 0,
      bytes: 0,
      hits: { exact: expect.any(Number), semantic: expect.any(Number) },
      misses: { exact: expect.any(Number), semantic: expect.any(Number) },
      cost_saved_usd: expect.any(Number),
    });

    const lines = [
      { query: 'Stats one?', answer: 'One.', cost_usd: 0.25 },
      { query: 'Stats two?', answer: 'Two.' },
      { query: 'Stats three?', answer: 'Three.', namespace: 'other' },
    ];
    await api.import(KEYS.initech, ndjson(lines));
    await api.query(KEYS.initech, { query: 'Stats one?' });
    await api.query(KEYS.initech, { query: 'Stats one?' });
    await api.query(KEYS.initech, { query: 'Not imported?' });

    const after = await api.stats(KEYS.initech);
    expect(after.body.entries).toBe(4);
    expect(after.body.bytes).toBeGreaterThan(0);
    // The counters are per process and shared by every app in it: compare deltas.
    expect(after.body.hits.exact - before.body.hits.exact).toBeGreaterThanOrEqual(2);
    expect(after.body.misses.exact - before.body.misses.exact).toBeGreaterThanOrEqual(1);
    // 'Not imported?' missed the exact layer, then the semantic layer.
    expect(after.body.misses.semantic - before.body.misses.semantic).toBeGreaterThanOrEqual(1);
    expect(after.body.cost_saved_usd - before.body.cost_saved_usd).toBeGreaterThanOrEqual(
      0.5 - 1e-9,
    );

    const overview = await api.stats<{
      backend: string;
      tenants: { tenant: string; entries: number }[];
      entries: number;
      bytes: number | null;
    }>(KEYS.admin);
    expect(overview.status).toBe(200);
    expect(overview.body.backend).toBe('memory');
    expect(overview.body.tenants).toContainEqual({ tenant: 'initech', entries: 4 });
    expect(overview.body.entries).toBe(
      overview.body.tenants.reduce((sum, tenant) => sum + tenant.entries, 0),
    );
    const one = await api.stats(KEYS.admin, '?tenant=initech');
    expect(one.body).toMatchObject({ tenant: 'initech', entries: 4 });
  });
});

describe('cache admin API with auth off', () => {
  let providers: FakeProviders;
  let gateway: RunningGateway;
  let api: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway(providers.env);
    api = adminClient(gateway.url);
  });
  afterAll(async () => {
    await gateway.close();
    await providers.close();
  });

  it('acts on the anonymous tenant, and only on it', async () => {
    await postJson(`${gateway.url}/api/v1/query`, { query: 'Anonymous?' });
    const stats = await api.stats();
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ tenant: 'anonymous', entries: 1 });
    expect((await api.stats(undefined, '?tenant=acme')).status).toBe(403);
    const purged = await api.purge();
    expect(purged.body).toEqual({ tenant: 'anonymous', namespace: 'default', deleted: 1 });
  });
});

describe('cache admin API on Redis', () => {
  const prefix = uniqueRedisPrefix('admin');
  let providers: FakeProviders;
  let gateway: RunningGateway;
  let api: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway({
      ...providers.env,
      API_KEYS,
      ADMIN_API_KEY: KEYS.admin,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
    });
    api = adminClient(gateway.url);
  });
  afterAll(async () => {
    await gateway.close();
    await providers.close();
    await cleanRedisPrefix(prefix);
  });
  beforeEach(() => providers.reset());

  it('imports, counts, exports, deletes and purges entries in Redis', async () => {
    const count = 1_200;
    const lines = Array.from({ length: count }, (_, i) => ({
      query: `Redis question ${i}?`,
      answer: `Redis answer ${i}`,
    }));
    const imported = await api.import(KEYS.acme, ndjson(lines), '?namespace=bulk');
    expect(imported.body).toEqual({ imported: count, failed: 0, errors: [] });
    await api.import(KEYS.globex, ndjson(lines.slice(0, 5)), '?namespace=bulk');

    const stats = await api.stats(KEYS.acme);
    expect(stats.body).toMatchObject({
      tenant: 'acme',
      backend: 'redis',
      entries: count,
      bytes: null,
    });
    const overview = await api.stats<{ tenants: { tenant: string; entries: number }[] }>(
      KEYS.admin,
    );
    expect(overview.body.tenants).toEqual([
      { tenant: 'acme', entries: count },
      { tenant: 'globex', entries: 5 },
    ]);

    const hit = await api.query(KEYS.acme, { query: 'Redis question 7?', namespace: 'bulk' });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.body.response).toBe('Redis answer 7');

    const exported = await api.export(KEYS.acme, '?namespace=bulk');
    expect(exported.lines).toHaveLength(count);
    const entry = exported.lines.find((line) => line.answer === 'Redis answer 7')!;
    expect((await api.deleteEntry(KEYS.acme, entry.key, '?namespace=bulk')).status).toBe(200);
    expect(
      (await api.query(KEYS.acme, { query: 'Redis question 7?', namespace: 'bulk' })).headers.get(
        'x-cache',
      ),
    ).toBe('MISS');

    const purged = await api.purge(KEYS.acme, '?namespace=bulk');
    expect(purged.body.deleted).toBe(count);
    expect((await api.stats(KEYS.globex)).body.entries).toBe(5);
  });
});

describe('cache admin API with Redis unreachable', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => gateway.close());

  it('answers 503 cache_unavailable instead of failing', async () => {
    const api = adminClient(gateway.url);
    for (const response of [
      await api.stats(),
      await api.purge(),
      await api.deleteEntry(undefined, 'A'.repeat(43)),
      await api.import(undefined, '{"query":"q","answer":"a"}'),
      await api.export(),
    ]) {
      expect(response.status).toBe(503);
      expect((response.body as unknown as ErrorBody).error.code).toBe('cache_unavailable');
    }
  });
});

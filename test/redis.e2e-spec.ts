import { RunningGateway, metricValue, postJson, startGateway, waitFor } from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';
import { REDIS_URL, cleanRedisPrefix, uniqueRedisPrefix } from './support/redis';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('POST /api/v1/query with REDIS_URL', () => {
  const prefix = uniqueRedisPrefix('e2e');
  let providers: FakeProviders;
  let env: Record<string, string>;

  beforeAll(async () => {
    providers = await startFakeProviders();
    env = { ...providers.env, REDIS_URL, REDIS_KEY_PREFIX: prefix };
  });

  afterAll(async () => {
    await providers.close();
    await cleanRedisPrefix(prefix);
  });

  beforeEach(() => providers.reset());

  it('keeps an entry across a restart of the gateway', async () => {
    const query = 'Which entries survive a restart?';
    let gateway: RunningGateway = await startGateway(env);
    const first = await postJson(`${gateway.url}/api/v1/query`, { query });
    expect(first.headers.get('x-cache')).toBe('MISS');
    await gateway.close();

    gateway = await startGateway(env);
    try {
      const after = await postJson<{ response: string; cached: boolean }>(
        `${gateway.url}/api/v1/query`,
        { query },
      );
      expect(after.headers.get('x-cache')).toBe('HIT');
      expect(after.body.response).toBe(`answer(gpt-4o-mini): ${query}`);
      expect(providers.openai.calls).toBe(1);
    } finally {
      await gateway.close();
    }
  });

  it('expires an entry after its x-cache-ttl', async () => {
    const gateway = await startGateway(env);
    try {
      const query = 'How long does this entry live?';
      const url = `${gateway.url}/api/v1/query`;
      await postJson(url, { query }, { 'x-cache-ttl': '1' });
      expect((await postJson(url, { query })).headers.get('x-cache')).toBe('HIT');
      await sleep(1_200);
      expect((await postJson(url, { query })).headers.get('x-cache')).toBe('MISS');
      expect(providers.openai.calls).toBe(2);
    } finally {
      await gateway.close();
    }
  });

  it('honours cache_ttl from the body over the default', async () => {
    const gateway = await startGateway({ ...env, CACHE_TTL_SECONDS: '3600' });
    try {
      const url = `${gateway.url}/api/v1/query`;
      await postJson(url, { query: 'Short-lived body TTL?', cache_ttl: 1 });
      await sleep(1_200);
      expect((await postJson(url, { query: 'Short-lived body TTL?' })).headers.get('x-cache')).toBe(
        'MISS',
      );
    } finally {
      await gateway.close();
    }
  });

  it('answers from the provider and logs the degradation when Redis is unreachable', async () => {
    const gateway = await startGateway({
      ...env,
      REDIS_URL: 'redis://127.0.0.1:1',
      SEMANTIC_CACHE: 'false',
    });
    try {
      const url = `${gateway.url}/api/v1/query`;
      const first = await postJson(url, { query: 'Is Redis there?' });
      const second = await postJson(url, { query: 'Is Redis there?' });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get('x-cache')).toBe('MISS');
      expect(providers.openai.calls).toBe(2);
      const warnings = gateway.logs.filter((line) => line.level === 40);
      expect(warnings).toContainEqual(
        expect.objectContaining({ msg: expect.stringContaining('Redis unavailable') }),
      );
    } finally {
      await gateway.close();
    }
  });

  it('keeps answering stored questions from the semantic index while Redis is unreachable', async () => {
    const gateway = await startGateway({ ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const url = `${gateway.url}/api/v1/query`;
      const first = await postJson(url, { query: 'Is Redis there at all?' });
      expect(first.headers.get('x-cache')).toBe('MISS');
      await waitFor(async () => (await metricValue(gateway.url, 'ragcache_semantic_entries')) > 0);
      const second = await postJson(url, { query: 'Is Redis there at all?' });
      expect(second.headers.get('x-cache')).toBe('SEMANTIC');
      expect(second.body).toMatchObject({ response: first.body.response, cache_type: 'semantic' });
      expect(providers.openai.calls).toBe(1);
    } finally {
      await gateway.close();
    }
  });
});

import { createHash } from 'node:crypto';
import { RunningGateway, metricValue, postJson, startGateway, ErrorBody } from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';
import { REDIS_URL, cleanRedisPrefix, uniqueRedisPrefix } from './support/redis';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const KEYS = {
  acme: 'acme-secret-key',
  acmeSecond: 'acme-second-key',
  globex: 'globex-secret-key',
};
const API_KEYS = `acme:${KEYS.acme},acme:sha256:${sha256(KEYS.acmeSecond)},globex:sha256:${sha256(KEYS.globex)}`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys and tenants', () => {
  let providers: FakeProviders;
  let gateway: RunningGateway;
  let url: string;

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway({ ...providers.env, API_KEYS, ADMIN_API_KEY: 'the-admin-key' });
    url = `${gateway.url}/api/v1/query`;
  });
  afterAll(async () => {
    await gateway.close();
    await providers.close();
  });
  beforeEach(() => providers.reset());

  it('answers 401 with the envelope without a key or with a wrong one', async () => {
    const missing = await postJson<ErrorBody>(url, { query: 'Who am I?' });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('missing_api_key');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    for (const headers of [
      bearer('wrong-key'),
      { 'x-api-key': 'wrong-key' },
      { authorization: 'Basic abc' },
    ]) {
      const wrong = await postJson<ErrorBody>(url, { query: 'Who am I?' }, headers);
      expect(wrong.status).toBe(401);
      expect(['invalid_api_key', 'missing_api_key']).toContain(wrong.body.error.code);
      expect(JSON.stringify(wrong.body)).not.toContain('wrong-key');
    }
    expect(providers.openai.calls).toBe(0);
  });

  it('accepts a key as Bearer or x-api-key, plain or configured as a SHA-256 digest', async () => {
    expect((await postJson(url, { query: 'Bearer?' }, bearer(KEYS.acme))).status).toBe(200);
    expect((await postJson(url, { query: 'Header?' }, { 'x-api-key': KEYS.globex })).status).toBe(
      200,
    );
    expect((await postJson(url, { query: 'Digest?' }, bearer(KEYS.acmeSecond))).status).toBe(200);
  });

  it('never serves one tenant’s entry to another, and shares within a tenant', async () => {
    const query = 'What is our refund policy?';
    const first = await postJson(url, { query }, bearer(KEYS.acme));
    expect(first.headers.get('x-cache')).toBe('MISS');
    const otherTenant = await postJson(url, { query }, bearer(KEYS.globex));
    expect(otherTenant.headers.get('x-cache')).toBe('MISS');
    const sameTenantOtherKey = await postJson(url, { query }, bearer(KEYS.acmeSecond));
    expect(sameTenantOtherKey.headers.get('x-cache')).toBe('HIT');
    const sameNamespaceName = await postJson(
      url,
      { query, namespace: 'default' },
      bearer(KEYS.globex),
    );
    expect(sameNamespaceName.headers.get('x-cache')).toBe('HIT');
    expect(providers.openai.calls).toBe(2);
  });

  it('keeps probes and metrics open', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    // The body is read: an unread 30 KB metrics page would keep the connection busy at close.
    const metrics = await fetch(`${gateway.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('ragcache_');
  });
});

describe('rate limits', () => {
  let providers: FakeProviders;
  const prefix = uniqueRedisPrefix('ratelimit');

  beforeAll(async () => {
    providers = await startFakeProviders();
  });
  afterAll(async () => {
    await providers.close();
    await cleanRedisPrefix(prefix);
  });

  async function burst(url: string, count: number, key: string) {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      statuses.push((await postJson(url, { query: `Question ${i}` }, bearer(key))).status);
    }
    return statuses;
  }

  it('refuses the 41st request of a key within a minute with 429 and Retry-After; other keys go on', async () => {
    const gateway = await startGateway({ ...providers.env, API_KEYS, RATE_LIMIT_RPM: '40' });
    const url = `${gateway.url}/api/v1/query`;
    try {
      const first = await postJson(url, { query: 'Counted?' }, bearer(KEYS.acme));
      expect(first.headers.get('x-ratelimit-limit')).toBe('40');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('39');
      expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      expect(await burst(url, 39, KEYS.acme)).toEqual(Array(39).fill(200));
      const limited = await postJson<ErrorBody>(url, { query: 'One more?' }, bearer(KEYS.acme));
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect((await postJson(url, { query: 'Me?' }, bearer(KEYS.globex))).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('shares one budget between two gateways on the same Redis', async () => {
    const env = {
      ...providers.env,
      API_KEYS,
      RATE_LIMIT_RPM: '40',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
    };
    const [one, two] = await Promise.all([startGateway(env), startGateway(env)]);
    try {
      expect(await burst(`${one.url}/api/v1/query`, 20, KEYS.globex)).toEqual(Array(20).fill(200));
      expect(await burst(`${two.url}/api/v1/query`, 20, KEYS.globex)).toEqual(Array(20).fill(200));
      expect(
        (await postJson(`${one.url}/api/v1/query`, { query: 'x' }, bearer(KEYS.globex))).status,
      ).toBe(429);
      expect(
        (await postJson(`${two.url}/api/v1/query`, { query: 'x' }, bearer(KEYS.globex))).status,
      ).toBe(429);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('fails open when Redis is down, and counts it', async () => {
    const gateway = await startGateway({
      ...providers.env,
      API_KEYS,
      RATE_LIMIT_RPM: '1',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    try {
      const before = await metricValue(gateway.url, 'ragcache_rate_limit_fail_open_total');
      expect(await burst(`${gateway.url}/api/v1/query`, 3, KEYS.acme)).toEqual([200, 200, 200]);
      const after = await metricValue(gateway.url, 'ragcache_rate_limit_fail_open_total');
      expect(after - before).toBe(3);
    } finally {
      await gateway.close();
    }
  });
});

import {
  ErrorBody,
  RunningGateway,
  metricValue,
  postJson,
  startGateway,
  waitFor,
} from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';
import { REDIS_URL, cleanRedisPrefix, uniqueRedisPrefix } from './support/redis';

interface Readiness {
  status: string;
  details: Record<string, { status: string }>;
}

describe('health probes', () => {
  let providers: FakeProviders;
  const prefix = uniqueRedisPrefix('health');

  beforeAll(async () => {
    providers = await startFakeProviders();
  });
  afterAll(async () => {
    await providers.close();
    await cleanRedisPrefix(prefix);
  });

  it('is ready with Redis up and a provider configured', async () => {
    const gateway = await startGateway({ ...providers.env, REDIS_URL, REDIS_KEY_PREFIX: prefix });
    try {
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as Readiness;
      expect(body.status).toBe('ok');
      expect(body.details.redis.status).toBe('up');
      expect(body.details.providers.status).toBe('up');
    } finally {
      await gateway.close();
    }
  });

  it('is not ready with REDIS_URL pointing at nothing, while queries are still answered', async () => {
    const gateway = await startGateway({ ...providers.env, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as Readiness;
      expect(body.details.redis.status).toBe('down');
      expect(body.details.providers.status).toBe('up');
      expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
      const answered = await postJson(`${gateway.url}/api/v1/query`, { query: 'Still there?' });
      expect(answered.status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('is not ready without any provider configured', async () => {
    const gateway = await startGateway();
    try {
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as Readiness).details.providers.status).toBe('down');
    } finally {
      await gateway.close();
    }
  });
});

describe('GET /metrics', () => {
  let providers: FakeProviders;
  let gateway: RunningGateway;

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway(providers.env);
  });
  afterAll(async () => {
    await gateway.close();
    await providers.close();
  });

  it('exposes the named series, and they move as requests are served', async () => {
    const value = (name: string, labels = '') => metricValue(gateway.url, name, labels);
    const before = {
      hits: await value('ragcache_cache_lookups_total', 'layer="exact",result="hit"'),
      misses: await value('ragcache_cache_lookups_total', 'layer="exact",result="miss"'),
      semanticMisses: await value('ragcache_cache_lookups_total', 'layer="semantic",result="miss"'),
      calls: await value('ragcache_llm_requests_total', 'status="ok"'),
      tokens: await value('ragcache_llm_tokens_total'),
      cost: await value('ragcache_llm_cost_usd_total'),
      saved: await value('ragcache_cost_saved_usd_total'),
      requests: await value(
        'ragcache_http_request_duration_seconds_count',
        'route="/api/v1/query"',
      ),
    };
    const query = { query: 'How many moons does Mars have?', model: 'gpt-4o' };
    await postJson(`${gateway.url}/api/v1/query`, query);
    await postJson(`${gateway.url}/api/v1/query`, query);
    expect(await value('ragcache_cache_lookups_total', 'layer="exact",result="hit"')).toBe(
      before.hits + 1,
    );
    expect(await value('ragcache_cache_lookups_total', 'layer="exact",result="miss"')).toBe(
      before.misses + 1,
    );
    // The exact miss went on to the semantic layer, which had nothing in that scope.
    expect(await value('ragcache_cache_lookups_total', 'layer="semantic",result="miss"')).toBe(
      before.semanticMisses + 1,
    );
    expect(await value('ragcache_llm_requests_total', 'status="ok"')).toBe(before.calls + 1);
    expect(await value('ragcache_llm_tokens_total')).toBeGreaterThan(before.tokens);
    expect(await value('ragcache_llm_cost_usd_total')).toBeGreaterThan(before.cost);
    expect(await value('ragcache_cost_saved_usd_total')).toBeGreaterThan(before.saved);
    expect(
      await value('ragcache_http_request_duration_seconds_count', 'route="/api/v1/query"'),
    ).toBe(before.requests + 2);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/^ragcache_exact_cache_entries \d+/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toContain('ragcache_http_request_duration_seconds_bucket{');
  });

  it('can require a key', async () => {
    const locked = await startGateway({ ...providers.env, METRICS_API_KEY: 'scraper-key' });
    try {
      expect((await fetch(`${locked.url}/metrics`)).status).toBe(401);
      const allowed = await fetch(`${locked.url}/metrics`, {
        headers: { authorization: 'Bearer scraper-key' },
      });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('ragcache_');
    } finally {
      await locked.close();
    }
  });
});

describe('request ids, server timing and the duration histogram', () => {
  let providers: FakeProviders;
  let gateway: RunningGateway;
  const key = { authorization: 'Bearer interceptor-key' };

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway({ ...providers.env, API_KEYS: 'acme:interceptor-key' });
  });
  afterAll(async () => {
    await gateway.close();
    await providers.close();
  });

  const counted = (labels: string) =>
    metricValue(gateway.url, 'ragcache_http_request_duration_seconds_count', labels);

  it('puts x-request-id and server-timing on an answer, and counts it once', async () => {
    const query = { query: 'How long is a light year?' };
    await postJson(`${gateway.url}/api/v1/query`, query, key);
    const labels = 'route="/api/v1/query",status="200",cache="HIT"';
    const before = await counted(labels);
    const response = await postJson(`${gateway.url}/api/v1/query`, query, key);
    expect(response.headers.get('x-cache')).toBe('HIT');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('server-timing')).toMatch(/^app;dur=\d+\.\d{2}$/);
    expect(await counted(labels)).toBe(before + 1);
  });

  it('tags a streamed answer with its id and counts it once, when it has ended', async () => {
    const labels = 'route="/v1/chat/completions",status="200",cache="MISS"';
    const before = await counted(labels);
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...key },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Stream me a haiku' }],
      }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.has('server-timing')).toBe(false);
    expect(await response.text()).toContain('data: [DONE]');
    await waitFor(async () => (await counted(labels)) > before);
    // Once: RequestAccounting leaves the requests the interceptor timed alone.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await counted(labels)).toBe(before + 1);
    const requestId = response.headers.get('x-request-id');
    expect(gateway.logs.find((line) => line.request_id === requestId)).toMatchObject({
      status: 200,
      cache: 'MISS',
      route: '/v1/chat/completions',
    });
  });

  it.each([
    ['a handler refusing the body', '/api/v1/query', key, '{"query": 42}', 400, true],
    ['the API-key guard', '/api/v1/query', {}, '{"query": "Hi"}', 401, false],
    ['the JSON body parser', '/api/v1/query', key, '{"query": ', 400, false],
    ['the router', '/api/v1/nowhere', key, '{}', 404, false],
  ])(
    'counts, logs and tags with its id a request turned away by %s',
    async (_by, path, headers, body, status, seenByInterceptors) => {
      const route = path === '/api/v1/query' ? path : 'unmatched';
      const labels = `route="${route}",status="${status}",cache="NONE"`;
      const before = await counted(labels);
      const requestId = `turned-away-${status}-${Math.random().toString(36).slice(2)}`;
      const response = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
        body,
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('x-request-id')).toBe(requestId);
      expect(((await response.json()) as ErrorBody).error.request_id).toBe(requestId);
      // Only what reached the interceptors was timed by them.
      expect(response.headers.has('server-timing')).toBe(seenByInterceptors);
      expect(await counted(labels)).toBe(before + 1);
      expect(gateway.logs.find((line) => line.request_id === requestId)).toMatchObject({
        status,
        url: path,
      });
    },
  );
});

describe('request logs', () => {
  let providers: FakeProviders;

  beforeAll(async () => {
    providers = await startFakeProviders();
  });
  afterAll(() => providers.close());

  it('write one JSON line per request with its id, and neither prompt, answer nor key', async () => {
    const gateway = await startGateway({ ...providers.env, API_KEYS: 'acme:very-secret-key-123' });
    try {
      const prompt = 'My confidential merger plan with Initech';
      const response = await postJson(
        `${gateway.url}/api/v1/query`,
        { query: prompt },
        { authorization: 'Bearer very-secret-key-123', 'x-request-id': 'trace-42' },
      );
      expect(response.headers.get('x-request-id')).toBe('trace-42');
      await postJson(
        `${gateway.url}/api/v1/query`,
        { query: prompt },
        { 'x-api-key': 'wrong-key-456' },
      );
      const line = gateway.logs.find((entry) => entry.request_id === 'trace-42');
      expect(line).toMatchObject({
        msg: 'request completed',
        method: 'POST',
        url: '/api/v1/query',
        route: '/api/v1/query',
        status: 200,
        tenant: 'acme',
        cache: 'MISS',
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens: expect.any(Number),
        latency_ms: expect.any(Number),
      });
      const rejected = gateway.logs.find((entry) => entry.status === 401);
      expect(rejected).toMatchObject({ level: 40, url: '/api/v1/query' });
      const text = gateway.logText();
      for (const secret of [prompt, 'Initech', 'very-secret-key-123', 'wrong-key-456', 'answer(']) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await gateway.close();
    }
  });

  it('add the prompt and the answer with LOG_PROMPTS=true', async () => {
    const gateway = await startGateway({ ...providers.env, LOG_PROMPTS: 'true' });
    try {
      await postJson(
        `${gateway.url}/api/v1/query`,
        { query: 'Log me, please' },
        { 'x-request-id': 'trace-43' },
      );
      expect(gateway.logs.find((entry) => entry.request_id === 'trace-43')).toMatchObject({
        prompt: 'Log me, please',
        answer: 'answer(gpt-4o-mini): Log me, please',
      });
    } finally {
      await gateway.close();
    }
  });
});

describe('HTTP details', () => {
  let providers: FakeProviders;

  beforeAll(async () => {
    providers = await startFakeProviders();
  });
  afterAll(() => providers.close());

  it('compresses large JSON answers and leaves small ones alone', async () => {
    const gateway = await startGateway(providers.env);
    try {
      const url = `${gateway.url}/api/v1/query`;
      const large = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
        body: JSON.stringify({ query: `Summarise: ${'lorem ipsum '.repeat(400)}` }),
      });
      expect(large.headers.get('content-encoding')).toBe('gzip');
      expect(((await large.json()) as { response: string }).response).toContain('lorem ipsum');
      const small = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
        body: JSON.stringify({ query: 'Short?' }),
      });
      expect(small.headers.get('content-encoding')).toBeNull();
    } finally {
      await gateway.close();
    }
  });

  it('answers CORS preflights only for the configured origins', async () => {
    const open = await startGateway(providers.env);
    const withCors = await startGateway({ ...providers.env, CORS_ORIGINS: 'https://app.example' });
    try {
      const preflight = (url: string) =>
        fetch(`${url}/api/v1/query`, {
          method: 'OPTIONS',
          headers: {
            origin: 'https://app.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      const allowed = await preflight(withCors.url);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect((await preflight(open.url)).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await Promise.all([open.close(), withCors.close()]);
    }
  });
});

import {
  RunningGateway,
  metricValue,
  postJson,
  startGateway,
  ErrorBody,
  QueryBody,
} from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';

describe('POST /api/v1/query (in-memory cache)', () => {
  let providers: FakeProviders;
  let gateway: RunningGateway;
  let queryUrl: string;
  let questionCounter = 0;
  const uniqueQuestion = () => `What is question number ${++questionCounter}?`;

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway({ ...providers.env, LLM_TIMEOUT_MS: '400' });
    queryUrl = `${gateway.url}/api/v1/query`;
  });

  afterAll(async () => {
    await gateway.close();
    await providers.close();
  });

  beforeEach(() => providers.reset());

  it('answers a first query from the provider, then the same query from the cache', async () => {
    const query = uniqueQuestion();
    const first = await postJson<QueryBody>(queryUrl, { query });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.body).toMatchObject({
      response: `answer(gpt-4o-mini): ${query}`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      cached: false,
      cache_type: null,
    });
    expect(first.body.usage.total_tokens).toBe(
      first.body.usage.prompt_tokens + first.body.usage.completion_tokens,
    );
    expect(first.body.cost_usd).toBeGreaterThan(0);
    expect(first.body.request_id).toBe(first.headers.get('x-request-id'));
    expect(providers.openai.calls).toBe(1);

    const second = await postJson<QueryBody>(queryUrl, { query: `  ${query}  ` });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.body).toMatchObject({
      response: first.body.response,
      cached: true,
      cache_type: 'exact',
      cost_usd: 0,
      usage: first.body.usage,
    });
    expect(providers.openai.calls).toBe(1);
  });

  it.each([
    ['system prompt', { system: 'Answer in French.' }],
    ['model', { model: 'gpt-4o' }],
    ['temperature', { temperature: 1.3 }],
    ['max_tokens', { max_tokens: 64 }],
    ['namespace', { namespace: 'billing' }],
  ])('misses when only the %s differs', async (_name, change) => {
    const query = uniqueQuestion();
    await postJson(queryUrl, { query, temperature: 0.2 });
    const other = await postJson<QueryBody>(queryUrl, { query, temperature: 0.2, ...change });
    expect(other.status).toBe(200);
    expect(other.headers.get('x-cache')).toBe('MISS');
    expect(providers.openai.calls).toBe(2);
  });

  it('routes claude-* models to Anthropic and caches them separately', async () => {
    const query = uniqueQuestion();
    const first = await postJson<QueryBody>(queryUrl, {
      query,
      model: 'claude-3-5-haiku-latest',
      system: 'Be brief.',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      provider: 'anthropic',
      response: `answer(claude-3-5-haiku-latest, Be brief.): ${query}`,
    });
    expect(providers.anthropic.calls).toBe(1);
    expect(providers.openai.calls).toBe(0);
    const again = await postJson<QueryBody>(queryUrl, {
      query,
      provider: 'anthropic',
      model: 'claude-3-5-haiku-latest',
      system: 'Be brief.',
    });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(providers.anthropic.calls).toBe(1);
  });

  it('skips the lookup but refreshes the entry with Cache-Control: no-cache', async () => {
    const query = uniqueQuestion();
    await postJson(queryUrl, { query });
    const refreshed = await postJson(queryUrl, { query }, { 'cache-control': 'no-cache' });
    expect(refreshed.headers.get('x-cache')).toBe('BYPASS');
    expect(providers.openai.calls).toBe(2);
    const hit = await postJson(queryUrl, { query });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(providers.openai.calls).toBe(2);
  });

  it('does not store with Cache-Control: no-store, nor read or write with use_cache: false', async () => {
    const query = uniqueQuestion();
    const unstored = await postJson(queryUrl, { query }, { 'cache-control': 'no-store' });
    expect(unstored.headers.get('x-cache')).toBe('MISS');
    const bypassed = await postJson(queryUrl, { query, use_cache: false });
    expect(bypassed.headers.get('x-cache')).toBe('BYPASS');
    const stillMissing = await postJson(queryUrl, { query });
    expect(stillMissing.headers.get('x-cache')).toBe('MISS');
    expect(providers.openai.calls).toBe(3);
  });

  it('makes exactly one provider call for 50 concurrent identical first requests', async () => {
    providers.openai.delayMs = 200;
    const query = uniqueQuestion();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => postJson<QueryBody>(queryUrl, { query })),
    );
    expect(providers.openai.calls).toBe(1);
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(new Set(responses.map((response) => response.body.response)).size).toBe(1);
    const paid = responses.filter((response) => (response.body.cost_usd ?? 0) > 0);
    expect(paid).toHaveLength(1);
  });

  it('echoes a caller-supplied x-request-id and replaces an unsafe one', async () => {
    const echoed = await postJson<ErrorBody>(queryUrl, {}, { 'x-request-id': 'trace-abc.123' });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(echoed.body.error.request_id).toBe('trace-abc.123');
    const replaced = await postJson(queryUrl, {}, { 'x-request-id': 'evil\tinjected value' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('bad input gets a 4xx with the error envelope', () => {
    const big = JSON.stringify({ query: 'x'.repeat(3 * 1024 * 1024) });
    it.each<[string, unknown, Record<string, string>, number, string]>([
      ['non-JSON', '{"query": ', {}, 400, 'invalid_request'],
      ['an empty body', '', {}, 400, 'invalid_request'],
      ['an empty query', { query: '' }, {}, 400, 'invalid_request'],
      ['a blank query', { query: '   ' }, {}, 400, 'invalid_request'],
      ['a missing query', { model: 'gpt-4o' }, {}, 400, 'invalid_request'],
      ['a query over 32,000 characters', { query: 'x'.repeat(32_001) }, {}, 400, 'invalid_request'],
      ['a mistyped query', { query: 42 }, {}, 400, 'invalid_request'],
      ['a mistyped temperature', { query: 'x', temperature: 'hot' }, {}, 400, 'invalid_request'],
      ['an out-of-range temperature', { query: 'x', temperature: 7 }, {}, 400, 'invalid_request'],
      ['a fractional max_tokens', { query: 'x', max_tokens: 1.5 }, {}, 400, 'invalid_request'],
      ['an unknown field', { query: 'x', temprature: 1 }, {}, 400, 'invalid_request'],
      ['a JSON array', [], {}, 400, 'invalid_request'],
      ['an unknown provider', { query: 'x', provider: 'mistral' }, {}, 400, 'unknown_provider'],
      ['an unknown model', { query: 'x', model: 'llama-3-70b' }, {}, 400, 'unknown_model'],
      [
        'a model of the other provider',
        { query: 'x', provider: 'openai', model: 'claude-3-opus' },
        {},
        400,
        'model_provider_mismatch',
      ],
      ['a bad x-cache-ttl', { query: 'x' }, { 'x-cache-ttl': '-5' }, 400, 'invalid_header'],
      [
        'a bad x-cache-namespace',
        { query: 'x' },
        { 'x-cache-namespace': 'a/b' },
        400,
        'invalid_header',
      ],
      ['a 3 MB body', big, {}, 413, 'payload_too_large'],
    ])('%s', async (_name, body, headers, status, code) => {
      const response = await postJson<ErrorBody>(queryUrl, body, headers);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toEqual(expect.any(String));
      expect(response.body.error.request_id).toBe(response.headers.get('x-request-id'));
      expect(JSON.stringify(response.body)).not.toMatch(/at \w+ \(|sk-test/);
    });

    it('a body that is not JSON at all', async () => {
      const response = await fetch(queryUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: '<query/>',
      });
      expect(response.status).toBe(415);
      expect(((await response.json()) as ErrorBody).error.code).toBe('unsupported_media_type');
    });

    it('an unknown route', async () => {
      const response = await fetch(`${gateway.url}/api/v1/nothing-here`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as ErrorBody).error.code).toBe('not_found');
    });

    afterAll(async () => {
      const alive = await postJson(queryUrl, { query: uniqueQuestion() });
      expect(alive.status).toBe(200);
    });
  });

  describe('provider failures', () => {
    it('passes a provider 429 on as 429 with Retry-After', async () => {
      providers.openai.failNext({ kind: 'status', status: 429, retryAfterSeconds: 7 });
      const response = await postJson<ErrorBody>(queryUrl, { query: uniqueQuestion() });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(response.body.error.code).toBe('upstream_rate_limited');
    });

    it('turns a provider 500 into a 502', async () => {
      providers.anthropic.failNext({ kind: 'status', status: 500 });
      const response = await postJson<ErrorBody>(queryUrl, {
        query: uniqueQuestion(),
        model: 'claude-3-5-sonnet-latest',
      });
      expect(response.status).toBe(502);
      expect(response.body.error.code).toBe('upstream_error');
    });

    it('turns a provider that never answers into a 504 after the timeout', async () => {
      providers.openai.failNext({ kind: 'hang' });
      const response = await postJson<ErrorBody>(queryUrl, { query: uniqueQuestion() });
      expect(response.status).toBe(504);
      expect(response.body.error.code).toBe('upstream_timeout');
    });

    it('turns a rejected gateway key into a 502 without the provider details', async () => {
      providers.openai.failNext({
        kind: 'status',
        status: 401,
        message: 'Incorrect API key sk-test',
      });
      const response = await postJson<ErrorBody>(queryUrl, { query: uniqueQuestion() });
      expect(response.status).toBe(502);
      expect(response.body.error.code).toBe('upstream_auth_failed');
      expect(response.body.error.message).not.toContain('sk-test');
    });

    it('does not cache a failed call', async () => {
      const query = uniqueQuestion();
      providers.openai.failNext({ kind: 'status', status: 500 });
      expect((await postJson(queryUrl, { query })).status).toBe(502);
      const retried = await postJson(queryUrl, { query });
      expect(retried.status).toBe(200);
      expect(retried.headers.get('x-cache')).toBe('MISS');
    });
  });
});

describe('POST /api/v1/query when a provider keeps failing', () => {
  it('opens the circuit: fast 503 without a provider call, while cached answers are still served', async () => {
    const providers = await startFakeProviders();
    const gateway = await startGateway({
      ...providers.env,
      LLM_CIRCUIT_FAILURES: '2',
      LLM_CIRCUIT_OPEN_SECONDS: '60',
    });
    const url = `${gateway.url}/api/v1/query`;
    try {
      expect((await postJson(url, { query: 'Cached before the outage?' })).status).toBe(200);
      providers.openai.failNext({ kind: 'status', status: 500 }, 2);
      expect((await postJson(url, { query: 'First failure?' })).status).toBe(502);
      expect((await postJson(url, { query: 'Second failure?' })).status).toBe(502);
      const callsBefore = providers.openai.calls;
      const refused = await postJson<ErrorBody>(url, { query: 'Anyone home?' });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('provider_unavailable');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(providers.openai.calls).toBe(callsBefore);
      const cached = await postJson(url, { query: 'Cached before the outage?' });
      expect(cached.headers.get('x-cache')).toBe('HIT');
      const claude = await postJson(url, { query: 'Other provider?', model: 'claude-haiku-4-5' });
      expect(claude.status).toBe(200);
      expect(
        await metricValue(gateway.url, 'ragcache_llm_circuit_state', 'provider="openai"'),
      ).toBe(2);
    } finally {
      await gateway.close();
      await providers.close();
    }
  });
});

describe('POST /api/v1/query without provider keys', () => {
  it('starts and refuses calls to an unconfigured provider with 503', async () => {
    const gateway = await startGateway();
    try {
      const response = await postJson<ErrorBody>(`${gateway.url}/api/v1/query`, {
        query: 'Hello?',
      });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('provider_not_configured');
    } finally {
      await gateway.close();
    }
  });
});

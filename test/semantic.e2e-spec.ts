import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  metricValue,
  postJson,
  QueryBody,
  RunningGateway,
  startGateway,
  waitFor,
} from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';

const STORED = 'How do I reset my password?';
const PARAPHRASE = 'How can I reset my password?';

describe('semantic cache through POST /api/v1/query', () => {
  let providers: FakeProviders;
  let gateway: RunningGateway;
  let dataDir: string;
  const env = () => ({
    ...providers.env,
    DATA_DIR: dataDir,
    API_KEYS: 'acme:key-acme,globex:key-globex',
  });
  const ask = (
    body: Record<string, unknown>,
    key = 'key-acme',
    headers: Record<string, string> = {},
  ) =>
    postJson<QueryBody & { similarity?: number; match_score?: number }>(
      `${gateway.url}/api/v1/query`,
      body,
      { authorization: `Bearer ${key}`, ...headers },
    );

  beforeAll(async () => {
    providers = await startFakeProviders();
    dataDir = mkdtempSync(join(tmpdir(), 'ragcache-semantic-'));
    gateway = await startGateway(env());
  });

  afterAll(async () => {
    await gateway.close();
    await providers.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => providers.reset());

  /** The semantic entry is written after the response: wait until the index holds one more. */
  async function storeAndSettle(body: Record<string, unknown>, key?: string): Promise<void> {
    const entries = () => metricValue(gateway.url, 'ragcache_semantic_entries');
    const before = await entries();
    const first = await ask(body, key);
    expect(first.headers.get('x-cache')).toBe('MISS');
    await waitFor(async () => (await entries()) > before);
  }

  it('serves a paraphrase in the same scope from the semantic cache, without a provider call', async () => {
    await storeAndSettle({ query: STORED });
    const calls = providers.openai.calls;
    const hit = await ask({ query: PARAPHRASE });
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-cache')).toBe('SEMANTIC');
    expect(Number(hit.headers.get('x-cache-similarity'))).toBeGreaterThan(0.5);
    expect(hit.body).toMatchObject({
      response: `answer(gpt-4o-mini): ${STORED}`,
      cached: true,
      cache_type: 'semantic',
      cost_usd: 0,
    });
    expect(hit.body.similarity).toBeCloseTo(Number(hit.headers.get('x-cache-similarity')), 3);
    expect(hit.body.match_score).toBeGreaterThan(0);
    expect(providers.openai.calls).toBe(calls);
  });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['another tenant', { query: PARAPHRASE }, 'key-globex'],
    ['another model', { query: PARAPHRASE, model: 'gpt-4o' }, undefined],
    ['another system prompt', { query: PARAPHRASE, system: 'Answer in French.' }, undefined],
    ['another namespace', { query: PARAPHRASE, namespace: 'support' }, undefined],
  ])('misses the same paraphrase from %s', async (_name, body, key) => {
    const response = await ask(body, key);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('MISS');
    expect(response.headers.get('x-cache-similarity')).toBeNull();
  });

  it.each([
    ['a different number', 'Convert 10 USD to EUR', 'Convert 20 USD to EUR'],
    ['the other direction', 'Convert 10 USD to EUR', 'Convert 10 EUR to USD'],
    ['another named entity', 'What is the capital of France?', 'What is the capital of Spain?'],
    [
      'a negation',
      'Is it safe to drink tap water in Berlin?',
      'Is it not safe to drink tap water in Berlin?',
    ],
    [
      'another output language',
      'Summarise this article in English',
      'Summarise this article in German',
    ],
  ])('does not serve a look-alike with %s', async (name, stored, lookalike) => {
    const namespace = name.replace(/\W+/g, '-');
    await storeAndSettle({ query: stored, namespace });
    const response = await ask({ query: lookalike, namespace });
    expect(response.headers.get('x-cache')).toBe('MISS');
    expect(response.body.response).toBe(`answer(gpt-4o-mini): ${lookalike}`);
  });

  it('applies a per-request threshold: 1 turns semantic hits off', async () => {
    const strict = await ask({ query: 'How could I reset my password?', semantic_threshold: 1 });
    expect(strict.headers.get('x-cache')).toBe('MISS');
    const header = await ask({ query: 'How should I reset my password?' }, undefined, {
      'x-cache-threshold': '1',
    });
    expect(header.headers.get('x-cache')).toBe('MISS');
  });

  it('rejects a threshold outside 0..1 with the error envelope', async () => {
    const bad = await ask({ query: PARAPHRASE }, undefined, { 'x-cache-threshold': '1.5' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_header' } });
    const body = await ask({ query: PARAPHRASE, semantic_threshold: 'high' });
    expect(body.status).toBe(400);
  });

  it('still serves the paraphrase after a restart', async () => {
    await storeAndSettle({
      query: 'What is the best way to learn TypeScript?',
      namespace: 'restart',
    });
    await gateway.close();
    gateway = await startGateway(env());
    const calls = providers.openai.calls;
    const hit = await ask({
      query: 'What is the best way to learn Typescript?',
      namespace: 'restart',
    });
    expect(hit.headers.get('x-cache')).toBe('SEMANTIC');
    expect(providers.openai.calls).toBe(calls);
  });
});

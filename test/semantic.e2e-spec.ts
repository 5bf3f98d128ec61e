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
    ADMIN_API_KEY: 'key-admin',
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

  it('reports the embedder, the verifier and the store as ready', async () => {
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { info: Record<string, Record<string, string>> };
    expect(body.info.semantic).toMatchObject({
      status: 'up',
      model: 'use-lite-v1',
      verifier: expect.stringMatching(/pair-verifier/),
      store: 'usearch',
    });
  });

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

  it('serves neither of two stored requests on unrelated subjects to a look-alike of the other', async () => {
    // The verifier once gave these unrelated pairs 0.99 and served the other's answer.
    const namespace = 'unrelated';
    await storeAndSettle({ query: 'Give me examples of uncountable nouns', namespace });
    await storeAndSettle({ query: 'Explain recursion in exactly 200 words', namespace });
    for (const lookalike of [
      'Give me examples of countable nouns',
      'Explain recursion in exactly 50 words',
    ]) {
      const response = await ask({ query: lookalike, namespace });
      expect(response.headers.get('x-cache')).toBe('MISS');
      expect(response.body.response).toBe(`answer(gpt-4o-mini): ${lookalike}`);
    }
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

  it('puts an entry the exact cache lost back into it when the same question comes again', async () => {
    const question = { query: 'How do I rotate my API keys?', namespace: 'restore' };
    await storeAndSettle(question);
    // The in-memory exact cache starts empty again; the index on disk kept the entry.
    await gateway.close();
    gateway = await startGateway(env());
    const calls = providers.openai.calls;
    const fromIndex = await ask(question);
    expect(fromIndex.headers.get('x-cache')).toBe('SEMANTIC');
    expect(fromIndex.headers.get('x-cache-similarity')).toBe('1.0000');
    await waitFor(async () => (await ask(question)).headers.get('x-cache') === 'HIT');
    expect(providers.openai.calls).toBe(calls);
  });

  it('stops serving an entry to a query reported as a wrong hit, and counts the report', async () => {
    await storeAndSettle({ query: 'How do I export my contacts?', namespace: 'feedback' });
    const wrong = await ask({ query: 'How can I export my contacts?', namespace: 'feedback' });
    expect(wrong.headers.get('x-cache')).toBe('SEMANTIC');
    const reports = () => metricValue(gateway.url, 'ragcache_semantic_wrong_hits_total');
    const before = await reports();

    const feedback = (requestId: string, key = 'key-acme') =>
      postJson(
        `${gateway.url}/api/v1/cache/feedback`,
        { request_id: requestId },
        {
          authorization: `Bearer ${key}`,
        },
      );
    // Another tenant cannot report (or learn about) acme's request.
    expect((await feedback(wrong.body.request_id, 'key-globex')).status).toBe(404);
    const accepted = await feedback(wrong.body.request_id);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ request_id: wrong.body.request_id, recorded: true });
    expect(await reports()).toBe(before + 1);

    const again = await ask({ query: 'How can I export my contacts?', namespace: 'feedback' });
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect((await feedback('never-served')).status).toBe(404);
    const invalid = await feedback('not a request id!');
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('snapshots and restores the semantic index while serving, with the admin key only', async () => {
    const admin = { authorization: 'Bearer key-admin' };
    const snapshots = `${gateway.url}/api/v1/cache/semantic/snapshots`;
    expect((await postJson(snapshots, {}, { authorization: 'Bearer key-acme' })).status).toBe(403);

    await storeAndSettle({ query: 'How do I rename my playlist?', namespace: 'backup' });
    const taken = await postJson<{ name: string; created_at: string }>(snapshots, {}, admin);
    expect(taken.status).toBe(201);
    expect(taken.body.name).toMatch(/^[A-Za-z0-9._-]+$/);
    const listed = await fetch(snapshots, { headers: admin });
    expect(((await listed.json()) as { snapshots: { name: string }[] }).snapshots).toContainEqual(
      expect.objectContaining({ name: taken.body.name }),
    );

    const purge = await fetch(`${gateway.url}/api/v1/cache?namespace=backup`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer key-acme' },
    });
    expect(purge.status).toBe(200);
    await purge.arrayBuffer();
    const purged = await ask(
      { query: 'How can I rename my playlist?', namespace: 'backup', use_cache: true },
      'key-acme',
      { 'cache-control': 'no-store' },
    );
    expect(purged.headers.get('x-cache')).toBe('MISS');

    const restored = await postJson<{ restored: string; entries: number }>(
      `${snapshots}/${taken.body.name}/restore`,
      {},
      admin,
    );
    expect(restored.status).toBe(200);
    expect(restored.body.restored).toBe(taken.body.name);
    const back = await ask({ query: 'How could I rename my playlist?', namespace: 'backup' });
    expect(back.headers.get('x-cache')).toBe('SEMANTIC');
    expect(back.body.response).toBe('answer(gpt-4o-mini): How do I rename my playlist?');

    const unknown = await postJson(`${snapshots}/semantic-never-taken/restore`, {}, admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('indexes imported questions, so their paraphrases are semantic hits', async () => {
    const imported = await fetch(`${gateway.url}/api/v1/cache/import?namespace=imported`, {
      method: 'POST',
      headers: { authorization: 'Bearer key-acme', 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ query: 'How do I renew my subscription?', answer: 'Settings, then Renew.' })}\n`,
    });
    expect(imported.status).toBe(200);
    await imported.arrayBuffer();
    const hit = await ask({ query: 'How can I renew my subscription?', namespace: 'imported' });
    expect(hit.headers.get('x-cache')).toBe('SEMANTIC');
    expect(hit.body.response).toBe('Settings, then Renew.');
  });

  it('with EMBEDDING_PROVIDER=openai, embeds through the OpenAI API and serves a rewording', async () => {
    const openaiEmbedded = await startGateway({ ...providers.env, EMBEDDING_PROVIDER: 'openai' });
    try {
      const ask = (query: string) =>
        postJson<QueryBody>(
          `${openaiEmbedded.url}/api/v1/query`,
          { query },
          { 'cache-control': 'no-store' },
        );
      const entries = () => metricValue(openaiEmbedded.url, 'ragcache_semantic_entries');
      const before = await entries();
      const stored = await postJson<QueryBody>(`${openaiEmbedded.url}/api/v1/query`, {
        query: STORED,
      });
      expect(stored.headers.get('x-cache')).toBe('MISS');
      await waitFor(async () => (await entries()) > before);

      const hit = await ask(PARAPHRASE);
      expect(hit.headers.get('x-cache')).toBe('SEMANTIC');
      expect(hit.body.response).toBe(stored.body.response);
      const embedded = providers.openai.requests
        .filter((request) => request.path === '/v1/embeddings')
        .flatMap((request) => (request.body as { input: string[] }).input);
      expect(embedded).toEqual(expect.arrayContaining([STORED, PARAPHRASE]));
    } finally {
      await openaiEmbedded.close();
    }
  });
});

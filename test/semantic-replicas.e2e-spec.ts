import { FakeQdrantServer } from '../libs/testing';
import {
  metricValue,
  postJson,
  QueryBody,
  RunningGateway,
  startGateway,
  waitFor,
} from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';
import { cleanRedisPrefix, REDIS_URL, uniqueRedisPrefix } from './support/redis';

/**
 * Gateway instances sharing the real Redis and a Qdrant (the fake: no Qdrant server can run
 * here): a hit served by one instance can be reported to the next one, which has none of the
 * first one's memory, because the record of the hit is in Redis and the entry in Qdrant. They run
 * one after the other in this process: in-process gateways share Prometheus's global registry,
 * so two cannot run side by side here (the spawned-process tests in process.e2e-spec.ts do that
 * for the rate limits).
 */
describe('semantic feedback across gateway instances sharing Redis and Qdrant', () => {
  const prefix = uniqueRedisPrefix('replicas');
  let providers: FakeProviders;
  let qdrant: FakeQdrantServer;
  let env: Record<string, string>;
  let gateway: RunningGateway | undefined;

  const ask = (gateway: RunningGateway, query: string) =>
    postJson<QueryBody>(
      `${gateway.url}/api/v1/query`,
      { query, namespace: 'replicas' },
      { authorization: 'Bearer key-acme' },
    );
  const feedback = (gateway: RunningGateway, requestId: string, key: string) =>
    postJson(
      `${gateway.url}/api/v1/cache/feedback`,
      { request_id: requestId },
      { authorization: `Bearer ${key}` },
    );

  beforeAll(async () => {
    providers = await startFakeProviders();
    qdrant = await FakeQdrantServer.start();
    env = {
      ...providers.env,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      QDRANT_URL: qdrant.url,
      API_KEYS: 'acme:key-acme,globex:key-globex',
    };
  });

  afterAll(async () => {
    await gateway?.close();
    await qdrant?.close();
    await providers?.close();
    await cleanRedisPrefix(prefix);
  });

  it('takes a wrong-hit report for a hit that another gateway instance served', async () => {
    const first = (gateway = await startGateway(env));
    const stored = await ask(first, 'How do I rename a shared folder?');
    expect(stored.headers.get('x-cache')).toBe('MISS');
    await waitFor(async () => (await metricValue(first.url, 'ragcache_semantic_entries')) > 0);
    const wrong = await ask(first, 'How can I rename a shared folder?');
    expect(wrong.headers.get('x-cache')).toBe('SEMANTIC');
    await first.close();
    gateway = undefined;

    const second = (gateway = await startGateway(env));
    const calls = providers.openai.calls;
    const reports = () => metricValue(second.url, 'ragcache_semantic_wrong_hits_total');
    const before = await reports();
    // The record of the hit is in Redis, scoped to the tenant that got it.
    expect((await feedback(second, wrong.body.request_id, 'key-globex')).status).toBe(404);
    const accepted = await feedback(second, wrong.body.request_id, 'key-acme');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ request_id: wrong.body.request_id, recorded: true });
    expect(await reports()).toBe(before + 1);
    // Reported once: a second report of the same request finds nothing.
    expect((await feedback(second, wrong.body.request_id, 'key-acme')).status).toBe(404);

    const again = await ask(second, 'How can I rename a shared folder?');
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(providers.openai.calls).toBe(calls + 1);
    // Other paraphrases still hit the entry: only that question was blocked.
    const other = await ask(second, 'how do i rename a shared folder');
    expect(other.headers.get('x-cache')).not.toBe('MISS');
  });
});

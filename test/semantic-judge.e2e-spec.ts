import { FakeAnthropicServer } from '../libs/testing';
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

/**
 * The judge for the uncertain band, end to end: the gateway asks a routed model (here a fake
 * Anthropic server speaking the Messages API) about candidates the verifier scored inside
 * SEMANTIC_JUDGE_BAND, and the judge's yes or no decides. Only the mechanics can be tested here:
 * how good a real model is as a judge cannot be measured without one.
 */
describe('semantic judge through POST /api/v1/query', () => {
  let providers: FakeProviders;
  let judge: FakeAnthropicServer;
  let gateway: RunningGateway;
  let verdict = 'no';

  const ask = (query: string, headers: Record<string, string> = {}) =>
    postJson<QueryBody>(`${gateway.url}/api/v1/query`, { query }, headers);
  const judgeCalls = (labels: string) =>
    metricValue(gateway.url, 'ragcache_semantic_judge_calls_total', labels);

  beforeAll(async () => {
    providers = await startFakeProviders();
    judge = await FakeAnthropicServer.start({ reply: () => verdict });
    gateway = await startGateway({
      ...providers.env,
      ANTHROPIC_BASE_URL: judge.baseUrl,
      SEMANTIC_JUDGE_MODEL: 'claude-haiku-4-5',
      // Every candidate over the cosine floor is uncertain enough to ask, whatever the model says.
      SEMANTIC_JUDGE_BAND: '0,1',
      SEMANTIC_JUDGE_TIMEOUT_MS: '400',
    });
    const entries = () => metricValue(gateway.url, 'ragcache_semantic_entries');
    expect((await ask(STORED)).headers.get('x-cache')).toBe('MISS');
    await waitFor(async () => (await entries()) > 0);
  });

  afterAll(async () => {
    await gateway.close();
    await Promise.all([providers.close(), judge.close()]);
  });

  beforeEach(() => {
    providers.reset();
    judge.reset();
  });

  it('asks the judge about both prompts and misses when it says no', async () => {
    verdict = 'no';
    const miss = await ask('How can I reset my password?', { 'cache-control': 'no-store' });
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(miss.headers.get('x-cache-judge')).toBe('no');
    expect(judge.calls).toBe(1);
    const question = JSON.stringify(judge.requests[0].body);
    expect(question).toContain(`Stored question: ${STORED}`);
    expect(question).toContain('New question: How can I reset my password?');
    expect(providers.openai.calls).toBe(1);
  });

  it('remembers the verdict per pair: the same pair costs no second call', async () => {
    const before = await judgeCalls('verdict="no",cached="true"');
    const again = await ask('How can I reset my password?', { 'cache-control': 'no-store' });
    expect(again.headers.get('x-cache-judge')).toBe('no;cached');
    expect(judge.calls).toBe(0);
    expect(await judgeCalls('verdict="no",cached="true"')).toBe(before + 1);
  });

  it('serves the stored answer when the judge says yes', async () => {
    verdict = 'Yes.';
    const hit = await ask('What are the steps to reset my password?', {
      'cache-control': 'no-store',
    });
    expect(hit.headers.get('x-cache')).toBe('SEMANTIC');
    expect(hit.headers.get('x-cache-judge')).toBe('yes');
    expect(hit.body.response).toBe(`answer(gpt-4o-mini): ${STORED}`);
    expect(providers.openai.calls).toBe(0);
  });

  it('takes an error or a timeout of the judge as a miss', async () => {
    judge.failNext({ kind: 'status', status: 500 });
    const failed = await ask('How would I go about resetting my password?', {
      'cache-control': 'no-store',
    });
    expect(failed.headers.get('x-cache')).toBe('MISS');
    expect(failed.headers.get('x-cache-judge')).toBe('error');

    judge.failNext({ kind: 'hang' });
    const slow = await ask('Steps for a password reset?', { 'cache-control': 'no-store' });
    expect(slow.headers.get('x-cache')).toBe('MISS');
    expect(slow.headers.get('x-cache-judge')).toBe('timeout');
    expect(await judgeCalls('verdict="timeout",cached="false"')).toBeGreaterThanOrEqual(1);
  });
});

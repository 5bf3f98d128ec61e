import { ChatRequest, PricedCompletion } from '../../llm/chat.types';
import { JudgeClient, JudgeVerdict, parseVerdict, SemanticJudge } from './semantic-judge';

const completion = (content: string): PricedCompletion => ({
  content,
  model: 'gpt-4o-mini',
  finishReason: 'stop',
  usage: { promptTokens: 50, completionTokens: 1, totalTokens: 51 },
  provider: 'openai',
  costUsd: 0.0000081,
});

function judgeAnswering(answer: () => Promise<PricedCompletion>, timeoutMs = 1000) {
  const requests: ChatRequest[] = [];
  const calls: { verdict: JudgeVerdict; cached: boolean; costUsd: number | null }[] = [];
  const client: JudgeClient = {
    route: (_provider, model) => ({ provider: 'openai', model: model ?? '' }),
    complete: (request) => {
      requests.push(request);
      return answer();
    },
  };
  const judge = new SemanticJudge(
    client,
    { model: 'gpt-4o-mini', band: { low: 0.3, high: 0.7 }, timeoutMs, cacheSize: 10 },
    { judgeCall: (verdict, cached, _seconds, costUsd) => calls.push({ verdict, cached, costUsd }) },
  );
  return { judge, requests, calls };
}

describe('SemanticJudge', () => {
  it('asks the routed model a short yes/no question about both prompts', async () => {
    const { judge, requests, calls } = judgeAnswering(() => Promise.resolve(completion('Yes.')));
    await expect(judge.judge('How tall is Everest?', 'Height of Mount Everest?')).resolves.toEqual({
      verdict: 'yes',
      cached: false,
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      params: { temperature: 0, max_tokens: 3 },
    });
    expect(requests[0].messages[0].content).toContain('Stored question: How tall is Everest?');
    expect(requests[0].messages[0].content).toContain('New question: Height of Mount Everest?');
    expect(calls).toEqual([{ verdict: 'yes', cached: false, costUsd: 0.0000081 }]);
  });

  it('caches the verdict per pair, so the same pair costs one call', async () => {
    const { judge, requests, calls } = judgeAnswering(() => Promise.resolve(completion('no')));
    await judge.judge('a', 'b');
    await expect(judge.judge('a', 'b')).resolves.toEqual({ verdict: 'no', cached: true });
    await judge.judge('b', 'a');
    expect(requests).toHaveLength(2);
    expect(calls.map((call) => call.cached)).toEqual([false, true, false]);
  });

  it('turns a timeout or an error into a verdict that is not cached', async () => {
    const slow = judgeAnswering(() => new Promise(() => undefined), 50);
    await expect(slow.judge.judge('a', 'b')).resolves.toEqual({
      verdict: 'timeout',
      cached: false,
    });
    const failing = judgeAnswering(() => Promise.reject(new Error('502')));
    await expect(failing.judge.judge('a', 'b')).resolves.toEqual({
      verdict: 'error',
      cached: false,
    });
    await failing.judge.judge('a', 'b');
    expect(failing.requests).toHaveLength(2);
  });

  it('knows its band', () => {
    const { judge } = judgeAnswering(() => Promise.resolve(completion('yes')));
    expect([0.29, 0.3, 0.69, 0.7].map((score) => judge.inBand(score))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it.each([
    ['yes', 'yes'],
    ['Yes, it is.', 'yes'],
    ['  NO', 'no'],
    ['"no"', 'no'],
    ['maybe', 'error'],
    ['', 'error'],
  ])('reads %j as %s', (content, verdict) => {
    expect(parseVerdict(content)).toBe(verdict);
  });
});

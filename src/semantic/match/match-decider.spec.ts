import { MatchCandidate, MatchDecider } from './match-decider';
import { PairVerifier } from './pair-verifier.port';
import { JudgeClient, JudgeVerdict, SemanticJudge } from './semantic-judge';

/** A verifier that scores each stored text from a table, and records what it was asked. */
class TableVerifier implements PairVerifier {
  readonly modelId = 'table';
  readonly ready = true;
  readonly asked: string[][] = [];
  constructor(
    private readonly scores: Record<string, number>,
    readonly parallelism = 2,
  ) {}
  load = () => Promise.resolve();
  close = () => Promise.resolve();
  verify(_query: string, stored: readonly string[]): Promise<Float32Array> {
    this.asked.push([...stored]);
    return Promise.resolve(Float32Array.from(stored.map((text) => this.scores[text] ?? 0)));
  }
}

const candidate = (text: string, cosine = 0.9, minScore = 0): MatchCandidate => ({
  text,
  cosine,
  minScore,
});

const THRESHOLD = 0.6;

const settings = {
  cosineFloor: 0.5,
  vetoes: ['quantity', 'entity'] as const,
  sureScore: 1,
};

describe('MatchDecider', () => {
  it('serves the candidate the verifier scores highest, not the nearest vector', async () => {
    const verifier = new TableVerifier({ 'near but wrong': 0.3, 'farther but right': 0.9 });
    const decider = new MatchDecider(verifier, settings);
    const result = await decider.decide(
      'how do I reset my password',
      [candidate('near but wrong', 0.95), candidate('farther but right', 0.7)],
      THRESHOLD,
    );
    expect(result.served).toBe(1);
    expect(result.verdicts).toEqual([
      { outcome: 'below_threshold', score: expect.closeTo(0.3, 5) },
      { outcome: 'match', score: expect.closeTo(0.9, 5) },
    ]);
    expect(verifier.asked).toEqual([['near but wrong', 'farther but right']]);
  });

  it('sends candidates below the cosine floor and vetoed look-alikes to no model', async () => {
    const verifier = new TableVerifier({ 'Convert 20 USD to EUR': 1, 'far away': 1 });
    const decider = new MatchDecider(verifier, settings);
    const result = await decider.decide(
      'Convert 10 USD to EUR',
      [candidate('Convert 20 USD to EUR', 0.99), candidate('far away', 0.2)],
      THRESHOLD,
    );
    expect(result.served).toBeUndefined();
    expect(result.verdicts.map((verdict) => verdict.outcome)).toEqual(['quantity', 'below_floor']);
    expect(verifier.asked).toEqual([]);
  });

  it('leaves rules that are not vetoes to the verifier', async () => {
    const verifier = new TableVerifier({ 'Convert EUR to USD': 0.1 });
    const vetoing = new MatchDecider(verifier, { ...settings, vetoes: ['direction'] });
    const reading = new MatchDecider(verifier, settings);
    const stored = [candidate('Convert EUR to USD', 0.99)];
    expect(
      (await vetoing.decide('Convert USD to EUR', stored, THRESHOLD)).verdicts[0].outcome,
    ).toBe('direction');
    expect((await reading.decide('Convert USD to EUR', stored, THRESHOLD)).verdicts[0]).toEqual({
      outcome: 'below_threshold',
      score: expect.closeTo(0.1, 5),
    });
  });

  it('serves the same words in another case or punctuation without asking the verifier', async () => {
    const verifier = new TableVerifier({});
    const decider = new MatchDecider(verifier, settings);
    const result = await decider.decide(
      'what is the best way to learn Typescript',
      [
        candidate('Something else entirely', 0.95),
        candidate('What is the best way to learn TypeScript?', 0.97),
      ],
      THRESHOLD,
    );
    expect(result.served).toBe(1);
    expect(result.verdicts).toEqual([
      { outcome: 'not_verified', score: 0 },
      { outcome: 'match', score: 1 },
    ]);
    expect(verifier.asked).toEqual([]);
  });

  describe('reading the nearest first', () => {
    const stored = [
      candidate('third nearest', 0.7),
      candidate('nearest', 0.95),
      candidate('second nearest', 0.9),
    ];

    it('stops after the round that found a candidate it is sure of', async () => {
      const verifier = new TableVerifier({
        nearest: 0.4,
        'second nearest': 0.93,
        'third nearest': 0.99,
      });
      const decider = new MatchDecider(verifier, { ...settings, sureScore: 0.9 });
      const result = await decider.decide('a question', stored, THRESHOLD);
      expect(verifier.asked).toEqual([['nearest', 'second nearest']]);
      expect(result.served).toBe(2);
      expect(result.verdicts[0]).toEqual({ outcome: 'not_verified', score: 0 });
    });

    it('reads the next round when the first is only good enough, and serves the best', async () => {
      const verifier = new TableVerifier({
        nearest: 0.4,
        'second nearest': 0.8,
        'third nearest': 0.85,
      });
      const decider = new MatchDecider(verifier, { ...settings, sureScore: 0.9 });
      const result = await decider.decide('a question', stored, THRESHOLD);
      expect(verifier.asked).toEqual([['nearest', 'second nearest'], ['third nearest']]);
      expect(result.served).toBe(0);
    });

    it('is not sure of a score under the threshold, and with 1 reads every candidate at once', async () => {
      const scores = { nearest: 0.95, 'second nearest': 0.2, 'third nearest': 0.3 };
      const strict = new TableVerifier(scores, 1);
      await new MatchDecider(strict, { ...settings, sureScore: 0.9 }).decide(
        'a question',
        stored,
        0.97,
      );
      expect(strict.asked).toEqual([['nearest'], ['second nearest'], ['third nearest']]);
      const everyOne = new TableVerifier(scores, 1);
      await new MatchDecider(everyOne, settings).decide('a question', stored, THRESHOLD);
      expect(everyOne.asked).toEqual([['nearest', 'second nearest', 'third nearest']]);
    });
  });

  it('keeps the symbols that change a question: C# is not C++', async () => {
    const verifier = new TableVerifier({ 'Implement a stack in C#': 0.2 });
    const decider = new MatchDecider(verifier, { ...settings, vetoes: [] });
    const result = await decider.decide(
      'Implement a stack in C++',
      [candidate('Implement a stack in C#')],
      THRESHOLD,
    );
    expect(result.served).toBeUndefined();
    expect(verifier.asked).toEqual([['Implement a stack in C#']]);
  });

  it("applies the request's threshold, or the entry's own floor where feedback raised it", async () => {
    const verifier = new TableVerifier({ stored: 0.7 });
    const decider = new MatchDecider(verifier, settings);
    expect((await decider.decide('query', [candidate('stored')], 0.6)).served).toBe(0);
    expect((await decider.decide('query', [candidate('stored')], 0.8)).served).toBeUndefined();
    expect(
      (await decider.decide('query', [candidate('stored', 0.9, 0.8)], 0.6)).served,
    ).toBeUndefined();
  });

  describe('with a judge for the uncertain band', () => {
    const judgeWith = (answers: Record<string, JudgeVerdict>) => {
      const asked: string[] = [];
      const client: JudgeClient = {
        route: (_provider, model) => ({ provider: 'openai', model: model ?? 'judge' }),
        complete: (request) => {
          const text = request.messages[0].content;
          const stored = /Stored question: (.*)/.exec(text)?.[1] ?? '';
          asked.push(stored);
          const answer = answers[stored];
          if (answer === 'error') return Promise.reject(new Error('upstream down'));
          return Promise.resolve({
            content: answer,
            model: 'judge',
            finishReason: 'stop',
            usage: { promptTokens: 40, completionTokens: 1, totalTokens: 41 },
            provider: 'openai',
            costUsd: 0.00001,
          });
        },
      };
      const judge = new SemanticJudge(
        client,
        { model: 'judge', band: { low: 0.3, high: 0.8 }, timeoutMs: 1000, cacheSize: 100 },
        { judgeCall: () => undefined },
      );
      return { judge, asked };
    };

    it('lets the judge decide a candidate in the band, best first, until one is accepted', async () => {
      const { judge, asked } = judgeWith({ first: 'no', second: 'yes' });
      const decider = new MatchDecider(
        new TableVerifier({ first: 0.7, second: 0.5, third: 0.4 }),
        settings,
        judge,
      );
      const result = await decider.decide(
        'query',
        [candidate('third'), candidate('second'), candidate('first')],
        THRESHOLD,
      );
      expect(result.served).toBe(1);
      expect(asked).toEqual(['first', 'second']);
      expect(result.judge).toEqual({ verdict: 'yes', cached: false });
      expect(result.verdicts.map((verdict) => verdict.outcome)).toEqual([
        'below_threshold',
        'judge_yes',
        'judge_no',
      ]);
    });

    it('serves above the band without asking, and a judge error is a miss', async () => {
      const { judge, asked } = judgeWith({ unsure: 'error' });
      const decider = new MatchDecider(
        new TableVerifier({ sure: 0.9, unsure: 0.7 }),
        settings,
        judge,
      );
      expect((await decider.decide('query', [candidate('sure')], THRESHOLD)).served).toBe(0);
      const unsure = await decider.decide('query', [candidate('unsure')], THRESHOLD);
      expect(unsure.served).toBeUndefined();
      expect(unsure.judge).toEqual({ verdict: 'error', cached: false });
      expect(asked).toEqual(['unsure']);
    });

    it("never overrules the entry's own floor that feedback raised", async () => {
      const { judge, asked } = judgeWith({ reported: 'yes' });
      const decider = new MatchDecider(new TableVerifier({ reported: 0.5 }), settings, judge);
      const result = await decider.decide('query', [candidate('reported', 0.9, 0.55)], THRESHOLD);
      expect(result.served).toBeUndefined();
      expect(asked).toEqual([]);
    });
  });
});

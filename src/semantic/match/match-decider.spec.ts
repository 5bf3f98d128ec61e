import { AnalysedText } from './analysed-text';
import { MatchDecider } from './match-decider';
import { PairScorer } from './pair-scorer';

const decide = (
  decider: MatchDecider,
  query: string,
  stored: string,
  cosine: number,
  threshold = 0.6,
) => decider.decide(new AnalysedText(query), new AnalysedText(stored), cosine, threshold);

describe('MatchDecider with the shipped scorer', () => {
  const decider = new MatchDecider();

  it('serves a rewording that scores above the threshold', () => {
    const decision = decide(
      decider,
      'How can I reset my password?',
      'How do I reset my password?',
      0.99,
    );
    expect(decision).toMatchObject({ hit: true, outcome: 'match' });
    expect(decision.score).toBeGreaterThan(0.6);
  });

  it('refuses a look-alike whatever the cosine and the threshold, with score 0', () => {
    expect(decide(decider, 'Convert 10 EUR to USD', 'Convert 10 USD to EUR', 0.99, 0)).toEqual({
      hit: false,
      score: 0,
      outcome: 'direction',
    });
  });

  it('scores a one-word change of topic below a rewording of the same cosine', () => {
    const topic = decide(
      decider,
      'What is the best laptop for gaming?',
      'What is the best laptop for programming?',
      0.9,
    );
    const rewording = decide(
      decider,
      'Which laptop is best for gaming?',
      'What is the best laptop for gaming?',
      0.9,
    );
    expect(topic.score).toBeLessThan(rewording.score);
  });

  it('respects the threshold it is given', () => {
    const pair = ['How can I reset my password?', 'How do I reset my password?'] as const;
    expect(decide(decider, ...pair, 0.99, 1).outcome).toBe('below_threshold');
  });

  it('scores texts whose differences cancel out at least 0.99', () => {
    expect(decide(decider, "You're not fat.", "You're thin.", 0.7).score).toBeGreaterThanOrEqual(
      0.99,
    );
  });

  it('judges a candidate in well under a millisecond', () => {
    const query = new AnalysedText('How can I export my contacts to a new phone?');
    const stored = new AnalysedText('How do I move my contacts to a new phone?');
    const rounds = 2000;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) decider.decide(query, stored, 0.9, 0.6);
    expect((performance.now() - started) / rounds).toBeLessThan(1);
  });
});

describe('PairScorer', () => {
  it('refuses weights computed for other features', () => {
    expect(
      () =>
        new PairScorer({
          features: ['cosine'],
          hidden: 1,
          mean: '',
          scale: '',
          hiddenWeights: '',
          hiddenBias: '',
          outputWeights: '',
          outputBias: 0,
        }),
    ).toThrow('npm run train:scorer');
  });
});

import { AnalysedText } from './analysed-text';
import { comparePair, LookalikeReason } from './lookalike-rules';
import { pairFeatures } from './pair-features';
import { PairScorer } from './pair-scorer';
import { WordRarity } from './word-rarity';

/**
 * Texts whose every difference cancels out ("not fat" vs "thin", "unsafe" vs "not safe") mean
 * the same even when the embedder puts them apart: they score at least this.
 */
const EQUIVALENT_SCORE = 0.99;

export type MatchOutcome = 'match' | 'below_threshold' | LookalikeReason;

export interface MatchDecision {
  hit: boolean;
  /** Probability-like confidence that the stored answer is right for the query; 0 for a look-alike. */
  score: number;
  outcome: MatchOutcome;
}

/**
 * The match decision shared by the live path and `npm run eval:semantic`: a candidate found by
 * the vector search is served only if no look-alike rule fires and the pair scorer's confidence
 * reaches the threshold.
 */
export class MatchDecider {
  constructor(
    private readonly scorer: PairScorer = new PairScorer(),
    private readonly rarity: WordRarity = new WordRarity(),
  ) {}

  /** The rules' verdict and the scorer's input for a pair, for training the scorer. */
  static explain(
    query: string,
    stored: string,
    cosine: number,
    rarity: WordRarity,
  ): { lookalike: LookalikeReason | null; features: number[] } {
    const queryText = new AnalysedText(query);
    const storedText = new AnalysedText(stored);
    const comparison = comparePair(queryText, storedText);
    return {
      lookalike: comparison.lookalike,
      features: pairFeatures(queryText, storedText, cosine, comparison, rarity),
    };
  }

  decide(
    query: AnalysedText,
    stored: AnalysedText,
    cosine: number,
    threshold: number,
  ): MatchDecision {
    const comparison = comparePair(query, stored);
    if (comparison.lookalike) return { hit: false, score: 0, outcome: comparison.lookalike };
    const learned = this.scorer.score(pairFeatures(query, stored, cosine, comparison, this.rarity));
    const score = comparison.equivalent ? Math.max(learned, EQUIVALENT_SCORE) : learned;
    return score >= threshold
      ? { hit: true, score, outcome: 'match' }
      : { hit: false, score, outcome: 'below_threshold' };
  }
}

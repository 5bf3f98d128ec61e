import { AnalysedText } from './analysed-text';
import { comparePair, LookalikeReason } from './lookalike-rules';
import { pairFeatures } from './pair-features';
import { PairScorer } from './pair-scorer';

/**
 * Texts whose every difference cancels out ("not fat" vs "thin", "unsafe" vs "not safe") mean
 * the same even when the embedder puts them apart: they score at least this.
 */
const EQUIVALENT_SCORE = 0.99;

/** The two texts' vectors and the embedder that made them, when the vector store returns them. */
export interface PairVectors {
  embedder: string;
  query: Float32Array;
  stored: Float32Array;
}

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
  constructor(private readonly scorer: PairScorer = new PairScorer()) {}

  decide(
    query: AnalysedText,
    stored: AnalysedText,
    cosine: number,
    threshold: number,
    vectors?: PairVectors,
  ): MatchDecision {
    const comparison = comparePair(query, stored);
    if (comparison.lookalike) return { hit: false, score: 0, outcome: comparison.lookalike };
    const learned = this.scorer.score(pairFeatures(query, stored, cosine, comparison), vectors);
    const score = comparison.equivalent ? Math.max(learned, EQUIVALENT_SCORE) : learned;
    return score >= threshold
      ? { hit: true, score, outcome: 'match' }
      : { hit: false, score, outcome: 'below_threshold' };
  }
}

import { AnalysedText } from './analysed-text';
import { LookalikeReason, lookalikeReason } from './lookalike-rules';
import { PairVerifier } from './pair-verifier.port';
import { JudgeOutcome, SemanticJudge } from './semantic-judge';

export type MatchOutcome =
  | 'match'
  | 'below_threshold'
  | 'below_floor'
  | 'not_verified'
  | 'judge_yes'
  | 'judge_no'
  | 'judge_error'
  | LookalikeReason;

/** A stored prompt the vector search found for a query. */
export interface MatchCandidate {
  text: string;
  cosine: number;
  /**
   * The entry's own floor, raised by wrong-hit feedback: a hit needs at least this and the
   * request's threshold, and below it not even the judge is asked.
   */
  minScore: number;
}

export interface CandidateVerdict {
  outcome: MatchOutcome;
  /** The verifier's probability that the stored answer is right for the query; 0 when vetoed. */
  score: number;
}

export interface MatchResult {
  /** The candidate to serve, if any: the best-scoring one the decision accepts. */
  served: number | undefined;
  verdicts: CandidateVerdict[];
  /** What the judge said, when it was asked: about the served candidate, else the last one asked. */
  judge: JudgeOutcome | undefined;
}

export interface MatchDeciderSettings {
  /** Candidates less similar than this never reach the verifier: the cheap first cut. */
  cosineFloor: number;
  /**
   * Rules that veto whatever the verifier says (`SEMANTIC_VETOES`). By default only those that
   * are right when they fire (numbers and names that differ on both sides); the verifier reads
   * the rest better.
   */
  vetoes: readonly LookalikeReason[];
  /**
   * A verified candidate scoring at least this (and its threshold) ends the search: the
   * candidates after it are not read (`SEMANTIC_VERIFIER_SURE`; 1 reads every one).
   */
  sureScore: number;
}

const JUDGED = {
  yes: 'judge_yes',
  no: 'judge_no',
  error: 'judge_error',
  timeout: 'judge_error',
} as const satisfies Record<JudgeOutcome['verdict'], MatchOutcome>;

/**
 * The match decision shared by the live path and `npm run eval:semantic`: the vector search's
 * candidates pass a cosine floor and the veto rules, the survivors go to the pair verifier,
 * nearest first, as many at a time as it can run side by side (one model run per pair) until one
 * scores `sureScore`, and the best one whose probability reaches its threshold is served. With a judge,
 * a candidate whose probability falls in the judge's band is decided by the judge instead (best
 * first, until one is accepted), unless feedback raised the entry's own floor above its score.
 */
export class MatchDecider {
  constructor(
    private readonly verifier: PairVerifier,
    private readonly settings: MatchDeciderSettings,
    private readonly judge?: SemanticJudge,
  ) {}

  async decide(
    query: string,
    candidates: readonly MatchCandidate[],
    threshold: number,
  ): Promise<MatchResult> {
    const verdicts: CandidateVerdict[] = candidates.map(() => ({
      outcome: 'not_verified',
      score: 0,
    }));
    const survivors: number[] = [];
    const analysedQuery = new AnalysedText(query);
    const queryWords = sameWordsKey(query);
    let sameWords: number | undefined;
    candidates.forEach((candidate, index) => {
      // The same words in another case, spacing or punctuation: the same question, whatever a
      // model would say (the verifier never saw identical pairs and scores them unevenly).
      if (sameWordsKey(candidate.text) === queryWords && candidate.minScore < 1) {
        verdicts[index] = { outcome: 'match', score: 1 };
        sameWords ??= index;
        return;
      }
      if (candidate.cosine < this.settings.cosineFloor) {
        verdicts[index] = { outcome: 'below_floor', score: 0 };
        return;
      }
      const veto = lookalikeReason(analysedQuery, new AnalysedText(candidate.text));
      if (veto && this.settings.vetoes.includes(veto)) {
        verdicts[index] = { outcome: veto, score: 0 };
        return;
      }
      survivors.push(index);
    });
    if (sameWords !== undefined) return { served: sameWords, verdicts, judge: undefined };
    if (survivors.length === 0) return { served: undefined, verdicts, judge: undefined };

    const verified = await this.verifyNearestFirst(
      query,
      candidates,
      survivors,
      verdicts,
      threshold,
    );
    // Best first: with thousands of entries stored, the nearest vector is often not the right one.
    const ranked = [...verified].sort((a, b) => verdicts[b].score - verdicts[a].score);
    let judged: JudgeOutcome | undefined;
    for (const index of ranked) {
      const verdict = verdicts[index];
      if (this.judge?.inBand(verdict.score) && verdict.score >= candidates[index].minScore) {
        judged = await this.judge.judge(candidates[index].text, query);
        verdict.outcome = JUDGED[judged.verdict];
        if (judged.verdict === 'yes') return { served: index, verdicts, judge: judged };
      } else if (verdict.outcome === 'match') {
        return { served: index, verdicts, judge: judged };
      }
    }
    return { served: undefined, verdicts, judge: judged };
  }

  /**
   * Reads the survivors in rounds, nearest first, and stops after a round that found a candidate
   * it is sure of. A round is as wide as the verifier's idle workers: on a quiet gateway the
   * candidates run side by side, under load one at a time, so a lookup the nearest candidate
   * settles costs one model run. Returns the indexes it verified.
   */
  private async verifyNearestFirst(
    query: string,
    candidates: readonly MatchCandidate[],
    survivors: number[],
    verdicts: CandidateVerdict[],
    threshold: number,
  ): Promise<number[]> {
    const { sureScore } = this.settings;
    const nearest = [...survivors].sort((a, b) => candidates[b].cosine - candidates[a].cosine);
    for (let start = 0; start < nearest.length;) {
      const size = sureScore < 1 ? this.verifier.parallelism : nearest.length;
      const round = nearest.slice(start, start + size);
      start += round.length;
      const scores = await this.verifier.verify(
        query,
        round.map((index) => candidates[index].text),
      );
      let sure = false;
      round.forEach((index, i) => {
        const score = scores[i];
        const needed = Math.max(threshold, candidates[index].minScore);
        verdicts[index] = { outcome: score >= needed ? 'match' : 'below_threshold', score };
        sure ||= score >= needed && score >= sureScore;
      });
      if (sure) return nearest.slice(0, start);
    }
    return nearest;
  }
}

/**
 * Lower-case words without accents or sentence punctuation: what tells two texts apart for a
 * reader. Symbols inside words stay ("C#" is not "C++", "3.11" is not "311").
 */
function sameWordsKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[?!,;:"'`“”‘’()[\]{}…]|\.(?=\s|$)/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

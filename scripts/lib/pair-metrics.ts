/** One evaluated pair: the score a method gave it and whether serving it would be right. */
export interface ScoredPair {
  score: number;
  hit: boolean;
}

export interface ThresholdMetrics {
  threshold: number;
  hits: number;
  precision: number;
  recall: number;
  f1: number;
  /** Hits on pairs that must not hit, over all such pairs. */
  falseHitRate: number;
}

export function metricsAt(pairs: readonly ScoredPair[], threshold: number): ThresholdMetrics {
  let truePositives = 0;
  let falsePositives = 0;
  let positives = 0;
  for (const pair of pairs) {
    if (pair.hit) positives++;
    if (pair.score >= threshold) {
      if (pair.hit) truePositives++;
      else falsePositives++;
    }
  }
  const negatives = pairs.length - positives;
  const hits = truePositives + falsePositives;
  const precision = hits === 0 ? 1 : truePositives / hits;
  const recall = positives === 0 ? 0 : truePositives / positives;
  return {
    threshold,
    hits,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    falseHitRate: negatives === 0 ? 0 : falsePositives / negatives,
  };
}

/**
 * The best precision a method reaches at recall of at least `recall` (interpolated precision),
 * or undefined when no threshold reaches that recall. Compares methods whose scores live on
 * different scales, such as a cosine and a probability.
 */
export function precisionAtRecall(
  pairs: readonly ScoredPair[],
  recall: number,
): number | undefined {
  const sorted = [...pairs].sort((a, b) => b.score - a.score);
  const positives = pairs.filter((pair) => pair.hit).length;
  let truePositives = 0;
  let best: number | undefined;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].hit) truePositives++;
    // Only cut between distinct scores: a threshold cannot split a tie.
    if (i + 1 < sorted.length && sorted[i + 1].score === sorted[i].score) continue;
    if (sorted[i].score <= 0) break;
    if (truePositives / positives >= recall) {
      const precision = truePositives / (i + 1);
      best = best === undefined ? precision : Math.max(best, precision);
    }
  }
  return best;
}

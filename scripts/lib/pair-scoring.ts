import { EntryKey } from '../../libs/cache-key';
import { AnalysedText } from '../../src/semantic/match/analysed-text';
import { comparePair, PairComparison } from '../../src/semantic/match/lookalike-rules';
import { pairFeatures } from '../../src/semantic/match/pair-features';
import { UseLiteEmbedder } from '../../src/semantic/use-lite.embedder';
import { cacheFileFor, EmbeddingCache } from './embedding-cache';
import { LabelledPair } from './labelled-pairs';

export interface PairRow {
  pair: LabelledPair;
  cosine: number;
  comparison: PairComparison;
  features: number[];
  query: AnalysedText;
  stored: AnalysedText;
}

/** Loads the default embedder and the on-disk vectors of earlier runs. */
export async function openEmbeddings(): Promise<EmbeddingCache> {
  const embedder = new UseLiteEmbedder();
  await embedder.load();
  return new EmbeddingCache(embedder, cacheFileFor(embedder.modelId));
}

/** Embeds every text of the pairs (from the disk cache when it can) with a progress line. */
export async function embedPairs(
  cache: EmbeddingCache,
  pairs: readonly LabelledPair[],
): Promise<void> {
  let last = 0;
  await cache.embedAll(
    pairs.flatMap((pair) => [pair.query, pair.stored]),
    (done, total) => {
      if (done - last >= 2000 || done === total) {
        last = done;
        process.stderr.write(`embedding ${done}/${total}\n`);
      }
    },
  );
}

/** Everything the decision looks at for one pair, computed the way the live path does. */
export function toRow(cache: EmbeddingCache, pair: LabelledPair): PairRow {
  const query = new AnalysedText(pair.query);
  const stored = new AnalysedText(pair.stored);
  const cosine = dot(cache.get(pair.query), cache.get(pair.stored));
  const comparison = comparePair(query, stored);
  return {
    pair,
    cosine,
    comparison,
    features: pairFeatures(query, stored, cosine, comparison),
    query,
    stored,
  };
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export type { EntryKey };

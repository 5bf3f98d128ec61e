import { UseLiteEmbedder } from '../../src/semantic/embedding/use-lite.embedder';
import { cacheFileFor, EmbeddingCache } from './embedding-cache';
import { LabelledPair } from './labelled-pairs';

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

import { AnalysedText } from './analysed-text';
import { PairComparison } from './lookalike-rules';

/** Names of the word-level features, in the order `pairFeatures` returns them and the weights are stored. */
export const PAIR_FEATURES = [
  'cosine',
  'cosine_above_0.7',
  'cosine_above_0.8',
  'cosine_above_0.9',
  'content_jaccard',
  'word_jaccard',
  'content_bigram_jaccard',
  'unmatched_share_max',
  'unmatched_share_min',
  'unmatched_count_max',
  'unmatched_count_min',
  'one_for_one_substitution',
  'entities_one_sided',
  'quantities_one_sided',
  'length_ratio_log',
  'question_word_differs',
  'equivalent_after_negation',
  'polarity_changes',
  'cosine_times_jaccard',
] as const;

/**
 * What the pair scorer sees of the words: how close the vectors are, and what differs between
 * the texts. Cheap by design (set lookups over a dozen words): it runs for every candidate on
 * the hit path.
 */
export function pairFeatures(
  query: AnalysedText,
  stored: AnalysedText,
  cosine: number,
  comparison: PairComparison,
): number[] {
  const queryUnmatched = comparison.onlyInQuery.length;
  const storedUnmatched = comparison.onlyInStored.length;
  const queryShare = queryUnmatched / Math.max(1, query.content.length);
  const storedShare = storedUnmatched / Math.max(1, stored.content.length);
  const contentJaccard = jaccard(query.contentSet, stored.contentSet);
  return [
    cosine,
    Math.max(0, cosine - 0.7),
    Math.max(0, cosine - 0.8),
    Math.max(0, cosine - 0.9),
    contentJaccard,
    jaccard(query.wordSet, stored.wordSet),
    jaccard(bigrams(query.content), bigrams(stored.content)),
    Math.max(queryShare, storedShare),
    Math.min(queryShare, storedShare),
    Math.min(5, Math.max(queryUnmatched, storedUnmatched)),
    Math.min(5, Math.min(queryUnmatched, storedUnmatched)),
    queryUnmatched === 1 && storedUnmatched === 1 ? 1 : 0,
    Math.min(3, comparison.entitiesOnlyOnOneSide),
    Math.min(3, comparison.quantitiesOnlyOnOneSide),
    Math.abs(Math.log((query.words.length + 1) / (stored.words.length + 1))),
    query.questionWord !== stored.questionWord ? 1 : 0,
    comparison.equivalent ? 1 : 0,
    Math.min(3, comparison.polarityChanges),
    cosine * contentJaccard,
  ];
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

function bigrams(words: readonly string[]): Set<string> {
  const pairs = new Set<string>();
  for (let i = 1; i < words.length; i++) pairs.add(`${words[i - 1]} ${words[i]}`);
  return pairs;
}

/**
 * The word-level features followed by the two vectors' element-wise distance and product, the
 * usual input of a sentence-pair classifier over frozen embeddings (InferSent, SBERT): they let
 * the scorer learn which directions of the embedding space separate paraphrases from
 * look-alikes, which one cosine cannot.
 */
export function pairInput(
  lexical: readonly number[],
  queryVector: Float32Array,
  storedVector: Float32Array,
): Float32Array {
  const d = queryVector.length;
  const input = new Float32Array(lexical.length + 2 * d);
  input.set(lexical);
  for (let i = 0; i < d; i++) {
    input[lexical.length + i] = Math.abs(queryVector[i] - storedVector[i]);
    input[lexical.length + d + i] = queryVector[i] * storedVector[i];
  }
  return input;
}

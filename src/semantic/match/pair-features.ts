import { AnalysedText } from './analysed-text';
import { PairComparison } from './lookalike-rules';
import { WordRarity } from './word-rarity';

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
  'synonym_pairs',
  'rarest_unmatched_either',
  'rarest_unmatched_both',
  'unmatched_rarity_sum',
  'rarity_weighted_jaccard',
  'shorter_length',
  'same_first_content_word',
  'same_last_content_word',
  'character_trigram_jaccard',
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
  rarity: WordRarity,
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
    Math.min(3, comparison.synonymPairs),
    ...rarityFeatures(query, stored, comparison, rarity),
    Math.min(30, Math.min(query.words.length, stored.words.length)) / 30,
    query.content[0] === stored.content[0] ? 1 : 0,
    query.content[query.content.length - 1] === stored.content[stored.content.length - 1] ? 1 : 0,
    jaccard(trigrams(query.words), trigrams(stored.words)),
  ];
}

/** Character trigrams of the words: catches spelling variants and typos that words miss. */
function trigrams(words: readonly string[]): Set<string> {
  const grams = new Set<string>();
  for (const word of words) {
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  }
  return grams;
}

/** Unmatched words weighted by rarity: a rare word on one side only is what changes a question. */
function rarityFeatures(
  query: AnalysedText,
  stored: AnalysedText,
  comparison: PairComparison,
  rarity: WordRarity,
): number[] {
  const inQuery = comparison.onlyInQuery.map((word) => rarity.of(word));
  const inStored = comparison.onlyInStored.map((word) => rarity.of(word));
  const rarestInQuery = Math.max(0, ...inQuery);
  const rarestInStored = Math.max(0, ...inStored);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const weight = (words: Iterable<string>) => sum([...words].map((word) => rarity.ofStem(word)));
  const shared = weight([...query.contentSet].filter((word) => stored.contentSet.has(word)));
  const union = weight(query.contentSet) + weight(stored.contentSet) - shared;
  return [
    Math.max(rarestInQuery, rarestInStored) / 10,
    Math.min(rarestInQuery, rarestInStored) / 10,
    (sum(inQuery) + sum(inStored)) / 20,
    union > 0 ? shared / union : 1,
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

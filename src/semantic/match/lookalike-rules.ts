import {
  AnalysedText,
  areAntonyms,
  areSynonyms,
  isDirectionMarker,
  negatedStem,
  stem,
} from './analysed-text';

/** Why a candidate that embeds close to the query is still a different question. */
export type LookalikeReason = 'quantity' | 'entity' | 'negation' | 'direction' | 'constraint';

export interface PairComparison {
  /** Set when a rule proves the two texts ask different things: the candidate must not be served. */
  lookalike: LookalikeReason | null;
  /** Content words of each side that the other side lacks, after negations and antonyms are paired up. */
  onlyInQuery: string[];
  onlyInStored: string[];
  /**
   * The texts differ only by negations and antonyms that cancel out ("not fat" = "thin"), with no
   * other content word, name or quantity on one side only.
   */
  equivalent: boolean;
  /** Negations or antonym swaps seen on the way, whether or not they cancelled. */
  polarityChanges: number;
  /** Word pairs that differ but share a WordNet synset ("fix"/"repair"), taken out of the differences. */
  synonymPairs: number;
  entitiesOnlyOnOneSide: number;
  quantitiesOnlyOnOneSide: number;
}

/**
 * The rules that catch look-alikes: texts that embed close together but ask different things.
 * Each rule fires only on evidence in the words (a number that differs, a name swapped for
 * another, a negation without a matching antonym, the same words in another order around "to"),
 * so a paraphrase that rewords freely passes and is left to the pair scorer.
 */
export function comparePair(query: AnalysedText, stored: AnalysedText): PairComparison {
  const onlyInQuery = query.contentWords.filter((word) => !stored.contentSet.has(stem(word)));
  const onlyInStored = stored.contentWords.filter((word) => !query.contentSet.has(stem(word)));
  const flips = pairOpposites(onlyInQuery, onlyInStored, query, stored);
  const synonymPairs = pairSynonyms(onlyInQuery, onlyInStored);
  const polarityChanges = flips + Math.abs(query.negations - stored.negations);
  const negationFlipped = (query.negations + stored.negations + flips) % 2 === 1;
  const quantitiesOnlyOnOneSide = multisetDifference(query.quantities, stored.quantities);
  const entitiesInQueryOnly = [...query.entities].filter((word) => !stored.entities.has(word));
  const entitiesInStoredOnly = [...stored.entities].filter((word) => !query.entities.has(word));
  const equivalent =
    polarityChanges > 0 &&
    onlyInQuery.length === 0 &&
    onlyInStored.length === 0 &&
    entitiesInQueryOnly.length === 0 &&
    entitiesInStoredOnly.length === 0 &&
    !negationFlipped &&
    query.questionWord === stored.questionWord;

  let lookalike: LookalikeReason | null = null;
  // Numbers on both sides that differ ask different things ("10 USD" vs "20 USD"); a number on one
  // side only ("best phones" vs "best phones of 2017") is left to the scorer, which weighs it.
  if (quantitiesOnlyOnOneSide > 0 && query.quantities.length > 0 && stored.quantities.length > 0) {
    lookalike = 'quantity';
  } else if (entitiesInQueryOnly.length > 0 && entitiesInStoredOnly.length > 0)
    lookalike = 'entity';
  else if (negationFlipped) lookalike = 'negation';
  else if (!sameSet(query.constraints, stored.constraints)) lookalike = 'constraint';
  else if (isSwapped(query, stored)) lookalike = 'direction';

  return {
    lookalike,
    onlyInQuery,
    onlyInStored,
    equivalent,
    polarityChanges,
    synonymPairs,
    entitiesOnlyOnOneSide: entitiesInQueryOnly.length + entitiesInStoredOnly.length,
    quantitiesOnlyOnOneSide,
  };
}

/**
 * Removes opposite pairs from both difference lists and counts them: an antonym pair
 * ("fat"/"thin") or a negating prefix ("unhealthy"/"healthy") each flip the meaning once.
 */
function pairOpposites(
  onlyInQuery: string[],
  onlyInStored: string[],
  query: AnalysedText,
  stored: AnalysedText,
): number {
  let flips = 0;
  for (let i = onlyInQuery.length - 1; i >= 0; i--) {
    const word = onlyInQuery[i];
    const antonym = onlyInStored.findIndex((other) => areAntonyms(word, other));
    if (antonym >= 0) {
      onlyInStored.splice(antonym, 1);
      onlyInQuery.splice(i, 1);
      flips++;
      continue;
    }
    const base = negatedStem(word, stored.wordSet);
    if (base !== undefined) {
      removeWord(onlyInStored, base);
      onlyInQuery.splice(i, 1);
      flips++;
    }
  }
  for (let i = onlyInStored.length - 1; i >= 0; i--) {
    const base = negatedStem(onlyInStored[i], query.wordSet);
    if (base !== undefined) {
      removeWord(onlyInQuery, base);
      onlyInStored.splice(i, 1);
      flips++;
    }
  }
  return flips;
}

function pairSynonyms(onlyInQuery: string[], onlyInStored: string[]): number {
  let pairs = 0;
  for (let i = onlyInQuery.length - 1; i >= 0; i--) {
    const synonym = onlyInStored.findIndex((other) => areSynonyms(onlyInQuery[i], other));
    if (synonym < 0) continue;
    onlyInStored.splice(synonym, 1);
    onlyInQuery.splice(i, 1);
    pairs++;
  }
  return pairs;
}

function removeWord(words: string[], word: string): void {
  const index = words.indexOf(word);
  if (index >= 0) words.splice(index, 1);
}

/** How many items one multiset has that the other lacks, both ways. */
function multisetDifference(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const item of a) counts.set(item, (counts.get(item) ?? 0) + 1);
  for (const item of b) counts.set(item, (counts.get(item) ?? 0) - 1);
  let difference = 0;
  for (const count of counts.values()) difference += Math.abs(count);
  return difference;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}

/** The same content words in another order around a word that gives order meaning. */
function isSwapped(query: AnalysedText, stored: AnalysedText): boolean {
  if (query.content.length !== stored.content.length || query.content.length < 2) return false;
  if (query.content.every((word, i) => word === stored.content[i])) return false;
  if (multisetDifference(query.content, stored.content) !== 0) return false;
  return query.words.some(isDirectionMarker) || stored.words.some(isDirectionMarker);
}

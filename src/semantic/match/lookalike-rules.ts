import { AnalysedText, areAntonyms, isDirectionMarker, negatedStem, stem } from './analysed-text';

/** Why a candidate that embeds close to the query is still a different question. */
export type LookalikeReason = 'quantity' | 'entity' | 'negation' | 'direction' | 'constraint';

/**
 * The rules that catch look-alikes: texts that embed close together but ask different things.
 * Each rule fires only on evidence in the words (a number that differs, a name swapped for
 * another, a negation without a matching antonym, the same words in another order around "to"),
 * so a paraphrase that rewords freely passes. Which of them veto a candidate is the operator's
 * choice (`SEMANTIC_VETOES`); the verifier reads every candidate that no veto refused.
 */
export function lookalikeReason(query: AnalysedText, stored: AnalysedText): LookalikeReason | null {
  const onlyInQuery = query.contentWords.filter((word) => !stored.contentSet.has(stem(word)));
  const onlyInStored = stored.contentWords.filter((word) => !query.contentSet.has(stem(word)));
  const flips = pairOpposites(onlyInQuery, onlyInStored, query, stored);
  const negationFlipped = (query.negations + stored.negations + flips) % 2 === 1;
  // Numbers on both sides that differ ask different things ("10 USD" vs "20 USD"); a number on one
  // side only ("best phones" vs "best phones of 2017") is left to the verifier.
  if (
    multisetDifference(query.quantities, stored.quantities) > 0 &&
    query.quantities.length > 0 &&
    stored.quantities.length > 0
  ) {
    return 'quantity';
  }
  const entitiesInQueryOnly = [...query.entities].some((word) => !stored.entities.has(word));
  const entitiesInStoredOnly = [...stored.entities].some((word) => !query.entities.has(word));
  if (entitiesInQueryOnly && entitiesInStoredOnly) return 'entity';
  if (negationFlipped) return 'negation';
  if (!sameSet(query.constraints, stored.constraints)) return 'constraint';
  if (isSwapped(query, stored)) return 'direction';
  return null;
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

import { stem } from './analysed-text';
import table from './word-counts.json';

/** Document frequencies of stemmed content words, as scripts/train-pair-scorer.ts counts them. */
export interface WordRarityTable {
  documents: number;
  counts: Record<string, number>;
}

/**
 * How rare a word is (inverse document frequency): a rare word that differs between two
 * questions ("kotlin", "mortgage") changes what is asked far more than a common one ("way",
 * "learn"). Words never seen count as the rarest.
 */
export class WordRarity {
  private readonly counts: Map<string, number>;
  private readonly documents: number;

  constructor(rarity: WordRarityTable = table as WordRarityTable) {
    this.counts = new Map(Object.entries(rarity.counts));
    this.documents = rarity.documents;
  }

  /** Of a word as it appears in the text; it is stemmed here. */
  of(word: string): number {
    return this.ofStem(stem(word));
  }

  ofStem(stemmed: string): number {
    return Math.log((this.documents + 1) / ((this.counts.get(stemmed) ?? 0) + 1));
  }
}

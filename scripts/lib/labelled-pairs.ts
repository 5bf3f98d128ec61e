import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** One labelled pair: `hit` is what a correct cache does (serve the stored answer or not). */
export interface LabelledPair {
  query: string;
  stored: string;
  hit: boolean;
}

/**
 * Reads `question1,question2,is_duplicate` CSV (Quora Question Pairs) or the CANNOT negation TSV
 * (`premise, hypothesis, label`, where label 1 means the hypothesis negates the premise, so a
 * cache must NOT serve it: the label is inverted on the way in).
 */
export function readLabelledPairs(file: string): LabelledPair[] {
  const text = readFileSync(file, 'utf8');
  const delimiter = file.endsWith('.tsv') ? '\t' : ',';
  const rows: Record<string, string>[] = parse(text, {
    columns: true,
    delimiter,
    skip_empty_lines: true,
    relax_quotes: true,
    quote: delimiter === '\t' ? false : '"',
  });
  if (rows.length === 0) throw new Error(`${file} holds no rows`);
  const columns = Object.keys(rows[0]);
  if (columns.includes('is_duplicate')) {
    return rows.map((row) => ({
      stored: row.question1 ?? '',
      query: row.question2 ?? '',
      hit: row.is_duplicate === '1',
    }));
  }
  if (columns.includes('premise') && columns.includes('label')) {
    return rows.map((row) => ({
      stored: row.premise ?? '',
      query: row.hypothesis ?? '',
      hit: row.label === '0',
    }));
  }
  throw new Error(
    `${file}: expected the columns question1,question2,is_duplicate or premise,hypothesis,label; found ${columns.join(',')}`,
  );
}

interface ContextualItem {
  'Main Query': string;
  'Follow-Up Query': string;
}

/** MeanCache's contextual queries: a follow-up must never be served its stand-alone question's answer. */
export function readContextualQueries(file: string): { standalone: string; followUp: string }[] {
  const items = JSON.parse(readFileSync(file, 'utf8')) as ContextualItem[];
  return items.map((item) => ({
    standalone: item['Main Query'],
    followUp: item['Follow-Up Query'],
  }));
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** One labelled pair: `hit` is what a correct cache does (serve the stored answer or not). */
export interface LabelledPair {
  query: string;
  stored: string;
  hit: boolean;
  /** The JSON lines' `kind` (paraphrase, entity_swap, negation…); absent in CSV and TSV. */
  kind?: string;
}

/**
 * Reads `question1,question2,is_duplicate` CSV (Quora Question Pairs), the CANNOT negation TSV
 * (`premise, hypothesis, label`, where label 1 means the hypothesis negates the premise, so a
 * cache must NOT serve it: the label is inverted on the way in), or JSON lines
 * `{"a","b","label","kind"}` (`a` stored, `b` asked, label 1 = a's answer is right for b).
 */
export function readLabelledPairs(file: string): LabelledPair[] {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.jsonl')) return jsonLinePairs(file, text);
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

/**
 * The held-out fold: half the pairs, by the first byte of sha256(stored + "\n" + query) being even.
 * The same rule as `in_held_out_fold` in scripts/verifier/pairs.py, which trains on the other half.
 */
export function inHeldOutFold(pair: Pick<LabelledPair, 'stored' | 'query'>): boolean {
  return createHash('sha256').update(`${pair.stored}\n${pair.query}`, 'utf8').digest()[0] % 2 === 0;
}

function jsonLinePairs(file: string, text: string): LabelledPair[] {
  return text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    const row = JSON.parse(line) as { a?: unknown; b?: unknown; label?: unknown; kind?: unknown };
    if (
      typeof row.a !== 'string' ||
      typeof row.b !== 'string' ||
      ![0, 1].includes(Number(row.label))
    ) {
      throw new Error(`${file}: line ${index + 1} is not {"a","b","label","kind"}`);
    }
    const kind = typeof row.kind === 'string' ? row.kind : undefined;
    return [{ stored: row.a, query: row.b, hit: Number(row.label) === 1, kind }];
  });
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

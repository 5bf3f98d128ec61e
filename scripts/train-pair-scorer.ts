/**
 * Trains the pair scorer of the semantic match decision and writes its weights to
 * src/semantic/match/pair-scorer.weights.json. Deterministic: the same data gives the same
 * weights (Newton's method, no random start, folds by a hash of the texts).
 *
 *   npm run train:scorer -- [--train ../shared/eval/qqp_train.csv] [--folds 5]
 *
 * Figures it reports are cross-validated: each fold is scored by a model fitted without it, and
 * folds are split by question, so a question seen in training is never scored. The evaluation
 * sets (qqp_dev.csv, negation_dev.tsv) are never read here: `npm run eval:semantic` scores them.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PAIR_FEATURES, pairInput } from '../src/semantic/match/pair-features';
import { encodeFloats, PairScorer, PairScorerModel } from '../src/semantic/match/pair-scorer';
import { EmbeddingCache } from './lib/embedding-cache';
import { fitLogistic, LogisticFit } from './lib/logistic-regression';
import { readLabelledPairs } from './lib/labelled-pairs';
import { DEFAULT_MLP_OPTIONS, fitMlp, MlpFit } from './lib/pair-mlp';
import { metricsAt, precisionAtRecall, ScoredPair } from './lib/pair-metrics';
import { embedPairs, openEmbeddings, PairRow, toRow } from './lib/pair-scoring';

const WEIGHTS_FILE = 'src/semantic/match/pair-scorer.weights.json';
const L2 = 1;
const EMBEDDER = 'use-lite-v1';
const DIMENSIONS = 512;

/** Union-find over questions: pairs that share a question land in the same fold. */
function foldsByQuestion(rows: readonly PairRow[], folds: number): number[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const { pair } of rows) {
    const a = find(pair.query);
    const b = find(pair.stored);
    if (a !== b) parent.set(a, b);
  }
  return rows.map(
    ({ pair }) => createHash('sha256').update(find(pair.query)).digest().readUInt32BE(0) % folds,
  );
}

function toModel(linear: LogisticFit, mlp: MlpFit | undefined): PairScorerModel {
  return {
    features: [...PAIR_FEATURES],
    linear: {
      mean: linear.mean.map((value) => round(value)),
      scale: linear.scale.map((value) => round(value)),
      weights: linear.weights.map((value) => round(value)),
      bias: round(linear.bias),
    },
    mlp: mlp && {
      embedder: EMBEDDER,
      dimensions: DIMENSIONS,
      hidden: mlp.outputWeights.length,
      mean: encodeFloats(mlp.mean),
      scale: encodeFloats(mlp.scale),
      hiddenWeights: encodeFloats(mlp.hiddenWeights),
      hiddenBias: encodeFloats(mlp.hiddenBias),
      outputWeights: encodeFloats(mlp.outputWeights),
      outputBias: mlp.outputBias,
    },
  };
}

function fit(
  rows: readonly PairRow[],
  cache: EmbeddingCache,
): { scorer: PairScorer; model: PairScorerModel } {
  // The scorer only ever sees candidates that no look-alike rule refused.
  const usable = rows.filter((row) => !row.comparison.lookalike);
  const labels = usable.map((row) => row.pair.hit);
  const linear = fitLogistic(
    usable.map((row) => row.features),
    labels,
    L2,
  );
  const mlp = fitMlp(
    usable.map((row) =>
      pairInput(row.features, cache.get(row.pair.query), cache.get(row.pair.stored)),
    ),
    labels,
  );
  const model = toModel(linear, mlp);
  return { scorer: new PairScorer(model), model };
}

/** The decision's score for a pair, as MatchDecider computes it. */
function decisionScore(
  scorer: PairScorer,
  row: PairRow,
  cache: EmbeddingCache,
  vectors: boolean,
): number {
  if (row.comparison.lookalike) return 0;
  const learned = scorer.score(
    row.features,
    vectors
      ? { embedder: EMBEDDER, query: cache.get(row.pair.query), stored: cache.get(row.pair.stored) }
      : undefined,
  );
  return row.comparison.equivalent ? Math.max(learned, 0.99) : learned;
}

function summary(scored: readonly ScoredPair[]) {
  return {
    ...Object.fromEntries(
      [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7].map((recall) => [
        `P@R${recall}`,
        round(precisionAtRecall(scored, recall)),
      ]),
    ),
    ...Object.fromEntries(
      [0.5, 0.6, 0.7, 0.8, 0.85, 0.9].map((t) => {
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
      folds: { type: 'string', default: '3' },
    },
  });
  const folds = Number(values.folds);
  const pairs = readLabelledPairs(values.train!);
  const cache = await openEmbeddings();
  await embedPairs(cache, pairs);
  const rows = pairs.map((pair) => toRow(cache, pair));

  const fold = foldsByQuestion(rows, folds);
  const scored = {
    perceptron: [] as ScoredPair[],
    linear: [] as ScoredPair[],
    rawCosine: [] as ScoredPair[],
  };
  for (let k = 0; k < folds; k++) {
    process.stderr.write(`fold ${k + 1}/${folds}\n`);
    const { scorer } = fit(
      rows.filter((_, i) => fold[i] !== k),
      cache,
    );
    rows.forEach((row, i) => {
      if (fold[i] !== k) return;
      const hit = row.pair.hit;
      scored.perceptron.push({ score: decisionScore(scorer, row, cache, true), hit });
      scored.linear.push({ score: decisionScore(scorer, row, cache, false), hit });
      scored.rawCosine.push({ score: row.cosine, hit });
    });
  }
  const crossValidation = {
    perceptron: summary(scored.perceptron),
    linear: summary(scored.linear),
    rawCosine: summary(scored.rawCosine),
  };
  console.log(`${rows.length} pairs, ${folds}-fold cross-validation, folds split by question`);
  console.table(crossValidation);

  process.stderr.write('final fit on every pair\n');
  const { model } = fit(rows, cache);
  writeFileSync(
    WEIGHTS_FILE,
    JSON.stringify(
      {
        ...model,
        trainedOn: `${values.train!.split('/').pop()}: ${rows.length} pairs; perceptron ${JSON.stringify(DEFAULT_MLP_OPTIONS)}; linear L2 ${L2}; by scripts/train-pair-scorer.ts`,
        crossValidation: { folds, ...crossValidation },
      },
      null,
      1,
    ) + '\n',
  );
  console.log(`weights → ${WEIGHTS_FILE}`);
}

function round(value: number): number;
function round(value: number | undefined): number | undefined;
function round(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 1e6) / 1e6;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

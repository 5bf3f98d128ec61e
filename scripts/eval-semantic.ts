/**
 * Scores the semantic match decision pair by pair, with the same code the gateway runs:
 *
 *   npm run eval:semantic -- FILE [FILE...] [--thresholds 0.5,0.6,...] [--fold held-out|train|all]
 *
 * FILE is `question1,question2,is_duplicate` CSV, the CANNOT negation TSV (label inverted:
 * 1 = negated, must not hit), JSON lines `{"a","b","label","kind"}`, or MeanCache's
 * contextual_queries.json. For pairs it prints precision, recall, F1 and false-hit rate per
 * threshold for the decision (cosine floor, vetoes, verifier), the verifier alone and raw cosine
 * of the same embedder, what the floor and the vetoes refused, and with kinds the share of each
 * kind served at the default threshold. Each pair is judged alone: `npm run
 * bench:semantic-quality` measures what the cache does with all of them stored at once.
 */
import { parseArgs } from 'node:util';
import { AppConfig } from '../src/config/app-config';
import { QueryService } from '../src/query/query.service';
import { bundledVerifierDir } from '../src/semantic/match/bundled-verifier';
import { MatchDecider } from '../src/semantic/match/match-decider';
import { OnnxPairVerifier } from '../src/semantic/match/onnx.pair-verifier';
import { EmbeddingCache } from './lib/embedding-cache';
import {
  inHeldOutFold,
  LabelledPair,
  readContextualQueries,
  readLabelledPairs,
} from './lib/labelled-pairs';
import { metricsAt, precisionAtRecall, ScoredPair } from './lib/pair-metrics';
import { embedPairs, openEmbeddings } from './lib/pair-scoring';

const DEFAULT_THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95];
const RECALL_LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

const percent = (value: number) => (value * 100).toFixed(1).padStart(5);
const fixed = (value: number | undefined) => (value === undefined ? '    -' : value.toFixed(3));

interface Scored {
  decision: ScoredPair[];
  verifier: ScoredPair[];
  cosine: ScoredPair[];
  /** Outcome → [pairs that must not hit, pairs that should]. */
  refused: Map<string, [number, number]>;
}

async function scorePairs(
  pairs: readonly LabelledPair[],
  cache: EmbeddingCache,
  decider: MatchDecider,
  verifier: OnnxPairVerifier,
): Promise<Scored> {
  const scored: Scored = { decision: [], verifier: [], cosine: [], refused: new Map() };
  for (const [index, pair] of pairs.entries()) {
    const cosine = dot(cache.get(pair.query), cache.get(pair.stored));
    // Threshold 0: the score is what a threshold is then compared with.
    const result = await decider.decide(
      pair.query,
      [{ text: pair.stored, cosine, minScore: 0 }],
      0,
    );
    const [verdict] = result.verdicts;
    const [alone] = await verifier.verify(pair.query, [pair.stored]);
    scored.decision.push({ score: verdict.score, hit: pair.hit });
    scored.verifier.push({ score: alone, hit: pair.hit });
    scored.cosine.push({ score: cosine, hit: pair.hit });
    if (verdict.outcome !== 'match') {
      const counts = scored.refused.get(verdict.outcome) ?? [0, 0];
      counts[pair.hit ? 1 : 0]++;
      scored.refused.set(verdict.outcome, counts);
    }
    if ((index + 1) % 2000 === 0) process.stderr.write(`verified ${index + 1}/${pairs.length}\n`);
  }
  return scored;
}

function printPairs(
  file: string,
  pairs: readonly LabelledPair[],
  scored: Scored,
  thresholds: number[],
  defaultThreshold: number,
): void {
  const positives = pairs.filter((pair) => pair.hit).length;
  console.log(
    `\n${file}: ${pairs.length} pairs, ${positives} should hit, ${pairs.length - positives} should not\n`,
  );
  console.log('refused before the verifier (pairs that must not hit / that should):');
  for (const [outcome, [no, yes]] of scored.refused) {
    console.log(`  ${outcome.padEnd(12)} ${no} / ${yes}`);
  }
  console.log(
    '\nthreshold |  decision: hits  precision  recall     F1  false-hit% | verifier alone: precision  recall | raw cosine: precision  recall',
  );
  for (const threshold of [...new Set([...thresholds, defaultThreshold])].sort((a, b) => a - b)) {
    const d = metricsAt(scored.decision, threshold);
    const v = metricsAt(scored.verifier, threshold);
    const c = metricsAt(scored.cosine, threshold);
    const mark = threshold === defaultThreshold ? ' (default)' : '';
    console.log(
      `${threshold.toFixed(2).padStart(9)} | ${String(d.hits).padStart(15)}  ${fixed(d.precision).padStart(9)}  ${fixed(d.recall).padStart(6)}  ${fixed(d.f1)}  ${percent(d.falseHitRate).padStart(10)} | ${fixed(v.precision).padStart(25)}  ${fixed(v.recall).padStart(6)} | ${fixed(c.precision).padStart(21)}  ${fixed(c.recall).padStart(6)}${mark}`,
    );
  }
  console.log('\nbest precision at recall ≥ r:   r  decision  raw cosine');
  for (const recall of RECALL_LEVELS) {
    const d = precisionAtRecall(scored.decision, recall);
    const c = precisionAtRecall(scored.cosine, recall);
    console.log(
      `${recall.toFixed(1).padStart(34)}  ${fixed(d).padStart(8)}  ${fixed(c).padStart(10)}`,
    );
  }
  const kinds = [...new Set(pairs.map((pair) => pair.kind).filter((kind) => kind !== undefined))];
  if (kinds.length > 0) {
    console.log(`\nshare served at ${defaultThreshold}, by kind:`);
    for (const kind of kinds.sort()) {
      const indices = pairs.flatMap((pair, index) => (pair.kind === kind ? [index] : []));
      const served = indices.filter((index) => scored.decision[index].score >= defaultThreshold);
      console.log(
        `  ${kind.padEnd(28)} ${String(served.length).padStart(4)} / ${String(indices.length).padEnd(4)} ${percent(served.length / indices.length)}%`,
      );
    }
  }
  const atDefault = metricsAt(scored.decision, defaultThreshold);
  console.log(
    `\nat the defaults (SEMANTIC_THRESHOLD=${defaultThreshold}): precision ${fixed(atDefault.precision)}, recall ${fixed(atDefault.recall)}, F1 ${fixed(atDefault.f1)}, false hits ${percent(atDefault.falseHitRate).trim()}% of the pairs that must not hit`,
  );
}

/**
 * A follow-up is asked after its main query and answer, so its scope (which holds the earlier
 * turns) differs from the stand-alone question's: the semantic layer never compares the two.
 * Also shown: what the decision alone would say if they were compared.
 */
async function evaluateContextual(
  file: string,
  cache: EmbeddingCache,
  decider: MatchDecider,
  threshold: number,
): Promise<void> {
  const items = readContextualQueries(file);
  await cache.embedAll(items.flatMap((item) => [item.standalone, item.followUp]));
  let sameScope = 0;
  let textOnlyHits = 0;
  const request = (messages: { role: 'user' | 'assistant'; content: string }[]) => ({
    provider: 'openai' as const,
    model: 'gpt-4o-mini',
    system: undefined,
    messages,
    params: {},
  });
  for (const item of items) {
    const standalone = QueryService.entryKey(
      'eval',
      'default',
      request([{ role: 'user', content: item.standalone }]),
    );
    const followUp = QueryService.entryKey(
      'eval',
      'default',
      request([
        { role: 'user', content: item.standalone },
        { role: 'assistant', content: 'answer' },
        { role: 'user', content: item.followUp },
      ]),
    );
    if (standalone.scope === followUp.scope) sameScope++;
    const cosine = dot(cache.get(item.followUp), cache.get(item.standalone));
    const result = await decider.decide(
      item.followUp,
      [{ text: item.standalone, cosine, minScore: 0 }],
      threshold,
    );
    if (result.served !== undefined) textOnlyHits++;
  }
  console.log(`\n${file}: ${items.length} follow-ups`);
  console.log(
    `  follow-ups that hit their stand-alone question: ${sameScope} (they share a scope ${sameScope} times: the earlier turns are part of the scope)`,
  );
  console.log(
    `  for reference, the text-only decision at ${threshold} would match ${textOnlyHits} of them if scopes were ignored`,
  );
}

function inFold(fold: string): (pair: LabelledPair) => boolean {
  if (fold === 'held-out') return inHeldOutFold;
  if (fold === 'train') return (pair) => !inHeldOutFold(pair);
  if (fold === 'all') return () => true;
  throw new Error(`--fold must be held-out, train or all, not ${fold}`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { thresholds: { type: 'string' }, fold: { type: 'string', default: 'all' } },
  });
  if (positionals.length === 0) {
    console.error(
      'usage: npm run eval:semantic -- FILE [FILE...] [--thresholds 0.5,0.7,0.9] [--fold held-out|train|all]',
    );
    process.exit(2);
  }
  const thresholds = values.thresholds
    ? values.thresholds.split(',').map(Number)
    : DEFAULT_THRESHOLDS;
  const config = AppConfig.fromEnvironment(process.env).semantic;
  const verifier = new OnnxPairVerifier({
    modelDir: config.verifier.modelDir ?? bundledVerifierDir(),
    threads: 2,
  });
  await verifier.load();
  // One candidate per pair here, so the early stop of the live path never comes into play.
  const decider = new MatchDecider(verifier, {
    cosineFloor: config.cosineFloor,
    vetoes: config.vetoes,
    sureScore: 1,
  });
  const cache = await openEmbeddings();
  const keep = inFold(values.fold);
  for (const file of positionals) {
    if (file.endsWith('.json')) {
      await evaluateContextual(file, cache, decider, config.threshold);
      continue;
    }
    const pairs = readLabelledPairs(file).filter(keep);
    await embedPairs(cache, pairs);
    const scored = await scorePairs(pairs, cache, decider, verifier);
    printPairs(file, pairs, scored, thresholds, config.threshold);
  }
  await verifier.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

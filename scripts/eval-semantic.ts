/**
 * Scores the semantic match decision on labelled pairs, with the same code the gateway runs:
 *
 *   npm run eval:semantic -- FILE [--thresholds 0.5,0.6,...]
 *
 * FILE is `question1,question2,is_duplicate` CSV, the CANNOT negation TSV
 * (`premise, hypothesis, label`, label 1 = negated: must not hit), or MeanCache's
 * contextual_queries.json. For pairs it prints precision, recall, F1 and false-hit rate per
 * threshold and at the configured default (SEMANTIC_THRESHOLD), for the decision and for raw
 * cosine of the same embedder, and the best precision each reaches at each level of recall.
 */
import { parseArgs } from 'node:util';
import { AppConfig } from '../src/config/app-config';
import { QueryService } from '../src/query/query.service';
import { AnalysedText } from '../src/semantic/match/analysed-text';
import { MatchDecider } from '../src/semantic/match/match-decider';
import { EmbeddingCache } from './lib/embedding-cache';
import { LabelledPair, readContextualQueries, readLabelledPairs } from './lib/labelled-pairs';
import { metricsAt, precisionAtRecall, ScoredPair } from './lib/pair-metrics';
import { embedPairs, openEmbeddings } from './lib/pair-scoring';

const DEFAULT_THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
const RECALL_LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

const percent = (value: number) => (value * 100).toFixed(1).padStart(5);
const fixed = (value: number | undefined) => (value === undefined ? '    -' : value.toFixed(3));

function scorePairs(
  pairs: readonly LabelledPair[],
  cache: EmbeddingCache,
): { decision: ScoredPair[]; cosine: ScoredPair[]; outcomes: Map<string, [number, number]> } {
  const decider = new MatchDecider();
  const decision: ScoredPair[] = [];
  const cosine: ScoredPair[] = [];
  const outcomes = new Map<string, [number, number]>();
  for (const pair of pairs) {
    const queryVector = cache.get(pair.query);
    const storedVector = cache.get(pair.stored);
    const similarity = dot(queryVector, storedVector);
    // Threshold 0: the decision's score is what a threshold is then compared with.
    const verdict = decider.decide(
      new AnalysedText(pair.query),
      new AnalysedText(pair.stored),
      similarity,
      0,
    );
    decision.push({ score: verdict.score, hit: pair.hit });
    cosine.push({ score: similarity, hit: pair.hit });
    const outcome = verdict.outcome === 'below_threshold' ? 'match' : verdict.outcome;
    const counts = outcomes.get(outcome) ?? [0, 0];
    counts[pair.hit ? 1 : 0]++;
    outcomes.set(outcome, counts);
  }
  return { decision, cosine, outcomes };
}

function printPairs(
  file: string,
  pairs: readonly LabelledPair[],
  scored: ReturnType<typeof scorePairs>,
  thresholds: number[],
  defaultThreshold: number,
): void {
  const positives = pairs.filter((pair) => pair.hit).length;
  console.log(
    `\n${file}: ${pairs.length} pairs, ${positives} should hit, ${pairs.length - positives} should not\n`,
  );
  console.log('look-alike rules (pairs refused: should-not-hit / should-hit):');
  for (const [outcome, [no, yes]] of scored.outcomes) {
    if (outcome !== 'match') console.log(`  ${outcome.padEnd(10)} ${no} / ${yes}`);
  }
  console.log(
    '\nthreshold |        decision: hits  precision  recall    F1  false-hit% |  raw cosine: precision  recall  false-hit%',
  );
  for (const threshold of [...new Set([...thresholds, defaultThreshold])].sort((a, b) => a - b)) {
    const d = metricsAt(scored.decision, threshold);
    const c = metricsAt(scored.cosine, threshold);
    const mark = threshold === defaultThreshold ? ' (default)' : '';
    console.log(
      `${threshold.toFixed(2).padStart(9)} | ${String(d.hits).padStart(21)}  ${fixed(d.precision).padStart(9)}  ${fixed(d.recall).padStart(6)}  ${fixed(d.f1)}  ${percent(d.falseHitRate).padStart(10)} | ${fixed(c.precision).padStart(21)}  ${fixed(c.recall).padStart(6)}  ${percent(c.falseHitRate).padStart(10)}${mark}`,
    );
  }
  console.log('\nbest precision at recall ≥ r:   r  decision  raw cosine');
  for (const recall of RECALL_LEVELS) {
    const d = precisionAtRecall(scored.decision, recall);
    const c = precisionAtRecall(scored.cosine, recall);
    const verdict = d === undefined ? '' : c === undefined || d > c ? '' : '  (cosine not beaten)';
    console.log(
      `${recall.toFixed(1).padStart(34)}  ${fixed(d).padStart(8)}  ${fixed(c).padStart(10)}${verdict}`,
    );
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
  threshold: number,
): Promise<void> {
  const items = readContextualQueries(file);
  await cache.embedAll(items.flatMap((item) => [item.standalone, item.followUp]));
  const decider = new MatchDecider();
  let sameScope = 0;
  let textOnlyHits = 0;
  for (const item of items) {
    const request = (messages: { role: 'user' | 'assistant'; content: string }[]) => ({
      provider: 'openai' as const,
      model: 'gpt-4o-mini',
      system: undefined,
      messages,
      params: {},
    });
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
    const a = cache.get(item.followUp);
    const b = cache.get(item.standalone);
    if (
      decider.decide(
        new AnalysedText(item.followUp),
        new AnalysedText(item.standalone),
        dot(a, b),
        threshold,
      ).hit
    ) {
      textOnlyHits++;
    }
  }
  console.log(`\n${file}: ${items.length} follow-ups`);
  console.log(
    `  follow-ups that hit their stand-alone question: ${sameScope} (they share a scope ${sameScope} times: the earlier turns are part of the scope)`,
  );
  console.log(
    `  for reference, the text-only decision at ${threshold} would match ${textOnlyHits} of them if scopes were ignored`,
  );
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { thresholds: { type: 'string' } },
  });
  if (positionals.length === 0) {
    console.error('usage: npm run eval:semantic -- FILE [FILE...] [--thresholds 0.5,0.7,0.9]');
    process.exit(2);
  }
  const thresholds = values.thresholds
    ? values.thresholds.split(',').map(Number)
    : DEFAULT_THRESHOLDS;
  const defaultThreshold = AppConfig.fromEnvironment(process.env).semantic.threshold;
  const cache = await openEmbeddings();
  for (const file of positionals) {
    if (file.endsWith('.json')) {
      await evaluateContextual(file, cache, defaultThreshold);
      continue;
    }
    const pairs = readLabelledPairs(file);
    await embedPairs(cache, pairs);
    printPairs(file, pairs, scorePairs(pairs, cache), thresholds, defaultThreshold);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * End-to-end quality of the semantic cache through HTTP, as production meets it: the built gateway
 * (`npm run build` first) in its own process with the default embedded semantic cache and a fresh
 * DATA_DIR, a fake OpenAI server behind it whose every answer names the prompt it answered.
 *
 * 1. Store: every distinct stored prompt of FILE is asked once (`Cache-Control: no-cache`, so a
 *    look-alike stored earlier cannot answer it), in one scope; the bench then asks each again to
 *    learn the answer the cache holds for it, and waits until the semantic index has them all.
 * 2. Ask: every pair's new prompt is asked with `Cache-Control: no-store` (asks add no entries).
 *    A hit (x-cache SEMANTIC, or HIT when the new text is a stored one) is correct when it served
 *    the stored prompt's own answer and the pair's label says that answer is right. A hit on
 *    another stored prompt ("other stored prompt") is correct only when that prompt is the new
 *    text itself (QQP asks some questions in one pair that another pair stores) or FILE labels
 *    that prompt and the new text a match in a pair of its own; any other is wrong. The strict
 *    precision, which counts every hit on another stored prompt as wrong, is printed too.
 *
 * Prints precision, recall, F1, false-hit rate, what share of each kind of pair was served (JSON
 * lines), and the latency of the asks (semantic hits and misses). FILE is `.jsonl`
 * `{"a","b","label","kind"}`, `.csv` `question1,question2,is_duplicate` or the CANNOT `.tsv`; the
 * first text of a pair is the stored one.
 *
 * `--fold held-out|train` keeps the half of the pairs whose sha256(stored + "\n" + query) starts
 * with an even (odd) byte, the split scripts/verifier trains on; `--limit N` keeps the first N of
 * those; `--threshold` sends `x-cache-threshold` on the asks; `--env` passes variables to the
 * gateway; `--json` writes the summary and every pair's outcome.
 *
 *   npm run bench:semantic-quality -- FILE [--fold held-out|train|all] [--limit N]
 *     [--concurrency 4] [--threshold T] [--env KEY=VALUE]... [--index-timeout 300]
 *     [--json results.json]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeOpenAIServer } from '../libs/testing';
import { inHeldOutFold, LabelledPair, readLabelledPairs } from '../scripts/lib/labelled-pairs';
import { percentile, runWithCleanup, startProcess, stopProcess } from './bench-process';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    fold: { type: 'string', default: 'all' },
    limit: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    threshold: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    json: { type: 'string' },
    'index-timeout': { type: 'string', default: '300' },
  },
});

const NAMESPACE = 'semantic-quality';
const FOLDS = ['held-out', 'train', 'all'];

interface Ask {
  pair: LabelledPair;
  xCache: string;
  status: number;
  ms: number;
  /** The stored prompts whose answer was served (more than one only if they share an exact key). */
  servedPrompts: string[] | undefined;
  outcome: 'correct' | 'wrong' | 'miss' | 'error';
  /** The answer served belongs to another stored prompt than the pair's. */
  wrongPrompt: boolean;
  /** Why a hit on another stored prompt still counts as correct. */
  otherPromptRight?: 'same text' | 'labelled match';
  similarity?: number;
  matchScore?: number;
}

function usage(message: string): never {
  console.error(
    `${message}\n\nusage: npm run bench:semantic-quality -- FILE [--fold held-out|train|all] [--limit N] [--concurrency 4] [--threshold T] [--env KEY=VALUE]... [--index-timeout S] [--json FILE]`,
  );
  process.exit(2);
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) usage(`--${name} must be a whole number ≥ 1`);
  return value;
}

function gatewayEnv(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) usage(`--env takes KEY=VALUE, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** The pairs of FILE in the asked fold, blank texts dropped (the gateway refuses them), first N. */
function selectPairs(file: string, fold: string, limit: number | undefined): LabelledPair[] {
  const inFold = (pair: LabelledPair) =>
    fold === 'all' || inHeldOutFold(pair) === (fold === 'held-out');
  const pairs = readLabelledPairs(file)
    .filter((pair) => pair.stored.trim() !== '' && pair.query.trim() !== '')
    .filter(inFold);
  return limit === undefined ? pairs : pairs.slice(0, limit);
}

const promptId = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** Runs `work` over `items` with at most `concurrency` at a time, results in input order. */
async function pool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

interface QueryReply {
  status: number;
  xCache: string;
  ms: number;
  body: { response?: string; similarity?: number; match_score?: number; error?: unknown };
}

/** One `POST /api/v1/query`; a failed connection or a body that is not JSON answers status 0. */
async function query(
  url: string,
  text: string,
  headers: Record<string, string>,
): Promise<QueryReply> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: text, namespace: NAMESPACE }),
    });
    const body = (await response.json()) as QueryReply['body'];
    return {
      status: response.status,
      xCache: response.headers.get('x-cache') ?? 'none',
      ms: performance.now() - started,
      body,
    };
  } catch (error) {
    const ms = performance.now() - started;
    return { status: 0, xCache: 'none', ms, body: { error: (error as Error).message } };
  }
}

async function semanticEntries(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = /^ragcache_semantic_entries(?:\{[^}]*\})? (\S+)$/m.exec(text);
  return line ? Number(line[1]) : NaN;
}

/**
 * Stores every distinct stored prompt, then reads back the answer the cache holds for each (two
 * texts the exact key folds together share one entry, so one answer), and waits for the index.
 */
async function storePhase(
  url: string,
  prompts: string[],
  concurrency: number,
  indexTimeoutS: number,
): Promise<Map<string, string>> {
  const stores = await pool(prompts, concurrency, (text) =>
    query(url, text, { 'cache-control': 'no-cache' }),
  );
  const failed = stores.findIndex((reply) => reply.status !== 200);
  if (failed >= 0) {
    throw new Error(
      `storing ${JSON.stringify(prompts[failed])} answered ${stores[failed].status}: ${JSON.stringify(stores[failed].body)}`,
    );
  }
  const held = await pool(prompts, concurrency, (text) =>
    query(url, text, { 'cache-control': 'no-store' }),
  );
  const answerOf = new Map<string, string>();
  held.forEach((reply, index) => {
    if (reply.xCache !== 'HIT' || reply.body.response === undefined) {
      throw new Error(
        `${JSON.stringify(prompts[index])} was stored but asked again got x-cache ${reply.xCache}`,
      );
    }
    answerOf.set(prompts[index], reply.body.response);
  });
  const expected = new Set(answerOf.values()).size;
  const deadline = Date.now() + indexTimeoutS * 1000;
  let entries = await semanticEntries(url);
  while (entries !== expected) {
    if (Date.now() > deadline) {
      throw new Error(
        `the semantic index holds ${entries} entries after ${indexTimeoutS} s, expected ${expected}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    entries = await semanticEntries(url);
  }
  return answerOf;
}

/** Which stored prompt a served answer belongs to: the cache's answer of each, and the reverse. */
interface HeldAnswers {
  answerOf: Map<string, string>;
  promptsOf: Map<string, string[]>;
  /** The file's own labels, by `pairKey`, for hits on another stored prompt. */
  labels: Map<string, boolean>;
}

const pairKey = (a: string, b: string) => JSON.stringify([a, b]);

/** Every pair's label in both orders; a pair labelled both ways counts as not a match. */
function labelsOf(pairs: LabelledPair[]): Map<string, boolean> {
  const labels = new Map<string, boolean>();
  for (const pair of pairs) {
    for (const key of [pairKey(pair.stored, pair.query), pairKey(pair.query, pair.stored)]) {
      labels.set(key, (labels.get(key) ?? true) && pair.hit);
    }
  }
  return labels;
}

function otherPromptRight(
  pair: LabelledPair,
  servedPrompts: string[],
  labels: Map<string, boolean>,
): Ask['otherPromptRight'] {
  if (servedPrompts.includes(pair.query)) return 'same text';
  if (servedPrompts.some((prompt) => labels.get(pairKey(prompt, pair.query)) === true))
    return 'labelled match';
  return undefined;
}

function judge(pair: LabelledPair, reply: QueryReply, held: HeldAnswers): Ask {
  const base = { pair, xCache: reply.xCache, status: reply.status, ms: reply.ms };
  const served = reply.status === 200 && (reply.xCache === 'SEMANTIC' || reply.xCache === 'HIT');
  if (!served) {
    const outcome = reply.status === 200 ? 'miss' : 'error';
    return { ...base, servedPrompts: undefined, outcome, wrongPrompt: false };
  }
  const answer = reply.body.response;
  const servedPrompts = answer === undefined ? undefined : held.promptsOf.get(answer);
  const wrongPrompt = answer !== held.answerOf.get(pair.stored);
  const rightAnyway = wrongPrompt
    ? otherPromptRight(pair, servedPrompts ?? [], held.labels)
    : undefined;
  return {
    ...base,
    servedPrompts,
    outcome: (pair.hit && !wrongPrompt) || rightAnyway !== undefined ? 'correct' : 'wrong',
    wrongPrompt,
    otherPromptRight: rightAnyway,
    similarity: reply.body.similarity,
    matchScore: reply.body.match_score,
  };
}

const ratio = (part: number, whole: number) => (whole === 0 ? NaN : part / whole);
const fixed = (value: number, digits = 3) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

function summarise(asks: Ask[]) {
  const count = (test: (ask: Ask) => boolean) => asks.filter(test).length;
  const served = count((ask) => ask.outcome === 'correct' || ask.outcome === 'wrong');
  const correct = count((ask) => ask.outcome === 'correct');
  const positives = count((ask) => ask.pair.hit);
  const negatives = asks.length - positives;
  const precision = ratio(correct, served);
  // Of the pairs whose stored answer is right, how many got a right answer.
  const recall = ratio(
    count((ask) => ask.pair.hit && ask.outcome === 'correct'),
    positives,
  );
  const strictCorrect = count((ask) => ask.outcome === 'correct' && !ask.wrongPrompt);
  return {
    pairs: asks.length,
    positives,
    negatives,
    served,
    servedSemantic: count((ask) => ask.xCache === 'SEMANTIC' && ask.outcome !== 'error'),
    servedExact: count((ask) => ask.xCache === 'HIT' && ask.outcome !== 'error'),
    correct,
    wrong: served - correct,
    servedOnLabel0: count((ask) => !ask.pair.hit && ask.outcome === 'wrong'),
    wrongStoredPrompt: count((ask) => ask.wrongPrompt && ask.outcome === 'wrong'),
    otherPromptSameText: count((ask) => ask.otherPromptRight === 'same text'),
    otherPromptLabelledMatch: count((ask) => ask.otherPromptRight === 'labelled match'),
    misses: count((ask) => ask.outcome === 'miss'),
    errors: count((ask) => ask.outcome === 'error'),
    precision,
    recall,
    strictPrecision: ratio(strictCorrect, served),
    strictRecall: ratio(strictCorrect, positives),
    f1: ratio(2 * precision * recall, precision + recall),
    falseHitRate: ratio(
      count((ask) => !ask.pair.hit && ask.outcome === 'wrong'),
      negatives,
    ),
  };
}

function byKind(asks: Ask[]) {
  const kinds = new Map<string, Ask[]>();
  for (const ask of asks) {
    if (ask.pair.kind !== undefined)
      kinds.set(ask.pair.kind, [...(kinds.get(ask.pair.kind) ?? []), ask]);
  }
  return [...kinds]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, list]) => {
      const labels = new Set(list.map((ask) => (ask.pair.hit ? '1' : '0')));
      const served = list.filter((ask) => ask.outcome === 'correct' || ask.outcome === 'wrong');
      return {
        kind,
        pairs: list.length,
        label: labels.size === 1 ? [...labels][0] : 'mixed',
        served: served.length,
        share: served.length / list.length,
        correct: list.filter((ask) => ask.outcome === 'correct').length,
        wrongStoredPrompt: list.filter((ask) => ask.wrongPrompt && ask.outcome === 'wrong').length,
      };
    });
}

function latencies(asks: Ask[]) {
  const groups: [string, (ask: Ask) => boolean][] = [
    ['semantic hit (SEMANTIC)', (ask) => ask.status === 200 && ask.xCache === 'SEMANTIC'],
    ['miss (MISS)', (ask) => ask.status === 200 && ask.xCache === 'MISS'],
    ['exact hit (HIT)', (ask) => ask.status === 200 && ask.xCache === 'HIT'],
  ];
  return groups.map(([name, test]) => {
    const sorted = asks
      .filter(test)
      .map((ask) => ask.ms)
      .sort((a, b) => a - b);
    return {
      name,
      count: sorted.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
    };
  });
}

function table(header: string[], rows: (string | number)[][]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

async function main(): Promise<void> {
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) usage('give exactly one FILE');
  const fold = values.fold!;
  if (!FOLDS.includes(fold)) usage(`--fold must be one of ${FOLDS.join(', ')}`);
  const limit = values.limit === undefined ? undefined : positiveInteger('limit', values.limit);
  const concurrency = positiveInteger('concurrency', values.concurrency!);
  const indexTimeoutS = positiveInteger('index-timeout', values['index-timeout']!);
  const extraEnv = gatewayEnv(values.env!);
  const pairs = selectPairs(file, fold, limit);
  if (pairs.length === 0) usage(`${file} has no pairs in fold ${fold}`);
  const storedPrompts = [...new Set(pairs.map((pair) => pair.stored))];
  const askHeaders: Record<string, string> = { 'cache-control': 'no-store' };
  if (values.threshold !== undefined) askHeaders['x-cache-threshold'] = values.threshold;

  await runWithCleanup(async (onCleanup) => {
    const provider = await FakeOpenAIServer.start({
      reply: ({ lastUserText }) => `answer to prompt ${promptId(lastUserText)}: ${lastUserText}`,
    });
    onCleanup(() => provider.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'ragcache-quality-'));
    onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
    const gateway = await startProcess(['dist/src/main.js'], {
      OPENAI_BASE_URL: provider.baseUrl,
      OPENAI_API_KEY: 'sk-bench',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      ...extraEnv,
    });
    onCleanup(() => stopProcess(gateway));

    const storeStarted = performance.now();
    const answerOf = await storePhase(gateway.url, storedPrompts, concurrency, indexTimeoutS);
    const promptsOf = new Map<string, string[]>();
    for (const [text, answer] of answerOf)
      promptsOf.set(answer, [...(promptsOf.get(answer) ?? []), text]);
    const entries = promptsOf.size;
    console.log(
      `stored ${storedPrompts.length} prompts (${entries} index entries) in ${((performance.now() - storeStarted) / 1000).toFixed(1)} s; asking ${pairs.length} pairs at concurrency ${concurrency}`,
    );
    const labels = labelsOf(pairs);
    const askStarted = performance.now();
    const asks = await pool(pairs, concurrency, async (pair) =>
      judge(pair, await query(gateway.url, pair.query, askHeaders), {
        answerOf,
        promptsOf,
        labels,
      }),
    );
    const askSeconds = (performance.now() - askStarted) / 1000;
    report(file, fold, limit, storedPrompts.length, entries, extraEnv, asks, askSeconds);
  });
}

function report(
  file: string,
  fold: string,
  limit: number | undefined,
  stored: number,
  entries: number,
  env: Record<string, string>,
  asks: Ask[],
  askSeconds: number,
): void {
  const s = summarise(asks);
  const kinds = byKind(asks);
  const latency = latencies(asks);
  const envText = Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  console.log(`\n${file}, fold ${fold}${limit === undefined ? '' : `, first ${limit}`}`);
  table(
    ['measure', 'value'],
    [
      ['pairs', `${s.pairs} (${s.positives} label 1, ${s.negatives} label 0)`],
      ['stored prompts', `${stored} (${entries} semantic entries)`],
      ['threshold', values.threshold ?? 'gateway default'],
      ['gateway env', envText || 'defaults'],
      ['served from cache', `${s.served} (SEMANTIC ${s.servedSemantic}, HIT ${s.servedExact})`],
      ['correct hits', s.correct],
      ['precision', fixed(s.precision)],
      ['recall', fixed(s.recall)],
      ['F1', fixed(s.f1)],
      [
        'false-hit rate',
        `${fixed(s.falseHitRate)} (${s.servedOnLabel0} of ${s.negatives} label-0 pairs served)`,
      ],
      [
        'hits on another stored prompt, right anyway',
        `${s.otherPromptSameText + s.otherPromptLabelledMatch} (the new text itself ${s.otherPromptSameText}, labelled a match in FILE ${s.otherPromptLabelledMatch})`,
      ],
      ['hits on the wrong stored prompt', s.wrongStoredPrompt],
      [
        'strict precision / recall',
        `${fixed(s.strictPrecision)} / ${fixed(s.strictRecall)} (every hit on another stored prompt wrong)`,
      ],
      ['misses', s.misses],
      ['errors', s.errors],
      ['ask phase', `${askSeconds.toFixed(1)} s`],
    ],
  );
  if (kinds.length > 0) {
    console.log('');
    table(
      ['kind', 'pairs', 'label', 'served', 'share served', 'correct', 'wrong stored prompt'],
      kinds.map((k) => [
        k.kind,
        k.pairs,
        k.label,
        k.served,
        `${(100 * k.share).toFixed(1)}%`,
        k.correct,
        k.wrongStoredPrompt,
      ]),
    );
  }
  console.log('');
  table(
    ['ask requests', 'count', 'p50 ms', 'p90 ms', 'p99 ms'],
    latency.map((l) => [l.name, l.count, fixed(l.p50, 1), fixed(l.p90, 1), fixed(l.p99, 1)]),
  );
  if (values.json !== undefined) {
    const results = asks.map(({ pair, ms, ...ask }) => ({
      stored: pair.stored,
      query: pair.query,
      label: pair.hit ? 1 : 0,
      kind: pair.kind,
      ...ask,
      ms: Number(ms.toFixed(2)),
    }));
    const summary = {
      file,
      fold,
      limit,
      storedPrompts: stored,
      semanticEntries: entries,
      threshold: values.threshold ?? null,
      env,
      ...s,
      askSeconds,
    };
    writeFileSync(
      values.json,
      `${JSON.stringify({ summary, kinds, latency, results }, null, 2)}\n`,
    );
    console.log(`\nresults written to ${values.json}`);
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Semantic hits through HTTP: the built gateway (`npm run build` first) in its own process with
 * the default embedded semantic cache, the load generator in this one. Stored questions are
 * generated from templates; every measured request is a paraphrase, asked once, so each one is
 * embedded (no help from the embedding LRU) and must be judged by the match decision. Exact hits
 * on the same gateway in the same run are the baseline. Rounds alternate; medians are reported.
 *
 *   npm run bench:semantic -- [--rounds 3] [--duration 10] [--workers 2] [--verifier-workers 2]
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeOpenAIServer } from '../libs/testing';
import { median, memoryOf, startProcess, stopProcess } from './bench-process';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    'verifier-workers': { type: 'string', default: '2' },
    'batch-wait-ms': { type: 'string', default: '1' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);

const ACTIONS = [
  'reset',
  'change',
  'update',
  'recover',
  'delete',
  'export',
  'back up',
  'restore',
  'share',
  'lock',
  'unlock',
  'rename',
  'verify',
  'renew',
  'cancel',
  'upgrade',
  'sync',
  'encrypt',
  'print',
  'archive',
];
const THINGS = [
  'password',
  'account',
  'email address',
  'profile photo',
  'phone number',
  'subscription',
  'calendar',
  'contacts',
  'files',
  'invoices',
  'username',
  'settings',
  'browser history',
  'bank card',
  'address book',
  'notes',
  'playlist',
  'photo album',
  'home page',
  'signature',
];
const STORED = ACTIONS.flatMap((action) =>
  THINGS.map((thing) => `How do I ${action} my ${thing}?`),
);
const REWORDINGS = [
  (a: string, t: string) => `How can I ${a} my ${t}?`,
  (a: string, t: string) => `How should I ${a} my ${t}?`,
  (a: string, t: string) => `How could I ${a} my ${t}?`,
  (a: string, t: string) => `How do you ${a} your ${t}?`,
  (a: string, t: string) => `how do i ${a} my ${t}`,
  (a: string, t: string) => `How do I ${a} my ${t} ?!`,
  (a: string, t: string) => `How can you ${a} your ${t}?`,
  (a: string, t: string) => `How can I ${a} my ${t} please?`,
];
/** Every paraphrase once, shuffled with a fixed seed so runs are comparable. */
const PARAPHRASES = shuffled(
  ACTIONS.flatMap((action) =>
    THINGS.flatMap((thing) => REWORDINGS.map((reword) => reword(action, thing))),
  ),
);

function shuffled<T>(items: T[]): T[] {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Stores the answer to `query` under its own exact key, even if a similar one is stored. */
async function store(url: string, query: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
    body: JSON.stringify({ query }),
  });
  await response.arrayBuffer();
  return response.headers.get('x-cache') ?? 'none';
}

let nextParaphrase = 0;

async function load(url: string, connections: number, texts: string[] | 'paraphrases') {
  const outcomes = new Map<string, number>();
  const result = await autocannon({
    url: `${url}/api/v1/query`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const query =
            texts === 'paraphrases'
              ? PARAPHRASES[nextParaphrase++ % PARAPHRASES.length]
              : texts[Math.floor(Math.random() * texts.length)];
          return { ...request, body: JSON.stringify({ query }) };
        },
        onResponse: (_status, _body, _context, headers) => {
          const cache = String(headers?.['x-cache'] ?? 'none');
          outcomes.set(cache, (outcomes.get(cache) ?? 0) + 1);
        },
      },
    ],
  });
  return { result, outcomes };
}

async function main(): Promise<void> {
  const provider = await FakeOpenAIServer.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'ragcache-bench-'));
  const gateway = await startProcess(['dist/src/main.js'], {
    OPENAI_BASE_URL: provider.baseUrl,
    OPENAI_API_KEY: 'sk-bench',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    EMBEDDING_WORKERS: values.workers,
    SEMANTIC_VERIFIER_WORKERS: values['verifier-workers'],
    EMBEDDING_BATCH_WAIT_MS: values['batch-wait-ms'],
    // Every paraphrase is asked once per round: keep them all out of the LRU's reach.
    EMBEDDING_CACHE_SIZE: '0',
    CACHE_TTL_SECONDS: '86400',
  });
  for (const query of STORED) await store(gateway.url, query);
  // Semantic entries are written after the response: give the index a moment.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const callsAfterWarmup = provider.calls;
  const pid = gateway.child.pid ?? 0;
  const atStart = memoryOf(pid);
  console.log(
    `${STORED.length} stored questions, ${PARAPHRASES.length} paraphrases; EMBEDDING_WORKERS=${values.workers}, SEMANTIC_VERIFIER_WORKERS=${values['verifier-workers']}, EMBEDDING_BATCH_WAIT_MS=${values['batch-wait-ms']}; gateway RSS ${atStart?.rssMiB.toFixed(0)} MiB with the models loaded and the questions stored`,
  );
  await load(gateway.url, 16, STORED);

  const rows: Record<string, { rps: number; p50: number; p99: number; semantic: number }[]> = {};
  const record = (name: string, run: Awaited<ReturnType<typeof load>>) => {
    const total = [...run.outcomes.values()].reduce((sum, count) => sum + count, 0);
    const row = {
      rps: run.result.requests.average,
      p50: run.result.latency.p50,
      p99: run.result.latency.p99,
      semantic: (run.outcomes.get('SEMANTIC') ?? 0) / Math.max(1, total),
    };
    (rows[name] ??= []).push(row);
    console.log(
      `${name}: ${Math.round(row.rps)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, outcomes ${JSON.stringify(Object.fromEntries(run.outcomes))}, errors ${run.result.errors + run.result.non2xx}`,
    );
  };
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round}`);
    record('exact hit, c=1', await load(gateway.url, 1, STORED));
    record('semantic hit, c=1', await load(gateway.url, 1, 'paraphrases'));
    record('exact hit, c=16', await load(gateway.url, 16, STORED));
    record('semantic hit, c=16', await load(gateway.url, 16, 'paraphrases'));
  }
  console.log('\n| load | median req/s | median p50 ms | median p99 ms | served SEMANTIC |');
  console.log('|---|---|---|---|---|');
  for (const [name, list] of Object.entries(rows)) {
    console.log(
      `| ${name} | ${Math.round(median(list.map((row) => row.rps)))} | ${median(list.map((row) => row.p50))} | ${median(list.map((row) => row.p99))} | ${(100 * median(list.map((row) => row.semantic))).toFixed(1)}% |`,
    );
  }
  console.log(
    `\nprovider calls during the measured rounds: ${provider.calls - callsAfterWarmup} (paraphrases the decision refused)`,
  );
  const atEnd = memoryOf(pid);
  console.log(
    `gateway RSS: ${atStart?.rssMiB.toFixed(0)} MiB after start and storing, ${atEnd?.rssMiB.toFixed(0)} MiB after the rounds, peak ${atEnd?.peakMiB.toFixed(0)} MiB`,
  );
  await stopProcess(gateway);
  await provider.close();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});

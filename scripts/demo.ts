/**
 * `npm run demo`: the gateway at work with no key and no service. It starts the built gateway
 * (`dist/src/main.js`) in front of the local stand-in for the OpenAI API from `libs/testing`, asks
 * a question (MISS), the same question (HIT), a rewording (SEMANTIC) and a look-alike that means
 * something else (MISS), prints each request and response and a `/metrics` excerpt, and exits 0.
 * It checks what it shows: any other outcome, or no result within two minutes, exits 1.
 *
 *   npm run demo                                    (builds first)
 *   node -r @swc-node/register scripts/demo.ts      (runs the dist/ already built)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BenchServer,
  metricSamples,
  root,
  runWithCleanup,
  startProcess,
  stopProcess,
  sumOfSamples,
} from '../bench/bench-process';
import { FakeOpenAIServer } from '../libs/testing';
import { environmentSchema, SECRET_VARIABLES } from '../src/config/config.schema';
import type { CacheStatus } from '../src/query/query.service';

export const MAIN = join(root, 'dist', 'src', 'main.js');
/** The whole demo, start to finish; the models load in a few seconds even on two busy cores. */
export const DEMO_TIMEOUT_MS = 120_000;
/** The stand-in provider waits this long before each answer, as a short real call would. */
const PROVIDER_DELAY_MS = 300;
const ANSWER_WIDTH = 60;

const QUESTION = 'What is the capital of France?';

export interface DemoStep {
  /** Printed before the request: what the step shows. */
  explanation: string;
  query: string;
  expected: CacheStatus;
}

/**
 * Chosen with a margin at the default settings: the rewording scores 0.99 with the pair verifier
 * (the threshold is 0.75); the look-alike is refused by the entity rule, and the verifier would
 * give it under 0.01 although its cosine similarity (0.85) is as high as the rewording's.
 */
export const STEPS: readonly DemoStep[] = [
  {
    explanation:
      'A question the gateway has never seen: it calls the provider and stores the answer.',
    query: QUESTION,
    expected: 'MISS',
  },
  {
    explanation: 'The very same question again: the exact cache answers, no provider call.',
    query: QUESTION,
    expected: 'HIT',
  },
  {
    explanation:
      'A rewording: the pair verifier agrees that it means the same, so the stored answer is served.',
    query: 'Tell me the capital of France.',
    expected: 'SEMANTIC',
  },
  {
    explanation:
      'A look-alike: the same words, another country. The look-alike rules refuse it; the provider answers.',
    query: 'What is the capital of Spain?',
    expected: 'MISS',
  },
];

/** The metrics the excerpt shows: lookups per layer and result, provider calls, match decisions. */
export const METRICS_SHOWN = [
  'ragcache_cache_lookups_total',
  'ragcache_llm_requests_total',
  'ragcache_semantic_decisions_total',
] as const;

export function requestLine(step: DemoStep): string {
  return `> POST /api/v1/query ${JSON.stringify({ query: step.query })}`;
}

/** The response line starts with this; the test reads the status of each step from it. */
export function responsePrefix(status: number, cache: string | null): string {
  return `< ${status}  x-cache: ${cache ?? '(none)'}`;
}

/** What the stand-in provider answers: the question it was asked, so a served answer shows whose it is. */
export function answerTo(question: string): string {
  return `The provider's answer to: ${question}`;
}

class DemoFailure extends Error {}

/**
 * Every variable the gateway reads, set empty (which it reads as unset) unless the demo sets it: a
 * developer's shell or `.env` file cannot change what the demo shows, because the process
 * environment wins over `.env`.
 */
function gatewayEnvironment(openaiBaseUrl: string, dataDir: string): Record<string, string> {
  const names = [
    ...Object.keys(environmentSchema.shape),
    ...SECRET_VARIABLES.map((name) => `${name}_FILE`),
  ];
  return {
    ...Object.fromEntries(names.map((name) => [name, ''])),
    OPENAI_BASE_URL: openaiBaseUrl,
    OPENAI_API_KEY: 'sk-demo-not-a-real-key',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // PORT and HOST (a free port on 127.0.0.1) come from startProcess.
  };
}

function alive(server: BenchServer): boolean {
  return server.child.exitCode === null && server.child.signalCode === null;
}

async function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(30_000) });
}

/** Readiness: the provider is configured and the embedding model and pair verifier are loaded. */
async function waitUntilReady(gateway: BenchServer): Promise<void> {
  for (;;) {
    if (!alive(gateway)) throw new DemoFailure('the gateway exited while starting');
    const ready = await get(`${gateway.url}/health/ready`).catch(() => undefined);
    await ready?.arrayBuffer();
    if (ready?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function metricsText(gateway: BenchServer): Promise<string> {
  return (await get(`${gateway.url}/metrics`)).text();
}

/** The answer is stored in the semantic index after the response: wait until it is there. */
async function waitForSemanticEntries(gateway: BenchServer, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (
    sumOfSamples(metricSamples(await metricsText(gateway), 'ragcache_semantic_entries')) < count
  ) {
    if (Date.now() > deadline) throw new DemoFailure('the answer never reached the semantic index');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function truncate(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return JSON.stringify(line.length > ANSWER_WIDTH ? `${line.slice(0, ANSWER_WIDTH - 1)}…` : line);
}

async function ask(
  gateway: BenchServer,
  provider: FakeOpenAIServer,
  step: DemoStep,
  number: number,
  print: (line: string) => void,
): Promise<void> {
  print('');
  print(`${number}. ${step.explanation}`);
  print(`   ${requestLine(step)}`);
  const started = performance.now();
  const response = await fetch(`${gateway.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: step.query }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as {
    response?: string;
    match_score?: number;
    error?: { message: string };
  };
  const ms = Math.round(performance.now() - started);
  const cache = response.headers.get('x-cache');
  const similarity = response.headers.get('x-cache-similarity');
  const parts = [responsePrefix(response.status, cache)];
  if (similarity !== null) parts.push(`x-cache-similarity: ${similarity}`);
  if (body.match_score !== undefined) parts.push(`verifier: ${body.match_score.toFixed(2)}`);
  parts.push(`${ms} ms`, truncate(body.response ?? body.error?.message ?? ''));
  print(`   ${parts.join('  ')}`);
  print(`     provider calls so far: ${provider.calls}`);
  if (response.status !== 200 || cache !== step.expected) {
    throw new DemoFailure(
      `step ${number} answered ${response.status} with x-cache: ${cache ?? '(none)'}, expected 200 with x-cache: ${step.expected}`,
    );
  }
}

/** Runs the demo, printing through `print`; throws on any outcome other than the one shown. */
async function runDemo(
  onCleanup: (step: () => unknown) => void,
  print: (line: string) => void,
): Promise<void> {
  if (!existsSync(MAIN)) {
    throw new DemoFailure(`${MAIN} is missing: run npm run build first (npm run demo does)`);
  }
  const provider = await FakeOpenAIServer.start({
    delayMs: PROVIDER_DELAY_MS,
    reply: ({ lastUserText }) => answerTo(lastUserText),
  });
  onCleanup(() => provider.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'ragcache-demo-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const started = performance.now();
  const gateway = await startProcess([MAIN], gatewayEnvironment(provider.baseUrl, dataDir));
  onCleanup(() => stopProcess(gateway));
  await waitUntilReady(gateway);

  print(
    `RAG Cache demo: the built gateway on ${gateway.url}, ready in ${Math.round(performance.now() - started)} ms,`,
  );
  print(
    `in front of a local stand-in for the OpenAI API (libs/testing) that answers in ${PROVIDER_DELAY_MS} ms.`,
  );
  print('No API key, no Redis, no network: the exact and semantic caches are in memory.');

  for (const [index, step] of STEPS.entries()) {
    await ask(gateway, provider, step, index + 1, print);
    if (index === 0) await waitForSemanticEntries(gateway, 1);
  }

  print('');
  print(
    `${STEPS.length + 1}. What the gateway counted: lookups per layer, provider calls, semantic decisions.`,
  );
  print('   > GET /metrics');
  const text = await metricsText(gateway);
  for (const name of METRICS_SHOWN) {
    for (const line of metricSamples(text, name)) print(`   ${line}`);
  }
  const expectedCalls = STEPS.filter((step) => step.expected === 'MISS').length;
  const counted = sumOfSamples(metricSamples(text, 'ragcache_llm_requests_total'));
  if (counted !== expectedCalls || provider.calls !== expectedCalls) {
    throw new DemoFailure(
      `the provider was called ${provider.calls} times (the gateway counted ${counted}), expected ${expectedCalls}`,
    );
  }
  print('');
  print(
    `OK: ${STEPS.length} questions, ${expectedCalls} provider calls. With a real provider: OPENAI_API_KEY=sk-... npm start`,
  );
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DemoFailure(`no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  // The last resort if even the cleanup hangs; the gateway is killed on exit (startProcess).
  setTimeout(() => process.exit(1), DEMO_TIMEOUT_MS + 15_000).unref();
  try {
    await runWithCleanup((onCleanup) =>
      withTimeout(
        runDemo(onCleanup, (line) => console.log(line)),
        DEMO_TIMEOUT_MS,
      ),
    );
  } catch (error) {
    console.error(`\ndemo FAILED: ${(error as Error).message}`);
    process.exit(1);
  }
  process.exit(0);
}

if (require.main === module) void main();

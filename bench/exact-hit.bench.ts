/**
 * Exact-hit throughput through HTTP: the built gateway (`npm run build` first), a plain Fastify
 * baseline and a minimal NestJS route each run as their own process; autocannon drives them from
 * this one. Rounds alternate the three so all see the same machine noise; medians are reported.
 *
 *   npm run bench:exact -- [--rounds 5] [--duration 10] [--connections 50] [--prompts 1000]
 *                          [--log-level info|warn] [--redis redis://127.0.0.1:6379]
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeOpenAIServer } from '../libs/testing';
import { median, metricSamples, startProcess, stopProcess, sumOfSamples } from './bench-process';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    prompts: { type: 'string', default: '1000' },
    redis: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const promptCount = Number(values.prompts);

const prompts = Array.from(
  { length: promptCount },
  (_, i) => `How do I reset password number ${i}?`,
);
/** The gateway checks it on every request, as it does where API_KEYS is set; the others ignore it. */
const API_KEY = 'bench-key';
const bodies = prompts.map((query) => JSON.stringify({ query }));

async function load(url: string): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: `${url}/api/v1/query`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
}

async function main(): Promise<void> {
  const provider = await FakeOpenAIServer.start();
  // A fresh semantic index: one left from an earlier run would answer the warm-up requests as
  // semantic hits, which never reach the exact cache, and every measured request with them.
  const dataDir = mkdtempSync(join(tmpdir(), 'ragcache-bench-exact-'));
  const gateway = await startProcess(['dist/src/main.js'], {
    DATA_DIR: dataDir,
    OPENAI_BASE_URL: provider.baseUrl,
    OPENAI_API_KEY: 'sk-bench',
    API_KEYS: `bench:${API_KEY}`,
    LOG_LEVEL: values['log-level'],
    ...(values.redis ? { REDIS_URL: values.redis, REDIS_KEY_PREFIX: 'ragcache-bench:' } : {}),
  });
  const baseline = await startProcess(['-r', '@swc-node/register', 'bench/baseline.server.ts'], {});
  const nestMinimal = await startProcess(
    ['-r', '@swc-node/register', 'bench/nest-minimal.server.ts'],
    {},
  );

  // Warm every prompt so that the measured requests are all exact hits.
  for (const body of bodies) {
    const response = await fetch(`${gateway.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body,
    });
    await response.arrayBuffer();
  }
  const callsAfterWarmup = provider.calls;
  // An untimed run of each lets the JITs settle before the measured rounds.
  for (const server of [baseline, nestMinimal, gateway]) await load(server.url);

  const results: { name: string; rps: number; p50: number; p99: number; errors: number }[] = [];
  const hitsBefore = await exactHits(gateway.url);
  let gatewayAnswers = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const [name, server] of [
      ['baseline', baseline],
      ['nest', nestMinimal],
      ['gateway', gateway],
    ] as const) {
      const result = await load(server.url);
      if (name === 'gateway') gatewayAnswers += result['2xx'];
      const row = {
        name,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx,
      };
      results.push(row);
      console.log(
        `round ${round} ${name}: ${Math.round(row.rps)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, errors ${row.errors}`,
      );
    }
  }
  const hits = (await exactHits(gateway.url)) - hitsBefore;
  const summary = (name: string) => {
    const rows = results.filter((row) => row.name === name);
    return {
      rps: median(rows.map((row) => row.rps)),
      p50: median(rows.map((row) => row.p50)),
      p99: median(rows.map((row) => row.p99)),
      errors: rows.reduce((sum, row) => sum + row.errors, 0),
    };
  };
  const gatewaySummary = summary('gateway');
  const nestSummary = summary('nest');
  const baselineSummary = summary('baseline');
  console.log('\n| server | median req/s | median p50 ms | median p99 ms | errors |');
  console.log('|---|---|---|---|---|');
  for (const [name, row] of [
    ['plain Fastify baseline', baselineSummary],
    ['minimal NestJS route', nestSummary],
    ['RAG Cache exact hit', gatewaySummary],
  ] as const) {
    console.log(`| ${name} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${row.errors} |`);
  }
  console.log(
    `\nthroughput ratios: gateway / Fastify ${(gatewaySummary.rps / baselineSummary.rps).toFixed(2)}, ` +
      `gateway / NestJS ${(gatewaySummary.rps / nestSummary.rps).toFixed(2)}, ` +
      `NestJS / Fastify ${(nestSummary.rps / baselineSummary.rps).toFixed(2)}; ` +
      `provider calls during the measured rounds: ${provider.calls - callsAfterWarmup}; ` +
      `exact hits counted by the gateway: ${hits} of its ${gatewayAnswers} answers`,
  );
  await Promise.all([stopProcess(gateway), stopProcess(baseline), stopProcess(nestMinimal)]);
  await provider.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (hits < gatewayAnswers) {
    console.error('Not every measured gateway answer was an exact hit: the figures are not valid.');
    process.exit(1);
  }
}

/** The gateway's own count of exact-cache hits, every tenant, from /metrics. */
async function exactHits(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return sumOfSamples(
    metricSamples(text, 'ragcache_cache_lookups_total').filter((line) =>
      line.includes('{layer="exact",result="hit"'),
    ),
  );
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});

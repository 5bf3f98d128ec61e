/**
 * Time to first byte of a streamed miss: the same streamed requests sent straight to a fake
 * provider (the baseline, the provider's own TTFB) and through the built gateway (`npm run build`
 * first) in its own process, whose drop-in routes pass the provider's stream on as it arrives.
 * Every prompt is asked once, so every gateway request is a miss. Three cases: OpenAI Chat
 * Completions, Anthropic Messages, and a Chat Completions request for a Claude model (the gateway
 * translates Anthropic's stream) against the Anthropic fake directly. The fakes wait
 * `--provider-delay-ms` before their headers and first event and `--stream-delay-ms` between
 * events. Each request to the provider is paired with one through the gateway, their order
 * alternating, so noise hits both; TTFB is the time from sending the request to the first body
 * byte, total the time to the end of the stream. The TTFB is split in two at the fake provider,
 * which runs in this process and so shares its clock: the time until the fake has read the
 * request, and the time from its answer's start (after its delay) to the first byte here. One
 * pass with SEMANTIC_CACHE=false (the miss path without embedding), one with the defaults (the
 * provider call starts once the exact cache missed, while the miss is embedded and searched; run
 * with SEMANTIC_SPECULATIVE_STREAMS=false in the environment to measure a miss that waits for the
 * search), each gateway with a fresh DATA_DIR. Exits 1 if any request failed, was not a miss, or
 * its stream did not end normally (`data: [DONE]`, `message_stop`).
 *
 *   npm run bench:stream-ttfb -- [--rounds 3] [--requests 100] [--concurrency 1]
 *     [--provider-delay-ms 30] [--stream-delay-ms 5] [--semantic off|on|both]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, IncomingMessage, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FakeAnthropicServer,
  FakeOpenAIServer,
  FakeProviderServer,
  RecordedRequest,
} from '../libs/testing';
import { median, percentile, runWithCleanup, startProcess, stopProcess } from './bench-process';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1' },
    'provider-delay-ms': { type: 'string', default: '30' },
    'stream-delay-ms': { type: 'string', default: '5' },
    semantic: { type: 'string', default: 'both' },
  },
});

const USAGE =
  'usage: npm run bench:stream-ttfb -- [--rounds N] [--requests N] [--concurrency N] [--provider-delay-ms MS] [--stream-delay-ms MS] [--semantic off|on|both]';
// Untimed pairs per case before the first round, so that the JITs and connections settle.
const WARMUP_REQUESTS = 20;
// Within this of the provider's own median TTFB is the target (issue 10).
const TARGET_MS = 5;
const SEMANTIC_PASSES = { off: ['off'], on: ['on'], both: ['off', 'on'] } as const;

function usage(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function whole(name: string, min: number): number {
  const value = Number(values[name as keyof typeof values]);
  if (!Number.isInteger(value) || value < min) usage(`--${name} must be a whole number ≥ ${min}`);
  return value;
}

const rounds = whole('rounds', 1);
const requests = whole('requests', 1);
const concurrency = whole('concurrency', 1);
const providerDelayMs = whole('provider-delay-ms', 0);
const streamDelayMs = whole('stream-delay-ms', 0);
if (!(values.semantic in SEMANTIC_PASSES)) usage('--semantic must be off, on or both');
const passes = SEMANTIC_PASSES[values.semantic as keyof typeof SEMANTIC_PASSES];

/** Where to send a streamed request, in which API format, and how its stream must end. */
interface Target {
  url: string;
  headers: Record<string, string>;
  body: (prompt: string) => object;
  ended: (text: string) => boolean;
  /** Through the gateway: the answer must say `x-cache: MISS`. */
  gateway: boolean;
  /** The fake provider that answers it, directly or behind the gateway. */
  fake: FakeProviderServer;
}

interface Case {
  name: string;
  provider: Target;
  gateway: Target;
}

interface Sample {
  ttfbMs: number;
  totalMs: number;
  /** From sending the request to the fake provider having read it. */
  toProviderMs: number;
  /** From the fake provider starting its answer to the first body byte here. */
  toClientMs: number;
}

interface Samples {
  provider: Sample[];
  gateway: Sample[];
  failures: string[];
}

// The gateway asks OpenAI for the usage chunk whatever the client asked (it stores the usage),
// so the baseline asks for it too: both streams then have the same events.
const chatBody = (model: string) => (prompt: string) => ({
  model,
  messages: [{ role: 'user', content: prompt }],
  stream: true,
  stream_options: { include_usage: true },
});
const messagesBody = (prompt: string) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: prompt }],
  stream: true,
});
const endsWithDone = (text: string) => /data: \[DONE\]\n\n$/.test(text);
const endsWithMessageStop = (text: string) => /event: message_stop\ndata: [^\n]*\n\n$/.test(text);
const ANTHROPIC_HEADERS = { 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01' };

function cases(openai: FakeOpenAIServer, anthropic: FakeAnthropicServer, gateway: string): Case[] {
  const anthropicDirect: Target = {
    url: `${anthropic.baseUrl}/v1/messages`,
    headers: ANTHROPIC_HEADERS,
    body: messagesBody,
    ended: endsWithMessageStop,
    gateway: false,
    fake: anthropic,
  };
  return [
    {
      name: 'OpenAI chat completions',
      provider: {
        url: `${openai.baseUrl}/chat/completions`,
        headers: { authorization: 'Bearer sk-bench' },
        body: chatBody('gpt-4o-mini'),
        ended: endsWithDone,
        gateway: false,
        fake: openai,
      },
      gateway: {
        url: `${gateway}/v1/chat/completions`,
        headers: {},
        body: chatBody('gpt-4o-mini'),
        ended: endsWithDone,
        gateway: true,
        fake: openai,
      },
    },
    {
      name: 'Anthropic messages',
      provider: anthropicDirect,
      gateway: {
        url: `${gateway}/v1/messages`,
        headers: { 'anthropic-version': '2023-06-01' },
        body: messagesBody,
        ended: endsWithMessageStop,
        gateway: true,
        fake: anthropic,
      },
    },
    {
      name: 'chat completions for claude-haiku-4-5 (vs Anthropic direct)',
      provider: anthropicDirect,
      gateway: {
        url: `${gateway}/v1/chat/completions`,
        headers: {},
        body: chatBody('claude-haiku-4-5'),
        ended: endsWithDone,
        gateway: true,
        fake: anthropic,
      },
    },
  ];
}

// Six digits each, so every prompt (and the answer that echoes it) has as many words and events;
// a number that differs also keeps the semantic cache from matching one prompt to another.
let nextTicket = 100_000;
const uniquePrompt = () => `Ticket ${nextTicket++}: how do I move my photos to a new phone?`;

// Keep-alive both ways, as SDK clients do, so no request pays for a TCP handshake.
const agent = new Agent({ keepAlive: true });

function post(target: Target, payload: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      target.url,
      {
        method: 'POST',
        agent,
        headers: {
          ...target.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      resolve,
    );
    request.once('error', reject);
    request.end(payload);
  });
}

/** The fake's record of the request carrying `prompt` (each prompt is sent once), newest first. */
function recordOf(fake: FakeProviderServer, prompt: string): RecordedRequest | undefined {
  for (let i = fake.requests.length - 1; i >= 0; i--) {
    if (JSON.stringify(fake.requests[i].body).includes(prompt)) return fake.requests[i];
  }
  return undefined;
}

/** Sends one streamed request and reads it to its end: the sample, or why it failed. */

async function timedStream(target: Target): Promise<Sample | string> {
  const prompt = uniquePrompt();
  const payload = JSON.stringify(target.body(prompt));
  const started = performance.now();
  try {
    const response = await post(target, payload);
    response.setEncoding('utf8');
    let ttfbMs: number | undefined;
    let text = '';
    for await (const chunk of response) {
      ttfbMs ??= performance.now() - started;
      text += chunk;
    }
    const totalMs = performance.now() - started;
    const cache = response.headers['x-cache'];
    if (response.statusCode !== 200) return `${target.url}: ${response.statusCode} ${text}`;
    if (target.gateway && cache !== 'MISS') return `${target.url}: x-cache ${cache}, not MISS`;
    if (ttfbMs === undefined || !target.ended(text)) {
      return `${target.url}: the stream did not end normally: …${text.slice(-200)}`;
    }
    // The fakes run in this process, so their timestamps are on this clock.
    const seen = recordOf(target.fake, prompt);
    if (seen?.answeredAt === undefined)
      return `${target.url}: the fake provider has no record of it`;
    return {
      ttfbMs,
      totalMs,
      toProviderMs: seen.receivedAt - started,
      toClientMs: started + ttfbMs - seen.answeredAt,
    };
  } catch (error) {
    return `${target.url}: ${(error as Error).message}`;
  }
}

/** `requests` pairs, `concurrency` at a time; odd pairs go through the gateway first. */
async function measure(benchCase: Case, count: number, samples: Samples): Promise<void> {
  let next = 0;
  const record = (into: Sample[], result: Sample | string) =>
    typeof result === 'string' ? samples.failures.push(result) : into.push(result);
  const worker = async () => {
    while (next < count) {
      const gatewayFirst = next++ % 2 === 1;
      if (gatewayFirst) record(samples.gateway, await timedStream(benchCase.gateway));
      record(samples.provider, await timedStream(benchCase.provider));
      if (!gatewayFirst) record(samples.gateway, await timedStream(benchCase.gateway));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Waits until /health/ready answers 200: with the semantic cache, until the models are loaded. */
async function ready(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await fetch(`${url}/health/ready`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline) throw new Error(`${url}/health/ready did not answer 200`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const ms = (value: number) => value.toFixed(1);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;

function spread(samples: Sample[], field: keyof Sample) {
  const sorted = samples.map((sample) => sample[field]).sort((a, b) => a - b);
  return { p50: median(sorted), p90: percentile(sorted, 90) };
}

const noSamples = (): Samples => ({ provider: [], gateway: [], failures: [] });

function roundLine(name: string, round: number, samples: Samples): string {
  const p50 = (list: Sample[], field: keyof Sample) => ms(spread(list, field).p50);
  return (
    `round ${round} ${name}: median TTFB provider ${p50(samples.provider, 'ttfbMs')} ms, gateway ${p50(samples.gateway, 'ttfbMs')} ms; ` +
    `median total provider ${p50(samples.provider, 'totalMs')} ms, gateway ${p50(samples.gateway, 'totalMs')} ms; failures ${samples.failures.length}`
  );
}

function tableRow(name: string, semantic: string, samples: Samples): string {
  const ttfb = {
    provider: spread(samples.provider, 'ttfbMs'),
    gateway: spread(samples.gateway, 'ttfbMs'),
  };
  const total = {
    provider: spread(samples.provider, 'totalMs'),
    gateway: spread(samples.gateway, 'totalMs'),
  };
  const ttfbDelta = ttfb.gateway.p50 - ttfb.provider.p50;
  return `| ${[
    name,
    semantic,
    `${samples.provider.length} / ${samples.gateway.length}`,
    `${ms(ttfb.provider.p50)} / ${ms(ttfb.provider.p90)}`,
    `${ms(ttfb.gateway.p50)} / ${ms(ttfb.gateway.p90)}`,
    signed(ttfbDelta),
    ttfbDelta <= TARGET_MS ? 'yes' : 'no',
    `${ms(spread(samples.provider, 'toProviderMs').p50)} / ${ms(spread(samples.gateway, 'toProviderMs').p50)}`,
    `${ms(spread(samples.provider, 'toClientMs').p50)} / ${ms(spread(samples.gateway, 'toClientMs').p50)}`,
    `${ms(total.provider.p50)} / ${ms(total.provider.p90)}`,
    `${ms(total.gateway.p50)} / ${ms(total.gateway.p90)}`,
    signed(total.gateway.p50 - total.provider.p50),
    samples.failures.length,
  ].join(' | ')} |`;
}

/** The warm-up and the rounds of every case against one gateway: the samples by case. */
async function runPass(list: Case[], warmupFailures: string[]): Promise<Map<string, Samples>> {
  for (const benchCase of list) {
    await measure(benchCase, WARMUP_REQUESTS, { ...noSamples(), failures: warmupFailures });
  }
  const byCase = new Map(list.map((benchCase) => [benchCase.name, noSamples()]));
  for (let round = 1; round <= rounds; round++) {
    // Each round starts with another case, so none always runs first.
    for (let i = 0; i < list.length; i++) {
      const benchCase = list[(round - 1 + i) % list.length];
      const samples = noSamples();
      await measure(benchCase, requests, samples);
      console.log(roundLine(benchCase.name, round, samples));
      const all = byCase.get(benchCase.name) as Samples;
      all.provider.push(...samples.provider);
      all.gateway.push(...samples.gateway);
      all.failures.push(...samples.failures);
    }
  }
  return byCase;
}

async function main(): Promise<void> {
  console.log(`npm run bench:stream-ttfb -- ${process.argv.slice(2).join(' ')}`.trimEnd());
  console.log(
    `${rounds} rounds × ${requests} request pairs per case, concurrency ${concurrency}; fake providers wait ${providerDelayMs} ms before the first event and ${streamDelayMs} ms between events`,
  );
  const rows: string[] = [];
  const failures: string[] = [];
  await runWithCleanup(async (onCleanup) => {
    const fake = { delayMs: providerDelayMs, streamDelayMs };
    const openai = await FakeOpenAIServer.start(fake);
    onCleanup(() => openai.close());
    const anthropic = await FakeAnthropicServer.start(fake);
    onCleanup(() => anthropic.close());
    const dataRoot = mkdtempSync(join(tmpdir(), 'ragcache-ttfb-'));
    onCleanup(() => rmSync(dataRoot, { recursive: true, force: true }));
    onCleanup(() => agent.destroy());

    for (const semantic of passes) {
      const gateway = await startProcess(['dist/src/main.js'], {
        OPENAI_BASE_URL: openai.baseUrl,
        OPENAI_API_KEY: 'sk-bench',
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        ANTHROPIC_API_KEY: 'sk-ant-bench',
        LOG_LEVEL: 'warn',
        DATA_DIR: mkdtempSync(join(dataRoot, `semantic-${semantic}-`)),
        ...(semantic === 'off' ? { SEMANTIC_CACHE: 'false' } : {}),
      });
      onCleanup(() => stopProcess(gateway));
      await ready(gateway.url);
      console.log(
        `\nsemantic cache ${semantic === 'off' ? 'off (SEMANTIC_CACHE=false)' : 'on (defaults)'}`,
      );
      const byCase = await runPass(cases(openai, anthropic, gateway.url), failures);
      for (const [name, samples] of byCase) {
        rows.push(tableRow(name, semantic, samples));
        failures.push(...samples.failures);
      }
      await stopProcess(gateway);
    }
  });

  console.log(
    `\n| case | semantic cache | samples provider / gateway | TTFB provider p50 / p90 ms | TTFB gateway p50 / p90 ms | Δ TTFB p50 ms | Δ ≤ ${TARGET_MS} ms | to the provider p50, direct / through the gateway ms | provider's answer to the first byte p50, direct / through ms | total provider p50 / p90 ms | total gateway p50 / p90 ms | Δ total p50 ms | failures |`,
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  if (failures.length > 0) {
    console.error(`\n${failures.length} requests failed (warm-up included); the first:`);
    for (const failure of failures.slice(0, 5)) console.error(`  ${failure}`);
    process.exit(1);
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});

/**
 * CPU time of one exact hit inside the gateway, without sockets or a load generator sharing the
 * cores: the whole app is built in this process (`createApp`, the defaults plus an API key),
 * 200 questions are stored, then answered again through Fastify's `inject` (light-my-request)
 * 50 at a time. Reports process CPU µs per request for each round; `inject` itself costs some
 * 20 µs of it. With `--profile FILE` it writes a V8 CPU profile of the measured rounds, for
 * Chrome DevTools or `speedscope`.
 *
 *   npm run bench:exact-cpu -- [--rounds 3] [--requests 20000] [--profile hit.cpuprofile]
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeOpenAIServer } from '../libs/testing';
import { createApp } from '../src/app.factory';
import { median } from './bench-process';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '20000' },
    profile: { type: 'string' },
  },
});
const API_KEY = 'bench-key';
const CONCURRENCY = 50;
const bodies = Array.from({ length: 200 }, (_, i) =>
  JSON.stringify({ query: `How do I reset password number ${i}?` }),
);

async function main(): Promise<void> {
  const provider = await FakeOpenAIServer.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'ragcache-bench-cpu-'));
  const app = await createApp(
    {
      variables: {
        OPENAI_BASE_URL: provider.baseUrl,
        OPENAI_API_KEY: 'sk-bench',
        API_KEYS: `bench:${API_KEY}`,
        DATA_DIR: dataDir,
      },
    },
    // The log line is still built and serialised; only the write goes nowhere.
    { logDestination: { write: () => undefined } },
  );
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  const ask = (payload: string) =>
    fastify.inject({
      method: 'POST',
      url: '/api/v1/query',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      payload,
    });
  for (const body of bodies) await ask(body);
  const round = async (requests: number): Promise<number> => {
    const started = process.cpuUsage();
    for (let sent = 0; sent < requests; sent += CONCURRENCY) {
      const answers = await Promise.all(bodies.slice(0, CONCURRENCY).map(ask));
      const miss = answers.find((answer) => answer.headers['x-cache'] !== 'HIT');
      if (miss) throw new Error(`not an exact hit: ${miss.statusCode} ${miss.headers['x-cache']}`);
    }
    const used = process.cpuUsage(started);
    return (used.user + used.system) / requests;
  };
  const requests = Number(values.requests);
  await round(requests);
  const session = new Session();
  if (values.profile) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const perRequest: number[] = [];
  for (let i = 1; i <= Number(values.rounds); i++) {
    perRequest.push(await round(requests));
    console.log(`round ${i}: ${perRequest[i - 1].toFixed(1)} µs of CPU per exact hit`);
  }
  if (values.profile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(values.profile, JSON.stringify(profile));
    console.log(`profile of the measured rounds: ${values.profile}`);
  }
  console.log(`median: ${median(perRequest).toFixed(1)} µs of CPU per exact hit (inject included)`);
  await app.close();
  await provider.close();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});

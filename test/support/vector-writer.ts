/**
 * Child process for test/semantic-durability.e2e-spec.ts: opens a UsearchVectorStore in the
 * directory it is given and upserts entries until it is killed, printing each entry's number on
 * its own line as soon as the upsert is acknowledged. stdout is a pipe, which Node writes
 * synchronously on Linux, so a printed number reached the parent before any later kill.
 *
 *   node -r @swc-node/register test/support/vector-writer.ts <dataDir> <checkpointEvery>
 */
import { UsearchVectorStore } from '../../src/semantic/index/usearch.vector-store';
import { unitVector } from '../../src/semantic/index/vector-store.contract';

export const WRITER_MODEL = 'durability-model';
export const WRITER_DIMENSIONS = 64;
/** Upserts issued together, so group commit (several records per fdatasync) is what gets killed. */
const CONCURRENT = 4;

export function writerEntry(id: number) {
  return {
    tenant: 'acme',
    namespace: 'default',
    scope: id % 2 === 0 ? 'even' : 'odd',
    hash: `entry-${id}`,
    text: `question ${id}`,
    vector: unitVector(id, WRITER_DIMENSIONS),
    answer: {
      content: `answer ${id}`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      finishReason: 'stop',
      usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      costUsd: null,
      createdAt: 0,
    },
    expiresAt: Date.now() + 3_600_000,
    minScore: 0,
    blockedQueries: [],
  };
}

async function main(dataDir: string, checkpointEvery: number): Promise<void> {
  const store = new UsearchVectorStore({ dataDir, checkpointEvery });
  await store.open(WRITER_MODEL, WRITER_DIMENSIONS);
  for (let next = 1; ; next += CONCURRENT) {
    const ids = Array.from({ length: CONCURRENT }, (_, i) => next + i);
    await Promise.all(
      ids.map((id) => store.upsert(writerEntry(id)).then(() => process.stdout.write(`${id}\n`))),
    );
  }
}

if (require.main === module) {
  main(process.argv[2], Number(process.argv[3])).catch((error: Error) => {
    console.error(error);
    process.exit(1);
  });
}

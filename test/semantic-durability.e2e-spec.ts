import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsearchVectorStore } from '../src/semantic/index/usearch.vector-store';
import { WRITER_DIMENSIONS, WRITER_MODEL, writerEntry } from './support/vector-writer';

const WRITER = join(__dirname, 'support', 'vector-writer.ts');
const KILL_AFTER = 300;

interface KilledWriter {
  acknowledged: number[];
  signal: NodeJS.Signals | null;
}

/** Runs the writer until it has acknowledged KILL_AFTER upserts, then kills it without warning. */
function writeUntilKilled(dataDir: string, checkpointEvery: number): Promise<KilledWriter> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['-r', '@swc-node/register', WRITER, dataDir, String(checkpointEvery)],
      { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let buffered = '';
    let errors = '';
    const acknowledged: number[] = [];
    let killed = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      // The last piece is a line still being written (or empty): it was not acknowledged yet.
      buffered = lines.pop() ?? '';
      for (const line of lines) acknowledged.push(Number(line));
      if (!killed && acknowledged.length >= KILL_AFTER) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!killed) reject(new Error(`the writer exited by itself (${code}): ${errors}`));
      else resolve({ acknowledged, signal });
    });
  });
}

describe('semantic index durability across kill -9', () => {
  let dataDir: string;
  let store: UsearchVectorStore | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ragcache-durability-'));
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['with the write-ahead log only', 1_000_000],
    ['with checkpoints every few writes, so the kill may land in one', 7],
  ])(
    'finds every acknowledged entry after a kill during a stream of writes (%s)',
    async (_label, checkpointEvery) => {
      const { acknowledged, signal } = await writeUntilKilled(dataDir, checkpointEvery);
      expect(signal).toBe('SIGKILL');
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);

      store = new UsearchVectorStore({ dataDir, checkpointEvery });
      await store.open(WRITER_MODEL, WRITER_DIMENSIONS);
      const missing: number[] = [];
      for (const id of acknowledged) {
        const entry = writerEntry(id);
        const stored = await store.get(entry);
        const [nearest] = await store.search(entry, entry.vector, 1);
        if (
          stored?.text !== entry.text ||
          nearest?.entry.hash !== entry.hash ||
          nearest.similarity < 0.99
        ) {
          missing.push(id);
        }
      }
      expect(missing).toEqual([]);
      // Writes in flight at the kill may or may not have landed; nothing else may appear.
      expect(await store.count()).toBeLessThanOrEqual(acknowledged.length + 4);
      expect(await store.count()).toBeGreaterThanOrEqual(acknowledged.length);
    },
    30_000,
  );
});

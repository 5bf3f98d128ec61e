import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Embedder } from './embedder.port';

export interface WorkerThreadEmbedderOptions {
  /** Absolute path of the module exporting the embedder class, e.g. `require.resolve('./use-lite.embedder')`. */
  module: string;
  /** The exported class; each worker constructs it with `options`. */
  exportName: string;
  /** Passed to the constructor; must survive structured cloning (plain data). */
  options?: unknown;
  /** One model instance per worker. */
  workers?: number;
}

/** What the main thread hands each worker at start. */
export interface WorkerSetup {
  module: string;
  exportName: string;
  options: unknown;
}

export interface ToWorker {
  id: number;
  texts: readonly string[];
}

export type FromWorker =
  | { type: 'ready'; modelId: string; dimensions: number }
  | { type: 'load-failed'; message: string }
  | { type: 'vectors'; id: number; buffer: ArrayBuffer; count: number }
  | { type: 'failed'; id: number; message: string };

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
  settled: Promise<unknown>;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

const ENTRY = 'worker-thread.embedder.worker';

/**
 * Runs an embedder in worker threads. USE-lite on TF.js wasm computes on the calling thread, so
 * in the gateway's thread a batch stalls every request for its duration; in a worker it does not,
 * and each worker is one more core's worth of model (one wasm instance is single-threaded).
 * Calls go to the worker with the fewest outstanding batches; put a MicroBatchingEmbedder with
 * `concurrency` equal to `workers` in front to keep them all busy.
 */
export class WorkerThreadEmbedder implements Embedder {
  private slots: Slot[] = [];
  private identity: { modelId: string; dimensions: number } | undefined;
  private nextId = 0;

  constructor(private readonly options: WorkerThreadEmbedderOptions) {}

  get modelId(): string {
    return this.identity?.modelId ?? '';
  }

  get dimensions(): number {
    return this.identity?.dimensions ?? 0;
  }

  get ready(): boolean {
    return this.identity !== undefined && this.slots.length > 0;
  }

  async load(): Promise<void> {
    if (this.ready) return;
    const setup: WorkerSetup = {
      module: this.options.module,
      exportName: this.options.exportName,
      options: this.options.options,
    };
    const starting = Array.from({ length: this.options.workers ?? 1 }, () => start(setup));
    const results = await Promise.allSettled(starting);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) {
      await Promise.all(
        results.map((result) => result.status === 'fulfilled' && result.value.worker.terminate()),
      );
      throw failure.reason;
    }
    const started = results.map((result) => (result as PromiseFulfilledResult<Started>).value);
    this.identity = started[0].identity;
    this.slots = started.map(({ worker }) => this.attach(worker));
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!this.ready) return Promise.reject(new Error('the embedding model is not loaded yet'));
    if (texts.length === 0) return Promise.resolve([]);
    const slot = this.slots.reduce((least, slot) =>
      slot.pending.size < least.pending.size ? slot : least,
    );
    const id = this.nextId++;
    let callbacks!: Pick<Pending, 'resolve' | 'reject'>;
    const answer = new Promise<Float32Array[]>((resolve, reject) => {
      callbacks = { resolve, reject };
    });
    const settled = answer.then(
      () => undefined,
      () => undefined,
    );
    slot.pending.set(id, { ...callbacks, settled });
    slot.worker.postMessage({ id, texts } satisfies ToWorker);
    return answer;
  }

  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    this.identity = undefined;
    await Promise.all(
      slots.map(async (slot) => {
        // Batches already sent finish first; callers waiting on them get their vectors.
        await Promise.all([...slot.pending.values()].map((pending) => pending.settled));
        await slot.worker.terminate();
      }),
    );
  }

  private attach(worker: Worker): Slot {
    const slot: Slot = { worker, pending: new Map() };
    const dimensions = this.dimensions;
    worker.on('message', (message: FromWorker) => {
      if (message.type !== 'vectors' && message.type !== 'failed') return;
      const pending = slot.pending.get(message.id);
      slot.pending.delete(message.id);
      if (message.type === 'failed') {
        pending?.reject(new Error(message.message));
        return;
      }
      const flat = new Float32Array(message.buffer);
      pending?.resolve(
        Array.from({ length: message.count }, (_, i) =>
          flat.slice(i * dimensions, (i + 1) * dimensions),
        ),
      );
    });
    // A worker that dies takes its batches with it; the others carry on.
    const lost = (error: Error): void => {
      this.slots = this.slots.filter((other) => other !== slot);
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the embedding worker exited with code ${code}`)));
    return slot;
  }
}

interface Started {
  worker: Worker;
  identity: { modelId: string; dimensions: number };
}

function start(setup: WorkerSetup): Promise<Started> {
  const worker = spawn(setup);
  return new Promise((resolve, reject) => {
    const stopListening = (): void => {
      worker.off('message', onMessage).off('error', fail).off('exit', exited);
    };
    const fail = (error: Error): void => {
      stopListening();
      void worker.terminate();
      reject(error);
    };
    const exited = (code: number): void =>
      fail(new Error(`the embedding worker exited with code ${code} while loading`));
    const onMessage = (message: FromWorker): void => {
      if (message.type === 'ready') {
        stopListening();
        resolve({ worker, identity: { modelId: message.modelId, dimensions: message.dimensions } });
      } else if (message.type === 'load-failed') {
        fail(new Error(message.message));
      }
    };
    worker.on('message', onMessage).on('error', fail).on('exit', exited);
  });
}

/**
 * From dist/ the compiled entry sits next to this file. From the TypeScript sources (Jest,
 * `node -r @swc-node/register`) there is only the `.ts`, and a worker thread inherits neither
 * Jest's transform nor the parent's `-r` hooks, so it registers the compiler itself.
 */
function spawn(workerData: WorkerSetup): Worker {
  const compiled = join(__dirname, `${ENTRY}.js`);
  if (existsSync(compiled)) return new Worker(compiled, { workerData });
  const register = JSON.stringify(require.resolve('@swc-node/register'));
  const source = JSON.stringify(join(__dirname, `${ENTRY}.ts`));
  return new Worker(`require(${register}); require(${source});`, { eval: true, workerData });
}

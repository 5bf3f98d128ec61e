import { join } from 'node:path';
import { WorkerPool } from '../../../libs/worker-pool';
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

export interface EmbedderIdentity {
  modelId: string;
  dimensions: number;
}

/**
 * Runs an embedder in worker threads. USE-lite on TF.js wasm computes on the calling thread, so
 * in the gateway's thread a batch stalls every request for its duration; in a worker it does not,
 * and each worker is one more core's worth of model (one wasm instance is single-threaded).
 * Calls go to the worker with the fewest outstanding batches; put a MicroBatchingEmbedder with
 * `concurrency` equal to `workers` in front to keep them all busy.
 */
export class WorkerThreadEmbedder implements Embedder {
  private readonly pool: WorkerPool<EmbedderIdentity, readonly string[], ArrayBuffer>;

  constructor(options: WorkerThreadEmbedderOptions) {
    this.pool = new WorkerPool({
      entry: join(__dirname, 'worker-thread.embedder.worker'),
      setup: {
        module: options.module,
        exportName: options.exportName,
        options: options.options,
      } satisfies WorkerSetup,
      workers: options.workers ?? 1,
      name: 'embedding',
    });
  }

  get modelId(): string {
    return this.pool.info?.modelId ?? '';
  }

  get dimensions(): number {
    return this.pool.info?.dimensions ?? 0;
  }

  get ready(): boolean {
    return this.pool.started;
  }

  async load(): Promise<void> {
    await this.pool.start();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!this.ready) throw new Error('the embedding model is not loaded yet');
    if (texts.length === 0) return [];
    const dimensions = this.dimensions;
    // A raw buffer crosses the thread boundary; typed arrays are made on this side, in this realm.
    const flat = new Float32Array(await this.pool.run(texts));
    return Array.from({ length: texts.length }, (_, i) =>
      flat.slice(i * dimensions, (i + 1) * dimensions),
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

import { LRUCache } from 'lru-cache';
import { Embedder } from './embedder.port';

export interface MicroBatchingOptions {
  /** A batch runs as soon as this many distinct texts wait. */
  maxBatch?: number;
  /** How long the first waiting text waits for company; 0 runs at the next turn of the event loop. */
  maxWaitMs?: number;
  /** Recent text → vector entries kept (512-d vectors: about 2 KB each). 0 turns the cache off. */
  cacheSize?: number;
  /** Batches run on the inner embedder at once: 1 for a model on this thread, more for a pool. */
  concurrency?: number;
}

export interface MicroBatchingStats {
  /** Calls made to the inner embedder. */
  batches: number;
  /** Texts the inner embedder embedded (after the cache and de-duplication). */
  textsEmbedded: number;
  /** Texts answered from the cache. */
  cacheHits: number;
}

interface Waiting {
  text: string;
  resolve: (vector: Float32Array) => void;
  reject: (error: unknown) => void;
  /** Callers still waiting for this text; at zero a text that has not started is dropped. */
  callers: number;
}

/** One caller's claim on a text being embedded. */
export interface EmbeddingTicket {
  vector: Promise<Float32Array>;
  /**
   * The caller no longer needs the vector (the exact cache answered first): a text that no
   * other caller waits for and that has not reached the model yet is dropped from the queue.
   */
  release(): void;
}

export class EmbeddingReleasedError extends Error {
  constructor() {
    super('the embedding was released before it ran');
    this.name = 'EmbeddingReleasedError';
  }
}

/**
 * Merges `embed()` calls from concurrent requests into batches for the wrapped model. A model
 * costs much less per text in a batch (USE-lite: ~8 ms for one sentence, ~5 ms per sentence in 32),
 * and while one batch runs the next one fills, so batches grow with load instead of queueing up
 * single-text calls. Equal texts are embedded once, and recent texts come from an LRU cache.
 *
 * Vectors are shared between the callers and the cache: treat them as read-only.
 */
export class MicroBatchingEmbedder implements Embedder {
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly concurrency: number;
  private readonly cache: LRUCache<string, Float32Array> | undefined;
  private readonly queue: Waiting[] = [];
  // Texts queued or running, so that a text asked for twice before its answer is embedded once.
  private readonly pending = new Map<
    string,
    { promise: Promise<Float32Array>; waiting?: Waiting }
  >();
  private readonly running = new Set<Promise<void>>();
  private cancelTimer: (() => void) | undefined;
  private readonly counters: MicroBatchingStats = { batches: 0, textsEmbedded: 0, cacheHits: 0 };

  constructor(
    private readonly inner: Embedder,
    options: MicroBatchingOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 32;
    this.maxWaitMs = options.maxWaitMs ?? 1;
    this.concurrency = options.concurrency ?? 1;
    const cacheSize = options.cacheSize ?? 10_000;
    this.cache = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
    if (this.maxBatch < 1 || this.concurrency < 1 || this.maxWaitMs < 0) {
      throw new Error('maxBatch and concurrency must be at least 1, maxWaitMs at least 0');
    }
  }

  get modelId(): string {
    return this.inner.modelId;
  }

  get dimensions(): number {
    return this.inner.dimensions;
  }

  get ready(): boolean {
    return this.inner.ready;
  }

  get stats(): MicroBatchingStats {
    return { ...this.counters };
  }

  load(): Promise<void> {
    return this.inner.load();
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.all(texts.map((text) => this.embedOne(text)));
  }

  /** Runs what is queued, waits for every batch, then closes the model. */
  async close(): Promise<void> {
    this.clearTimer();
    this.drain();
    while (this.running.size > 0) {
      await Promise.all(this.running);
    }
    this.cache?.clear();
    await this.inner.close();
  }

  private embedOne(text: string): Promise<Float32Array> {
    return this.claim(text).vector;
  }

  /** Like `embed` for one text, with a way to give the claim up before the model runs it. */
  claim(text: string): EmbeddingTicket {
    const cached = this.cache?.get(text);
    if (cached) {
      this.counters.cacheHits++;
      return { vector: Promise.resolve(cached), release: () => undefined };
    }
    const pending = this.pending.get(text);
    if (pending) {
      if (pending.waiting) pending.waiting.callers++;
      return { vector: pending.promise, release: this.releaser(pending.waiting) };
    }
    let waiting: Waiting | undefined;
    const promise = new Promise<Float32Array>((resolve, reject) => {
      waiting = { text, resolve, reject, callers: 1 };
      this.queue.push(waiting);
    });
    this.pending.set(text, { promise, waiting });
    this.schedule();
    return { vector: promise, release: this.releaser(waiting) };
  }

  private releaser(waiting: Waiting | undefined): () => void {
    let released = false;
    return () => {
      if (released || !waiting) return;
      released = true;
      waiting.callers--;
      const index = this.queue.indexOf(waiting);
      if (waiting.callers > 0 || index < 0) return;
      this.queue.splice(index, 1);
      this.pending.delete(waiting.text);
      waiting.reject(new EmbeddingReleasedError());
    };
  }

  private schedule(): void {
    if (this.running.size >= this.concurrency) return; // the running batch drains the queue when it ends
    if (this.queue.length >= this.maxBatch) {
      this.drain();
    } else if (this.cancelTimer === undefined) {
      const flush = (): void => {
        this.cancelTimer = undefined;
        this.drain();
      };
      if (this.maxWaitMs === 0) {
        const immediate = setImmediate(flush);
        this.cancelTimer = () => clearImmediate(immediate);
      } else {
        const timeout = setTimeout(flush, this.maxWaitMs);
        this.cancelTimer = () => clearTimeout(timeout);
      }
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.running.size < this.concurrency) {
      this.clearTimer();
      // Spread what waits over the idle model instances: with two workers, two batches of 8 end
      // sooner than one of 16 while the other worker idles.
      const idle = this.concurrency - this.running.size;
      const batch = this.queue.splice(
        0,
        Math.min(this.maxBatch, Math.ceil(this.queue.length / idle)),
      );
      // Running now: releasing can no longer save the model any work.
      for (const waiting of batch) {
        const pending = this.pending.get(waiting.text);
        if (pending) pending.waiting = undefined;
      }
      const run = this.run(batch).finally(() => {
        this.running.delete(run);
        // Whatever queued up meanwhile has waited for the model already: run it now.
        this.drain();
      });
      this.running.add(run);
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    this.counters.batches++;
    this.counters.textsEmbedded += batch.length;
    try {
      const vectors = await this.inner.embed(batch.map((waiting) => waiting.text));
      if (vectors.length !== batch.length) {
        throw new Error(
          `the embedder returned ${vectors.length} vectors for ${batch.length} texts`,
        );
      }
      for (const [index, { text, resolve }] of batch.entries()) {
        this.cache?.set(text, vectors[index]);
        this.pending.delete(text);
        resolve(vectors[index]);
      }
    } catch (error) {
      for (const { text, reject } of batch) {
        this.pending.delete(text);
        reject(error);
      }
    }
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}

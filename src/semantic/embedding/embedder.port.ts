/**
 * A sentence embedder: text in, unit-length vector out. Adapters load their model in `load()`
 * (the gateway awaits it at start, and readiness waits for it) and must be safe to call with
 * batches from several requests at once.
 */
export interface Embedder {
  /** Identifies the model and so the vector space: vectors of two ids never mix (Qdrant names collections by it). */
  readonly modelId: string;
  /** Known once `load()` resolved. */
  readonly dimensions: number;
  readonly ready: boolean;
  /** Loads the model and runs one warm-up embedding so the first request pays no compile cost. */
  load(): Promise<void>;
  /** One L2-normalised vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export const EMBEDDER = Symbol('Embedder');

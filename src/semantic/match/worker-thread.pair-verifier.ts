import { join } from 'node:path';
import { WorkerPool } from '../../../libs/worker-pool';
import { OnnxPairVerifierOptions } from './onnx.pair-verifier';
import { PairVerifier } from './pair-verifier.port';

export interface VerifyRequest {
  query: string;
  stored: readonly string[];
}

/**
 * The ONNX verifier in worker threads, one single-threaded session each: a lookup's batch of
 * candidates takes a few milliseconds of CPU that would otherwise stall every request on the
 * event loop, and concurrent lookups run on as many cores as there are workers.
 */
export class WorkerThreadPairVerifier implements PairVerifier {
  private readonly pool: WorkerPool<{ modelId: string }, VerifyRequest, ArrayBuffer>;

  constructor(options: OnnxPairVerifierOptions & { workers: number }) {
    const { workers, ...setup } = options;
    this.pool = new WorkerPool({
      entry: join(__dirname, 'pair-verifier.worker'),
      setup,
      workers,
      name: 'pair verifier',
    });
  }

  get modelId(): string {
    return this.pool.info?.modelId ?? '';
  }

  get ready(): boolean {
    return this.pool.started;
  }

  get parallelism(): number {
    return Math.max(1, this.pool.idle);
  }

  async load(): Promise<void> {
    await this.pool.start();
  }

  /**
   * A lookup's candidates are spread over the workers that are idle, so one lookup on a quiet
   * gateway takes the time of its share, not of all its pairs; under load no worker is idle and
   * each lookup goes whole to the least busy one.
   */
  async verify(query: string, stored: readonly string[]): Promise<Float32Array> {
    if (stored.length === 0) return new Float32Array(0);
    const parts = Math.max(1, Math.min(this.pool.idle, stored.length));
    const size = Math.ceil(stored.length / parts);
    const chunks = Array.from({ length: parts }, (_, i) => stored.slice(i * size, (i + 1) * size));
    const answers = await Promise.all(
      chunks
        .filter((chunk) => chunk.length > 0)
        .map((chunk) => this.pool.run({ query, stored: chunk })),
    );
    const probabilities = new Float32Array(stored.length);
    let offset = 0;
    for (const answer of answers) {
      const part = new Float32Array(answer);
      probabilities.set(part, offset);
      offset += part.length;
    }
    return probabilities;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

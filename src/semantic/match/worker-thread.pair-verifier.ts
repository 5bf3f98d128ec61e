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

  async load(): Promise<void> {
    await this.pool.start();
  }

  async verify(query: string, stored: readonly string[]): Promise<Float32Array> {
    if (stored.length === 0) return new Float32Array(0);
    return new Float32Array(await this.pool.run({ query, stored }));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

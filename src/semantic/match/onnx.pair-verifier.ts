import { InferenceSession, Tensor } from 'onnxruntime-node';
import { join } from 'node:path';
import { PairTokenizer } from './pair-tokenizer';
import { PairVerifier } from './pair-verifier.port';
import { readVerifierManifest } from './verifier-manifest';

export interface OnnxPairVerifierOptions {
  /** Folder with `model.onnx`, `verifier.json`, `tokenizer.json` and `tokenizer_config.json`. */
  modelDir: string;
  /** onnxruntime's intra-op threads; 1 in a worker pool, where each worker is one core. */
  threads?: number;
}

/** The shipped cross-encoder (or any model in the same layout) run by onnxruntime-node. */
export class OnnxPairVerifier implements PairVerifier {
  private session: InferenceSession | undefined;
  private tokenizer: PairTokenizer | undefined;
  private id = '';

  constructor(private readonly options: OnnxPairVerifierOptions) {}

  get modelId(): string {
    return this.id;
  }

  get ready(): boolean {
    return this.session !== undefined;
  }

  /** One session on the calling thread: one pair at a time. */
  readonly parallelism = 1;

  async load(): Promise<void> {
    if (this.session) return;
    const manifest = readVerifierManifest(this.options.modelDir);
    this.tokenizer = new PairTokenizer(this.options.modelDir, manifest.max_length);
    const threads = this.options.threads ?? 1;
    this.session = await InferenceSession.create(join(this.options.modelDir, 'model.onnx'), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    this.id = manifest.id;
  }

  /**
   * The mean of both orders of each pair. The model was trained on pairs in either order, yet
   * it can be sure of a match in one order only: "Give me examples of uncountable nouns" then
   * "Explain recursion in exactly 200 words" scored 0.88, the other order 0.17.
   *
   * One run per pair (its two orders, of equal length), never a padded batch of pairs: the
   * quantised model scales its activations by the range of the whole input tensor, so a pair
   * batched with longer ones scored up to 0.06 apart from the same pair alone. One run per pair
   * gives a pair the same score in every lookup.
   */
  async verify(query: string, stored: readonly string[]): Promise<Float32Array> {
    const session = this.session;
    const tokenizer = this.tokenizer;
    if (!session || !tokenizer) throw new Error('the pair verifier is not loaded');
    const probabilities = new Float32Array(stored.length);
    for (const [index, encoded] of tokenizer.encodeBothOrders(stored, query).entries()) {
      const shape = [encoded.rows, encoded.length];
      const output = await session.run({
        input_ids: new Tensor('int64', encoded.inputIds, shape),
        attention_mask: new Tensor('int64', encoded.attentionMask, shape),
        token_type_ids: new Tensor('int64', encoded.tokenTypeIds, shape),
      });
      const [storedFirst, queryFirst] = output.probability.data as Float32Array;
      probabilities[index] = (storedFirst + queryFirst) / 2;
    }
    return probabilities;
  }

  async close(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
  }
}

import { PAIR_FEATURES, pairInput } from './pair-features';
import trained from './pair-scorer.weights.json';

/** A logistic model over the word-level features alone: works with any embedder's vectors. */
export interface LinearScorerModel {
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

/**
 * A one-hidden-layer perceptron over the word-level features and the two vectors (see
 * `pairInput`), for the embedder it was trained with. Arrays are base64 of little-endian f32.
 */
export interface MlpScorerModel {
  embedder: string;
  dimensions: number;
  hidden: number;
  mean: string;
  scale: string;
  hiddenWeights: string;
  hiddenBias: string;
  outputWeights: string;
  outputBias: number;
}

/** What scripts/train-pair-scorer.ts writes to pair-scorer.weights.json. */
export interface PairScorerModel {
  features: string[];
  linear: LinearScorerModel;
  mlp?: MlpScorerModel;
}

interface LoadedMlp {
  embedder: string;
  dimensions: number;
  hidden: number;
  mean: Float32Array;
  scale: Float32Array;
  hiddenWeights: Float32Array;
  hiddenBias: Float32Array;
  outputWeights: Float32Array;
  outputBias: number;
}

export function decodeFloats(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const floats = new Float32Array(bytes.length / 4);
  Buffer.from(floats.buffer).set(bytes);
  return floats;
}

export function encodeFloats(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/**
 * The probability that a stored answer is right for the query. With the vectors of the
 * embedder it was trained on, a small perceptron (about 35k multiply-adds, tens of microseconds
 * per candidate); otherwise, or without vectors, a logistic model over the word-level features.
 */
export class PairScorer {
  private readonly mlp: LoadedMlp | undefined;
  private readonly hidden: Float32Array;

  constructor(private readonly model: PairScorerModel = trained as PairScorerModel) {
    const expected = PAIR_FEATURES.join(',');
    if (model.features.join(',') !== expected) {
      throw new Error(
        `pair scorer weights are for features [${model.features.join(',')}], the code computes [${expected}]: run npm run train:scorer`,
      );
    }
    this.mlp = model.mlp && {
      ...model.mlp,
      mean: decodeFloats(model.mlp.mean),
      scale: decodeFloats(model.mlp.scale),
      hiddenWeights: decodeFloats(model.mlp.hiddenWeights),
      hiddenBias: decodeFloats(model.mlp.hiddenBias),
      outputWeights: decodeFloats(model.mlp.outputWeights),
    };
    this.hidden = new Float32Array(this.mlp?.hidden ?? 0);
  }

  /** Whether vectors of this embedder get the perceptron rather than the word-level model. */
  usesVectorsOf(embedder: string, dimensions: number): boolean {
    return this.mlp?.embedder === embedder && this.mlp.dimensions === dimensions;
  }

  score(
    lexical: readonly number[],
    vectors?: { embedder: string; query: Float32Array; stored: Float32Array },
  ): number {
    if (vectors && this.mlp && this.usesVectorsOf(vectors.embedder, vectors.query.length)) {
      return this.perceptron(this.mlp, pairInput(lexical, vectors.query, vectors.stored));
    }
    const { mean, scale, weights, bias } = this.model.linear;
    let z = bias;
    for (let i = 0; i < weights.length; i++) z += (weights[i] * (lexical[i] - mean[i])) / scale[i];
    return sigmoid(z);
  }

  private perceptron(mlp: LoadedMlp, input: Float32Array): number {
    const d = input.length;
    for (let j = 0; j < d; j++) input[j] = (input[j] - mlp.mean[j]) / mlp.scale[j];
    let z = mlp.outputBias;
    for (let k = 0; k < mlp.hidden; k++) {
      let a = mlp.hiddenBias[k];
      const offset = k * d;
      for (let j = 0; j < d; j++) a += mlp.hiddenWeights[offset + j] * input[j];
      this.hidden[k] = a > 0 ? a : 0;
      z += mlp.outputWeights[k] * this.hidden[k];
    }
    return sigmoid(z);
  }
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

import { PAIR_FEATURES } from './pair-features';
import trained from './pair-scorer.weights.json';

/**
 * A one-hidden-layer perceptron (ReLU, sigmoid output) over `PAIR_FEATURES`, as written by
 * scripts/train-pair-scorer.ts. Arrays are base64 of little-endian f32.
 */
export interface PairScorerModel {
  features: string[];
  hidden: number;
  mean: string;
  scale: string;
  hiddenWeights: string;
  hiddenBias: string;
  outputWeights: string;
  outputBias: number;
}

function decodeFloats(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const floats = new Float32Array(bytes.length / 4);
  Buffer.from(floats.buffer).set(bytes);
  return floats;
}

export function encodeFloats(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/**
 * The probability that a stored answer is right for the query, from the pair's features: about
 * 800 multiply-adds, a few microseconds per candidate. It sees what differs between the words
 * (and how rare those words are) besides the cosine, so a one-word change of topic scores low
 * even when the vectors are close.
 */
export class PairScorer {
  private readonly inputs: number;
  private readonly mean: Float32Array;
  private readonly scale: Float32Array;
  private readonly hiddenWeights: Float32Array;
  private readonly hiddenBias: Float32Array;
  private readonly outputWeights: Float32Array;
  private readonly outputBias: number;

  constructor(model: PairScorerModel = trained as PairScorerModel) {
    const expected = PAIR_FEATURES.join(',');
    if (model.features.join(',') !== expected) {
      throw new Error(
        `pair scorer weights are for features [${model.features.join(',')}], the code computes [${expected}]: run npm run train:scorer`,
      );
    }
    this.inputs = model.features.length;
    this.mean = decodeFloats(model.mean);
    this.scale = decodeFloats(model.scale);
    this.hiddenWeights = decodeFloats(model.hiddenWeights);
    this.hiddenBias = decodeFloats(model.hiddenBias);
    this.outputWeights = decodeFloats(model.outputWeights);
    this.outputBias = model.outputBias;
    if (this.hiddenWeights.length !== model.hidden * this.inputs) {
      throw new Error('pair scorer weights are inconsistent: run npm run train:scorer');
    }
  }

  score(features: readonly number[]): number {
    const d = this.inputs;
    let z = this.outputBias;
    for (let k = 0; k < this.outputWeights.length; k++) {
      let a = this.hiddenBias[k];
      const offset = k * d;
      for (let j = 0; j < d; j++) {
        a += (this.hiddenWeights[offset + j] * (features[j] - this.mean[j])) / this.scale[j];
      }
      if (a > 0) z += this.outputWeights[k] * a;
    }
    return 1 / (1 + Math.exp(-z));
  }
}

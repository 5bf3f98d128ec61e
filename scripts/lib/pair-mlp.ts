import { seededRandom } from './seeded-random';

/**
 * A one-hidden-layer perceptron (ReLU, sigmoid output) trained with Adam on log loss.
 * Deterministic: a seeded generator draws the initial weights and the order of the examples.
 */
export interface MlpFit {
  mean: Float32Array;
  scale: Float32Array;
  /** hidden × inputs, row-major. */
  hiddenWeights: Float32Array;
  hiddenBias: Float32Array;
  outputWeights: Float32Array;
  outputBias: number;
}

export interface MlpOptions {
  hidden: number;
  epochs: number;
  learningRate: number;
  l2: number;
  batchSize: number;
  seed: number;
}

export const DEFAULT_MLP_OPTIONS: MlpOptions = {
  hidden: 32,
  epochs: 20,
  learningRate: 0.005,
  l2: 1e-4,
  batchSize: 64,
  seed: 42,
};

export function standardise(rows: readonly Float32Array[]): {
  mean: Float32Array;
  scale: Float32Array;
} {
  const d = rows[0].length;
  const mean = new Float64Array(d);
  const variance = new Float64Array(d);
  for (const row of rows) for (let j = 0; j < d; j++) mean[j] += row[j] / rows.length;
  for (const row of rows)
    for (let j = 0; j < d; j++) variance[j] += (row[j] - mean[j]) ** 2 / rows.length;
  return {
    mean: Float32Array.from(mean),
    scale: Float32Array.from(variance, (v) => Math.sqrt(v) || 1),
  };
}

export function fitMlp(
  rows: readonly Float32Array[],
  labels: readonly boolean[],
  options: MlpOptions = DEFAULT_MLP_OPTIONS,
): MlpFit {
  const random = seededRandom(options.seed);
  const { mean, scale } = standardise(rows);
  const d = mean.length;
  const h = options.hidden;
  const x = rows.map((row) => Float32Array.from(row, (value, j) => (value - mean[j]) / scale[j]));
  const y = labels.map((label) => (label ? 1 : 0));

  const hiddenWeights = Float32Array.from(
    { length: h * d },
    () => ((random() - 0.5) * 2) / Math.sqrt(d),
  );
  const hiddenBias = new Float32Array(h);
  const outputWeights = Float32Array.from({ length: h }, () => (random() - 0.5) * 0.2);
  const outputBias = new Float32Array(1);
  const params = [hiddenWeights, hiddenBias, outputWeights, outputBias];
  const firstMoment = params.map((p) => new Float64Array(p.length));
  const secondMoment = params.map((p) => new Float64Array(p.length));
  const grads = params.map((p) => new Float64Array(p.length));
  const hidden = new Float64Array(h);
  let step = 0;

  const order = x.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      grads.forEach((g) => g.fill(0));
      for (const index of batch) {
        const input = x[index];
        let z = outputBias[0];
        for (let k = 0; k < h; k++) {
          let a = hiddenBias[k];
          const offset = k * d;
          for (let j = 0; j < d; j++) a += hiddenWeights[offset + j] * input[j];
          hidden[k] = a > 0 ? a : 0;
          z += outputWeights[k] * hidden[k];
        }
        const error = 1 / (1 + Math.exp(-z)) - y[index];
        grads[3][0] += error;
        for (let k = 0; k < h; k++) {
          grads[2][k] += error * hidden[k];
          if (hidden[k] <= 0) continue;
          const back = error * outputWeights[k];
          grads[1][k] += back;
          const offset = k * d;
          for (let j = 0; j < d; j++) grads[0][offset + j] += back * input[j];
        }
      }
      step++;
      const rate = (options.learningRate * Math.sqrt(1 - 0.999 ** step)) / (1 - 0.9 ** step);
      params.forEach((p, n) => {
        const g = grads[n];
        const m = firstMoment[n];
        const v = secondMoment[n];
        const decay = n === 0 || n === 2 ? options.l2 : 0;
        for (let j = 0; j < p.length; j++) {
          const gradient = g[j] / batch.length + decay * p[j];
          m[j] = 0.9 * m[j] + 0.1 * gradient;
          v[j] = 0.999 * v[j] + 0.001 * gradient * gradient;
          p[j] -= (rate * m[j]) / (Math.sqrt(v[j]) + 1e-8);
        }
      });
    }
  }
  return { mean, scale, hiddenWeights, hiddenBias, outputWeights, outputBias: outputBias[0] };
}

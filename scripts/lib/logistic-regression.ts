/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS): deterministic, a dozen
 * iterations for a score of standardised features, no learning rate to tune.
 */
export interface LogisticFit {
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export function fitLogistic(
  rows: readonly number[][],
  labels: readonly boolean[],
  l2 = 1,
): LogisticFit {
  const n = rows.length;
  const d = rows[0].length;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const row of rows) row.forEach((value, j) => (mean[j] += value / n));
  for (const row of rows) row.forEach((value, j) => (scale[j] += (value - mean[j]) ** 2 / n));
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]) || 1;
  const x = rows.map((row) => [1, ...row.map((value, j) => (value - mean[j]) / scale[j])]);
  const beta = new Array<number>(d + 1).fill(0);
  for (let iteration = 0; iteration < 25; iteration++) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const p = sigmoid(dot(beta, x[i]));
      const residual = (labels[i] ? 1 : 0) - p;
      const w = p * (1 - p);
      for (let a = 0; a <= d; a++) {
        gradient[a] += residual * x[i][a];
        for (let b = 0; b <= a; b++) hessian[a][b] += w * x[i][a] * x[i][b];
      }
    }
    for (let a = 0; a <= d; a++) {
      for (let b = 0; b < a; b++) hessian[b][a] = hessian[a][b];
      if (a > 0) {
        gradient[a] -= l2 * beta[a];
        hessian[a][a] += l2;
      }
    }
    const step = solve(hessian, gradient);
    let change = 0;
    for (let a = 0; a <= d; a++) {
      beta[a] += step[a];
      change = Math.max(change, Math.abs(step[a]));
    }
    if (change < 1e-8) break;
  }
  return { mean, scale, weights: beta.slice(1), bias: beta[0] };
}

export function predictLogistic(fit: LogisticFit, row: readonly number[]): number {
  let z = fit.bias;
  for (let j = 0; j < row.length; j++)
    z += (fit.weights[j] * (row[j] - fit.mean[j])) / fit.scale[j];
  return sigmoid(z);
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** Gaussian elimination with partial pivoting; the Hessian is small and positive definite. */
function solve(matrix: number[][], vector: number[]): number[] {
  const size = vector.length;
  const m = matrix.map((row, i) => [...row, vector[i]]);
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let row = col + 1; row < size; row++) {
      if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) pivot = row;
    }
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let row = col + 1; row < size; row++) {
      const factor = m[row][col] / m[col][col];
      for (let k = col; k <= size; k++) m[row][k] -= factor * m[col][k];
    }
  }
  const result = new Array<number>(size).fill(0);
  for (let row = size - 1; row >= 0; row--) {
    let sum = m[row][size];
    for (let k = row + 1; k < size; k++) sum -= m[row][k] * result[k];
    result[row] = sum / m[row][row];
  }
  return result;
}

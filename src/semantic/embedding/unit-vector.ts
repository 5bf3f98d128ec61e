/**
 * A unit-length copy of `row`. Embedders' outputs are close to, but not always exactly, unit
 * length (USE-lite's are not); the index's cosine and the scorer assume unit length.
 */
export function normalise(row: ArrayLike<number>): Float32Array {
  const vector = Float32Array.from(row);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

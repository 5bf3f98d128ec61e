/**
 * Reads a new prompt together with stored ones and says, for each, how likely the stored
 * prompt's answer is right for the new one. A cross-encoder: unlike two embeddings compared by
 * cosine, it sees both texts at once, so "northern" against "southern" or "three bullet points"
 * against "an essay" is what it looks at, not noise under a shared topic.
 */
export interface PairVerifier {
  /** Names the model, e.g. `minilm-l6-pair-verifier`; reported by readiness and stats. */
  readonly modelId: string;
  readonly ready: boolean;
  /** How many pairs it would run side by side if asked now (idle workers; at least 1). */
  readonly parallelism: number;
  load(): Promise<void>;
  /** One probability in [0, 1] per stored prompt, in their order. */
  verify(query: string, stored: readonly string[]): Promise<Float32Array>;
  close(): Promise<void>;
}

export const PAIR_VERIFIER = Symbol('PAIR_VERIFIER');

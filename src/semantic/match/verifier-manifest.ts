import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `verifier.json`, written by `scripts/verifier/train.py` next to the model it describes. */
export interface VerifierManifest {
  id: string;
  /** Longest input, both prompts and three special tokens; longer pairs are cut longest first. */
  max_length: number;
  output: 'probability';
}

export function readVerifierManifest(modelDir: string): VerifierManifest {
  const file = join(modelDir, 'verifier.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Partial<VerifierManifest>;
  if (typeof manifest.id !== 'string' || typeof manifest.max_length !== 'number') {
    throw new Error(`${file}: expected "id" and "max_length"`);
  }
  if (manifest.output !== 'probability') {
    throw new Error(`${file}: the model must output a probability, not ${manifest.output}`);
  }
  return manifest as VerifierManifest;
}

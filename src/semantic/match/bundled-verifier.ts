import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const BUNDLED = join('models', 'pair-verifier');

/**
 * The verifier that ships in the repository and the image (`models/pair-verifier`), found from
 * this file whether it runs from `src/` or compiled under `dist/`.
 */
export function bundledVerifierDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, BUNDLED);
    if (existsSync(join(candidate, 'verifier.json'))) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(`${BUNDLED} was not found above ${from}; set SEMANTIC_VERIFIER_MODEL`);
    }
  }
}

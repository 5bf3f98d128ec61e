import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledVerifierDir } from './bundled-verifier';

describe('bundledVerifierDir', () => {
  it('finds models/pair-verifier above the sources (and above dist/, which sits one deeper)', () => {
    const found = bundledVerifierDir();
    expect(found).toBe(join(__dirname, '..', '..', '..', 'models', 'pair-verifier'));
    expect(bundledVerifierDir(join(__dirname, '..', '..', '..', 'dist', 'src', 'semantic'))).toBe(
      found,
    );
  });

  it('says which variable to set when there is none', () => {
    const empty = mkdtempSync(join(tmpdir(), 'ragcache-no-model-'));
    try {
      expect(() => bundledVerifierDir(empty)).toThrow('set SEMANTIC_VERIFIER_MODEL');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

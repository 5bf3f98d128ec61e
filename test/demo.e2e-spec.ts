import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  answerTo,
  DEMO_TIMEOUT_MS,
  MAIN,
  METRICS_SHOWN,
  requestLine,
  responsePrefix,
  STEPS,
} from '../scripts/demo';
import { root } from '../bench/bench-process';

/** Runs `scripts/demo.ts` as `npm run demo` does after its build (`npm test` builds first). */
function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'scripts/demo.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run demo', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  });

  it(
    'shows a MISS, a HIT, a SEMANTIC, a refused look-alike and the metrics, and exits 0',
    async () => {
      const { code, stdout, stderr } = await runDemo();
      if (code !== 0) throw new Error(`the demo exited with ${code}\n${stdout}\n${stderr}`);
      const lines = stdout.split('\n').map((line) => line.trim());

      // Each step: its explanation, its request, then a response line with the expected x-cache and
      // the answer of the question asked on a MISS, of the stored question on a HIT or SEMANTIC.
      let at = 0;
      for (const [index, step] of STEPS.entries()) {
        at = lines.indexOf(`${index + 1}. ${step.explanation}`, at);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(lines[at + 1]).toBe(requestLine(step));
        const response = lines[at + 2];
        expect(response.startsWith(`${responsePrefix(200, step.expected)}  `)).toBe(true);
        const answered = step.expected === 'MISS' ? step.query : STEPS[0].query;
        expect(response).toContain(JSON.stringify(answerTo(answered)));
        if (step.expected === 'SEMANTIC') expect(response).toMatch(/x-cache-similarity: 0\.\d{4}/);
      }
      // The demo ends on the refused look-alike: a MISS answered by the provider.
      expect(STEPS[STEPS.length - 1].expected).toBe('MISS');

      expect(lines).toContain('> GET /metrics');
      for (const name of METRICS_SHOWN) {
        expect(lines.some((line) => line.startsWith(`${name}{`))).toBe(true);
      }
      const misses = STEPS.filter((step) => step.expected === 'MISS').length;
      expect(lines).toContain(
        `ragcache_llm_requests_total{provider="openai",status="ok"} ${misses}`,
      );
      expect(stdout).toMatch(/^OK: /m);
    },
    DEMO_TIMEOUT_MS + 30_000,
  );
});

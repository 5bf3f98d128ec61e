import { bundledVerifierDir } from './bundled-verifier';
import { OnnxPairVerifier } from './onnx.pair-verifier';
import { WorkerThreadPairVerifier } from './worker-thread.pair-verifier';

const QUERY = 'How can I change the password of my account?';
const STORED = [
  'How do I reset my account password?',
  'How do I delete my account?',
  'What is the capital of France?',
];

describe('the shipped pair verifier', () => {
  const inProcess = new OnnxPairVerifier({ modelDir: bundledVerifierDir() });
  const inWorkers = new WorkerThreadPairVerifier({ modelDir: bundledVerifierDir(), workers: 2 });

  beforeAll(() => Promise.all([inProcess.load(), inWorkers.load()]));
  afterAll(() => Promise.all([inProcess.close(), inWorkers.close()]));

  it('names itself from its manifest', () => {
    expect(inProcess.modelId).toMatch(/pair-verifier/);
    expect(inWorkers.modelId).toBe(inProcess.modelId);
  });

  it('gives one probability per stored prompt, a rewording above another intent and another topic', async () => {
    const [rewording, otherIntent, otherTopic] = await inProcess.verify(QUERY, STORED);
    for (const probability of [rewording, otherIntent, otherTopic]) {
      expect(probability).toBeGreaterThanOrEqual(0);
      expect(probability).toBeLessThanOrEqual(1);
    }
    expect(rewording).toBeGreaterThan(0.5);
    expect(otherIntent).toBeLessThan(rewording);
    expect(otherTopic).toBeLessThan(0.1);
  });

  it.each([
    ['Explain recursion in exactly 200 words', 'Give me examples of countable nouns'],
    // 0.88 with the stored prompt first, 0.17 the other way: the mean of both orders decides.
    ['Give me examples of uncountable nouns', 'Explain recursion in exactly 200 words'],
    [
      'How do I boost my Wi-Fi signal at home?',
      "Hey! Quick question, what's the capital of Australia?",
    ],
    ["Hey! Quick question, what's the capital of Australia?", 'Is coffee bad for you?'],
  ])(
    'keeps two requests on unrelated subjects well under the default threshold, framed or not: %s / %s',
    async (stored, query) => {
      const [probability] = await inProcess.verify(query, [stored]);
      expect(probability).toBeLessThan(0.6);
    },
  );

  it('scores a pair the same alone and in a batch, in a worker and in process', async () => {
    const batch = await inProcess.verify(QUERY, STORED);
    const [alone] = await inProcess.verify(QUERY, [STORED[1]]);
    expect(alone).toBeCloseTo(batch[1], 4);
    // Three pairs over two idle workers: split, answered in the callers' order.
    const fromWorkers = await inWorkers.verify(QUERY, STORED);
    expect(Array.from(fromWorkers)).toEqual(Array.from(batch).map((p) => expect.closeTo(p, 5)));
    const concurrent = await Promise.all([
      inWorkers.verify(QUERY, STORED),
      inWorkers.verify(QUERY, [...STORED].reverse()),
    ]);
    expect(Array.from(concurrent[1]).reverse()).toEqual(
      Array.from(concurrent[0]).map((p) => expect.closeTo(p, 5)),
    );
  });

  it('answers an empty batch without the model, and refuses before it is loaded', async () => {
    await expect(inWorkers.verify(QUERY, [])).resolves.toHaveLength(0);
    const unloaded = new OnnxPairVerifier({ modelDir: bundledVerifierDir() });
    await expect(unloaded.verify(QUERY, STORED)).rejects.toThrow('not loaded');
  });

  it('fails to load a folder without a model, naming the file', async () => {
    const missing = new WorkerThreadPairVerifier({ modelDir: __dirname, workers: 1 });
    await expect(missing.load()).rejects.toThrow('verifier.json');
    expect(missing.ready).toBe(false);
  });
});

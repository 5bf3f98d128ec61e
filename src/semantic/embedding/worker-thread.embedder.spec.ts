import { join } from 'node:path';
import { scriptedVector } from '../../../test/fixtures/models/scripted.embedder';
import { WorkerThreadEmbedder, WorkerThreadEmbedderOptions } from './worker-thread.embedder';

const SCRIPTED = join(__dirname, '../../../test/fixtures/models/scripted.embedder.ts');

function scripted(options: Partial<WorkerThreadEmbedderOptions> = {}): WorkerThreadEmbedder {
  return new WorkerThreadEmbedder({
    module: SCRIPTED,
    exportName: 'ScriptedEmbedder',
    options: { dimensions: 8 },
    ...options,
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

describe('WorkerThreadEmbedder', () => {
  let embedder: WorkerThreadEmbedder | undefined;

  afterEach(async () => {
    await embedder?.close();
    embedder = undefined;
  });

  it('takes the model identity from the workers and answers with their vectors', async () => {
    embedder = scripted({ workers: 2 });
    expect(embedder.ready).toBe(false);

    await embedder.load();

    expect(embedder.ready).toBe(true);
    expect(embedder.modelId).toBe('scripted-v1');
    expect(embedder.dimensions).toBe(8);
    const texts = ['a', 'bb', 'ccc'];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(3);
    vectors.forEach((vector, i) => {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toEqual(scriptedVector(texts[i], 8));
    });
  });

  it('answers concurrent batches across its workers, each with the right vectors', async () => {
    embedder = scripted({ workers: 2 });
    await embedder.load();
    const batches = Array.from({ length: 20 }, (_, i) => ['x'.repeat(i), 'y'.repeat(i + 1)]);

    const answers = await Promise.all(batches.map((batch) => embedder!.embed(batch)));

    answers.forEach((vectors, i) => {
      expect(vectors).toEqual(batches[i].map((text) => scriptedVector(text, 8)));
    });
  });

  it('rejects the batch that failed in the worker, and only that one', async () => {
    embedder = scripted();
    await embedder.load();

    const [failed, fine] = await Promise.allSettled([
      embedder.embed(['ok', 'this will fail']),
      embedder.embed(['ok']),
    ]);

    expect(failed).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringContaining('cannot embed "this will fail"') },
    });
    expect(fine).toEqual({ status: 'fulfilled', value: [scriptedVector('ok', 8)] });
  });

  it('rejects the batches of a worker that dies, and carries on with the others', async () => {
    embedder = scripted({ workers: 2 });
    await embedder.load();

    await expect(embedder.embed(['crash'])).rejects.toThrow('exited with code 3');

    expect(embedder.ready).toBe(true);
    await expect(embedder.embed(['still here'])).resolves.toEqual([
      scriptedVector('still here', 8),
    ]);
    await expect(embedder.embed(['crash'])).rejects.toThrow('exited with code 3');
    expect(embedder.ready).toBe(false);
    await expect(embedder.embed(['anyone?'])).rejects.toThrow('not loaded');
  });

  it('fails to load when the model does', async () => {
    embedder = scripted({ workers: 2, options: { dimensions: 8, failLoad: 'no model here' } });
    await expect(embedder.load()).rejects.toThrow('no model here');
    expect(embedder.ready).toBe(false);
  });

  it('fails to load when a worker exits while loading', async () => {
    embedder = scripted({ options: { dimensions: 8, exitOnLoad: 4 } });
    await expect(embedder.load()).rejects.toThrow('exited with code 4 while loading');
  });

  it('fails to load when the module has no such export', async () => {
    embedder = scripted({ exportName: 'Nothing' });
    await expect(embedder.load()).rejects.toThrow('does not export Nothing');
  });

  it('finishes the batches it sent before closing', async () => {
    embedder = scripted();
    await embedder.load();
    const answer = embedder.embed(['late']);

    await embedder.close();

    await expect(answer).resolves.toEqual([scriptedVector('late', 8)]);
    expect(embedder.ready).toBe(false);
  });

  it('runs the bundled USE-lite model in a worker', async () => {
    embedder = new WorkerThreadEmbedder({
      module: require.resolve('./use-lite.embedder'),
      exportName: 'UseLiteEmbedder',
    });
    await embedder.load();

    const [question, paraphrase, unrelated] = await embedder.embed([
      'How do I reset my password?',
      'What are the steps to change my password?',
      'The train to Berlin leaves at noon.',
    ]);

    expect(embedder.modelId).toBe('use-lite-v1');
    expect(question).toHaveLength(512);
    expect(cosine(question, question)).toBeCloseTo(1, 5);
    expect(cosine(question, paraphrase)).toBeGreaterThan(0.8);
    expect(cosine(question, unrelated)).toBeLessThan(0.3);
  });
});

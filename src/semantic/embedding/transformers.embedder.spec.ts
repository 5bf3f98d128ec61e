import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { TransformersEmbedder } from './transformers.embedder';

/*
 * onnxruntime-node's binding builds its output arrays in Node's own realm, and onnxruntime-common
 * checks them with `instanceof` against the typed-array constructors of Jest's sandbox, which are
 * other objects: every run fails with "A float32 tensor's data must be type of Float32Array".
 * Handing the sandbox the outer realm's constructors (before the lazy load of transformers.js)
 * makes both sides agree. Outside Jest there is one realm and nothing to do.
 */
const TYPED_ARRAYS = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];
for (const name of TYPED_ARRAYS) {
  Object.assign(globalThis, { [name]: runInThisContext(name) });
}

// Made by scripts/make-tiny-sentence-model.ts: a seeded word-embedding table in BERT's clothes.
const MODEL = join(__dirname, '../../../test/fixtures/models/tiny-sentence-encoder');

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

function norm(vector: Float32Array): number {
  return Math.sqrt(cosine(vector, vector));
}

describe('TransformersEmbedder', () => {
  const embedder = new TransformersEmbedder({ model: MODEL });

  beforeAll(() => embedder.load());
  afterAll(() => embedder.close());

  it('loads the model from a local folder, offline, and learns its width', () => {
    expect(embedder.ready).toBe(true);
    expect(embedder.dimensions).toBe(32);
    expect(embedder.modelId).toBe('transformers:tiny-sentence-encoder');
  });

  it('returns one unit-length vector per text, in order', async () => {
    const texts = ['the cat sat by the window', 'what time is it', 'a'];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(32);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    expect(cosine(vectors[0], vectors[1])).toBeLessThan(0.99);
  });

  it('puts texts that share words closer than unrelated texts', async () => {
    const [query, paraphrase, unrelated] = await embedder.embed([
      'how do i make good tea in the morning',
      'make good tea in the morning',
      'my father drives a blue car to school',
    ]);
    expect(cosine(query, paraphrase)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
  });

  it('gives the same vector for a text in a padded batch as on its own', async () => {
    const texts = ['a short one', 'a much longer sentence about the weather in the city today'];
    const batch = await embedder.embed(texts);
    for (const [index, text] of texts.entries()) {
      const [single] = await embedder.embed([text]);
      for (let i = 0; i < single.length; i++) expect(batch[index][i]).toBeCloseTo(single[i], 5);
    }
  });

  it('answers an empty batch without running the model', async () => {
    await expect(embedder.embed([])).resolves.toEqual([]);
  });

  it('refuses to embed before load and after close', async () => {
    const unloaded = new TransformersEmbedder({ model: MODEL });
    await expect(unloaded.embed(['x'])).rejects.toThrow('not loaded');
    await unloaded.load();
    await unloaded.close();
    expect(unloaded.ready).toBe(false);
    await expect(unloaded.embed(['x'])).rejects.toThrow('not loaded');
  });

  it('does not reach for the hub for a model it does not have when remote models are off', async () => {
    const missing = new TransformersEmbedder({
      model: 'rag-cache/not-a-model',
      cacheDir: join(__dirname, '../../../test/fixtures/models/no-cache-here'),
    });
    expect(missing.modelId).toBe('transformers:rag-cache/not-a-model');
    await expect(missing.load()).rejects.toThrow(/local_files_only/);
    expect(missing.ready).toBe(false);
  });
});

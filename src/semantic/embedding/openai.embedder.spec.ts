import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { FakeOpenAIServer, fakeEmbedding } from '../../../libs/testing/src/fake-openai.server';
import { ProviderFetch } from '../../llm/provider-fetch';
import { OpenAIEmbedder, OpenAIEmbedderOptions } from './openai.embedder';

describe('OpenAIEmbedder', () => {
  let server: FakeOpenAIServer;
  // The gateway gives the embedder the provider SDKs' HTTP client, so the tests do too.
  const transport = new ProviderFetch(5_000);

  beforeAll(async () => {
    server = await FakeOpenAIServer.start();
  });

  afterEach(() => server.reset());

  afterAll(async () => {
    transport.onModuleDestroy();
    await server.close();
  });

  function embedder(options: Partial<OpenAIEmbedderOptions> = {}): OpenAIEmbedder {
    return new OpenAIEmbedder({
      apiKey: 'sk-test',
      baseURL: server.baseUrl,
      maxRetries: 0,
      fetch: transport.fetch,
      ...options,
    });
  }

  it('learns the width with one call at load', async () => {
    const openai = embedder();
    expect(openai.ready).toBe(false);

    await openai.load();

    expect(openai.ready).toBe(true);
    expect(openai.dimensions).toBe(64);
    expect(openai.modelId).toBe('openai:text-embedding-3-small');
    expect(server.requests).toEqual([
      expect.objectContaining({
        path: '/v1/embeddings',
        headers: expect.objectContaining({ authorization: 'Bearer sk-test' }),
        body: { model: 'text-embedding-3-small', input: ['warm up'], encoding_format: 'base64' },
      }),
    ]);
  });

  it('sends the batch in one request and returns the vectors in order, unit length', async () => {
    const openai = embedder({ model: 'text-embedding-3-large' });
    await openai.load();
    const texts = ['the cat sat on the mat', 'stock prices fell', 'the cat sat'];

    const vectors = await openai.embed(texts);

    expect(server.calls).toBe(2);
    expect(server.requests[1].body).toMatchObject({
      model: 'text-embedding-3-large',
      input: texts,
    });
    expect(vectors).toHaveLength(3);
    vectors.forEach((vector, i) => {
      expect(vector).toBeInstanceOf(Float32Array);
      const expected = fakeEmbedding(texts[i]);
      for (let d = 0; d < expected.length; d++) expect(vector[d]).toBeCloseTo(expected[d], 6);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    });
  });

  it('asks for `dimensions` and reports that width', async () => {
    const openai = embedder({ dimensions: 8 });
    await openai.load();

    const [vector] = await openai.embed(['short vector']);

    expect(openai.dimensions).toBe(8);
    expect(vector).toHaveLength(8);
    expect(server.requests[1].body).toMatchObject({ dimensions: 8 });
  });

  it('answers an empty batch without a request', async () => {
    const openai = embedder();
    await openai.load();

    await expect(openai.embed([])).resolves.toEqual([]);
    expect(server.calls).toBe(1);
  });

  it('refuses to embed before load and after close', async () => {
    const openai = embedder();
    await expect(openai.embed(['hi'])).rejects.toThrow('not loaded');
    await openai.load();
    await openai.close();
    await expect(openai.embed(['hi'])).rejects.toThrow('not loaded');
    expect(server.calls).toBe(1);
  });

  it('passes an upstream error on as the SDK reports it', async () => {
    const openai = embedder();
    await openai.load();
    server.failNext({ kind: 'status', status: 500, message: 'embedding backend down' });

    const failure = openai.embed(['hi']);

    await expect(failure).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(failure).rejects.toMatchObject({
      status: 500,
      message: expect.stringContaining('embedding backend down'),
    });
    await expect(openai.embed(['hi'])).resolves.toHaveLength(1);
  });

  it('retries a 429 when retries are on', async () => {
    const openai = embedder({ maxRetries: 1 });
    await openai.load();
    server.failNext({ kind: 'status', status: 429, retryAfterSeconds: 0 });

    await expect(openai.embed(['hi'])).resolves.toHaveLength(1);
    expect(server.calls).toBe(3);
  });

  it('fails to load with a wrong key', async () => {
    const openai = embedder();
    server.failNext({ kind: 'status', status: 401, message: 'Incorrect API key provided' });

    await expect(openai.load()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(openai.ready).toBe(false);
  });

  it('gives up after timeoutMs', async () => {
    const openai = embedder({ timeoutMs: 100 });
    await openai.load();
    server.failNext({ kind: 'hang' });

    await expect(openai.embed(['hi'])).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  describe('against a server that answers out of shape', () => {
    // The SDK asks for base64; x86 and ARM are little-endian, as the wire format is.
    let vectors: number[][];
    const broken = createServer((req, res) => {
      req.resume().on('end', () => {
        const data = vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: Buffer.from(Float32Array.from(vector).buffer).toString('base64'),
        }));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data, model: 'm', usage: {} }));
      });
    });

    beforeAll(() => new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve)));
    afterAll(() => new Promise((resolve) => broken.close(resolve)));

    async function loaded(): Promise<OpenAIEmbedder> {
      const { port } = broken.address() as AddressInfo;
      vectors = [[0.6, 0.8]];
      const openai = embedder({ baseURL: `http://127.0.0.1:${port}/v1` });
      await openai.load();
      return openai;
    }

    it('refuses to load on an empty vector', async () => {
      const { port } = broken.address() as AddressInfo;
      vectors = [[]];
      const openai = embedder({ baseURL: `http://127.0.0.1:${port}/v1` });
      await expect(openai.load()).rejects.toThrow('returned an empty vector');
      expect(openai.ready).toBe(false);
    });

    it('rejects an answer with fewer vectors than texts', async () => {
      const openai = await loaded();
      await expect(openai.embed(['a', 'b'])).rejects.toThrow('returned 1 vectors for 2 texts');
    });

    it('rejects vectors of another width than at load', async () => {
      const openai = await loaded();
      vectors = [[1, 0, 0]];
      await expect(openai.embed(['a'])).rejects.toThrow('returned 3 dimensions, not 2');
    });
  });
});

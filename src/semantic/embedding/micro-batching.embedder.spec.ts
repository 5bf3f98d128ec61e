import { Embedder } from './embedder.port';
import { EmbeddingReleasedError, MicroBatchingEmbedder } from './micro-batching.embedder';

/** A different vector for every text, so a caller that got someone else's vector shows. */
function vectorOf(text: string): Float32Array {
  return Float32Array.from(text, (char) => char.charCodeAt(0));
}

/** Records each batch; `hold()` keeps the model busy until `release()`. */
class FakeEmbedder implements Embedder {
  readonly modelId = 'fake-v1';
  readonly dimensions = 3;
  readonly batches: string[][] = [];
  ready = false;
  closed = false;
  failOn: string | undefined;
  wrongCount = false;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  async load(): Promise<void> {
    this.ready = true;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.batches.push([...texts]);
    await this.gate;
    if (this.failOn !== undefined && texts.includes(this.failOn)) {
      throw new Error(`cannot embed ${this.failOn}`);
    }
    const vectors = texts.map(vectorOf);
    return this.wrongCount ? vectors.slice(1) : vectors;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.open?.();
  }

  get sizes(): number[] {
    return this.batches.map((batch) => batch.length);
  }
}

const texts = (count: number, prefix = 'text'): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix} ${i}`);

describe('MicroBatchingEmbedder', () => {
  let inner: FakeEmbedder;

  beforeEach(() => {
    inner = new FakeEmbedder();
  });

  it('merges concurrent calls into one call of the model, each caller getting its own vectors', async () => {
    const embedder = new MicroBatchingEmbedder(inner);
    const inputs = texts(10);
    const results = await Promise.all(inputs.map((text) => embedder.embed([text])));
    expect(inner.sizes).toEqual([10]);
    results.forEach(([vector], i) => expect(vector).toEqual(vectorOf(inputs[i])));
    expect(embedder.stats).toEqual({ batches: 1, textsEmbedded: 10, cacheHits: 0 });
  });

  it('keeps the order of a multi-text call', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxBatch: 2 });
    const inputs = texts(5);
    await expect(embedder.embed(inputs)).resolves.toEqual(inputs.map(vectorOf));
    expect(inner.sizes).toEqual([2, 2, 1]);
  });

  it('runs a batch as soon as maxBatch texts wait, without waiting for the timer', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxBatch: 4, maxWaitMs: 60_000 });
    const done = Promise.all(texts(8).map((text) => embedder.embed([text])));
    await done;
    expect(inner.sizes).toEqual([4, 4]);
  });

  it('holds the first text up to maxWaitMs for others to join it', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxWaitMs: 30 });
    const started = performance.now();
    const first = embedder.embed(['alone']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = embedder.embed(['late']);
    await Promise.all([first, second]);
    expect(inner.batches).toEqual([['alone', 'late']]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('with maxWaitMs 0 merges the calls made in the same turn of the event loop', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxWaitMs: 0 });
    await Promise.all([embedder.embed(['a']), embedder.embed(['b'])]);
    await embedder.embed(['c']);
    expect(inner.batches).toEqual([['a', 'b'], ['c']]);
  });

  it('fills the next batch while the model is busy, so batches grow with load', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxBatch: 32, maxWaitMs: 1 });
    inner.hold();
    const first = embedder.embed(['first']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(inner.sizes).toEqual([1]);
    const rest = Promise.all(texts(40).map((text) => embedder.embed([text])));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(inner.sizes).toEqual([1]);
    inner.release();
    await Promise.all([first, rest]);
    expect(inner.sizes).toEqual([1, 32, 8]);
  });

  it('runs up to `concurrency` batches at once, spreading what waits over the idle ones', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxBatch: 4, concurrency: 2 });
    inner.hold();
    const all = Promise.all(texts(8).map((text) => embedder.embed([text])));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(inner.sizes).toEqual([2, 2]);
    inner.release();
    await all;
    expect(inner.sizes).toEqual([2, 2, 4]);
  });

  it('splits a timed batch between idle instances', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxBatch: 32, concurrency: 2 });
    await Promise.all(texts(16).map((text) => embedder.embed([text])));
    expect(inner.sizes).toEqual([8, 8]);
  });

  it('embeds a text asked for several times before its answer once', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { cacheSize: 0 });
    const [xy, x, yx] = await Promise.all([
      embedder.embed(['x', 'y']),
      embedder.embed(['x']),
      embedder.embed(['y', 'x']),
    ]);
    expect(inner.batches).toEqual([['x', 'y']]);
    expect(xy).toEqual([vectorOf('x'), vectorOf('y')]);
    expect(x).toEqual([vectorOf('x')]);
    expect(yx).toEqual([vectorOf('y'), vectorOf('x')]);
    expect(embedder.stats.textsEmbedded).toBe(2);
  });

  it('answers recent texts from its cache without the model, and forgets the least recent', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { cacheSize: 2 });
    await embedder.embed(['a', 'b']);
    await expect(embedder.embed(['a', 'b'])).resolves.toEqual([vectorOf('a'), vectorOf('b')]);
    expect(inner.batches).toEqual([['a', 'b']]);
    expect(embedder.stats.cacheHits).toBe(2);

    await embedder.embed(['c']); // evicts 'a', the least recently used
    await embedder.embed(['a', 'b', 'c']);
    expect(inner.batches).toEqual([['a', 'b'], ['c'], ['a']]);
  });

  it('embeds again when the cache is off', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { cacheSize: 0 });
    await embedder.embed(['a']);
    await embedder.embed(['a']);
    expect(inner.batches).toEqual([['a'], ['a']]);
    expect(embedder.stats.cacheHits).toBe(0);
  });

  it('rejects exactly the callers whose texts were in the failed batch', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxBatch: 2 });
    inner.failOn = 'bad';
    const results = await Promise.allSettled([
      embedder.embed(['bad']),
      embedder.embed(['unlucky']),
      embedder.embed(['fine']),
      embedder.embed(['also fine']),
    ]);
    expect(inner.batches).toEqual([
      ['bad', 'unlucky'],
      ['fine', 'also fine'],
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(results[0]).toMatchObject({ reason: new Error('cannot embed bad') });

    // Failures are not cached: the next call tries the model again.
    inner.failOn = undefined;
    await expect(embedder.embed(['unlucky'])).resolves.toEqual([vectorOf('unlucky')]);
    expect(inner.batches).toHaveLength(3);
  });

  it('rejects a batch whose answer has the wrong number of vectors', async () => {
    const embedder = new MicroBatchingEmbedder(inner);
    inner.wrongCount = true;
    await expect(embedder.embed(['a', 'b'])).rejects.toThrow('returned 1 vectors for 2 texts');
  });

  it('answers an empty call without the model', async () => {
    const embedder = new MicroBatchingEmbedder(inner);
    await expect(embedder.embed([])).resolves.toEqual([]);
    expect(inner.batches).toEqual([]);
  });

  it('passes the model identity and loading through', async () => {
    const embedder = new MicroBatchingEmbedder(inner);
    expect(embedder.ready).toBe(false);
    await embedder.load();
    expect(embedder.ready).toBe(true);
    expect(embedder.modelId).toBe('fake-v1');
    expect(embedder.dimensions).toBe(3);
  });

  it('on close, embeds what is queued and then closes the model', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxWaitMs: 60_000 });
    const queued = embedder.embed(['late']);
    await embedder.close();
    await expect(queued).resolves.toEqual([vectorOf('late')]);
    expect(inner.closed).toBe(true);
  });

  it('refuses nonsensical options', () => {
    expect(() => new MicroBatchingEmbedder(inner, { maxBatch: 0 })).toThrow('maxBatch');
    expect(() => new MicroBatchingEmbedder(inner, { concurrency: 0 })).toThrow('concurrency');
    expect(() => new MicroBatchingEmbedder(inner, { maxWaitMs: -1 })).toThrow('maxWaitMs');
  });

  it('drops a released text that has not reached the model, and rejects only its claim', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxWaitMs: 5 });
    const dropped = embedder.claim('answered by the exact cache');
    const kept = embedder.claim('a semantic lookup');
    dropped.release();
    await expect(dropped.vector).rejects.toThrow(EmbeddingReleasedError);
    expect(await kept.vector).toEqual(vectorOf('a semantic lookup'));
    expect(inner.batches).toEqual([['a semantic lookup']]);
  });

  it('keeps a released text that another caller still waits for, or that already runs', async () => {
    const embedder = new MicroBatchingEmbedder(inner, { maxWaitMs: 5 });
    const first = embedder.claim('shared');
    const second = embedder.claim('shared');
    first.release();
    expect(await second.vector).toEqual(vectorOf('shared'));

    inner.hold();
    const running = embedder.claim('running');
    await new Promise((resolve) => setTimeout(resolve, 20));
    running.release();
    inner.release();
    expect(await running.vector).toEqual(vectorOf('running'));
  });
});

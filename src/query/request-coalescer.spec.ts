import { RequestCoalescer } from './request-coalescer';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('RequestCoalescer', () => {
  it('runs one producer for concurrent callers of the same key', async () => {
    const coalescer = new RequestCoalescer<string>();
    const upstream = deferred<string>();
    const produce = jest.fn(() => upstream.promise);
    const persist = jest.fn(() => Promise.resolve());
    const callers = Array.from({ length: 10 }, () => coalescer.run('k', produce, persist));
    upstream.resolve('answer');
    const results = await Promise.all(callers);
    expect(produce).toHaveBeenCalledTimes(1);
    expect(results.map((result) => result.value)).toEqual(Array(10).fill('answer'));
    expect(results.filter((result) => !result.shared)).toHaveLength(1);
    expect(persist).toHaveBeenCalledWith('answer');
  });

  it('keeps sharing the result until it is persisted, then forgets the key', async () => {
    const coalescer = new RequestCoalescer<string>();
    const write = deferred<void>();
    const produce = jest.fn(() => Promise.resolve('answer'));
    await coalescer.run('k', produce, () => write.promise);
    const late = await coalescer.run('k', produce, () => Promise.resolve());
    expect(late).toEqual({ value: 'answer', shared: true });
    expect(produce).toHaveBeenCalledTimes(1);
    write.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(coalescer.size).toBe(0);
  });

  it('gives every waiter the same failure and lets the next call retry', async () => {
    const coalescer = new RequestCoalescer<string>();
    const upstream = deferred<string>();
    const persist = jest.fn(() => Promise.resolve());
    const first = coalescer.run('k', () => upstream.promise, persist);
    const second = coalescer.run('k', () => upstream.promise, persist);
    upstream.reject(new Error('502'));
    await expect(first).rejects.toThrow('502');
    await expect(second).rejects.toThrow('502');
    expect(persist).not.toHaveBeenCalled();
    await new Promise((resolve) => setImmediate(resolve));
    const retried = await coalescer.run('k', () => Promise.resolve('ok'), persist);
    expect(retried).toEqual({ value: 'ok', shared: false });
  });

  it('keeps different keys apart', async () => {
    const coalescer = new RequestCoalescer<string>();
    const [a, b] = await Promise.all([
      coalescer.run(
        'a',
        () => Promise.resolve('A'),
        () => Promise.resolve(),
      ),
      coalescer.run(
        'b',
        () => Promise.resolve('B'),
        () => Promise.resolve(),
      ),
    ]);
    expect([a.value, b.value]).toEqual(['A', 'B']);
  });
});

import { join } from 'node:path';
import { WorkerPool } from './worker-pool';

type Request = { value: number; wait?: number; fail?: boolean; die?: boolean };
type Result = { product: number; thread: number };

const entry = join(__dirname, 'arithmetic.worker.fixture');

function pool(workers: number, setup: object = { factor: 3 }) {
  return new WorkerPool<{ factor: number }, Request, Result>({
    entry,
    setup,
    workers,
    name: 'arithmetic',
  });
}

describe('WorkerPool', () => {
  it('starts its workers, reports what they said and answers requests', async () => {
    const workers = pool(2);
    await expect(workers.start()).resolves.toEqual({ factor: 3 });
    expect(workers.size).toBe(2);
    const results = await Promise.all(
      [1, 2, 3, 4].map((value) => workers.run({ value, wait: 20 })),
    );
    expect(results.map((result) => result.product)).toEqual([3, 6, 9, 12]);
    // The least-loaded worker takes each request: four at once spread over both.
    expect(new Set(results.map((result) => result.thread)).size).toBe(2);
    await workers.close();
    expect(workers.started).toBe(false);
  });

  it('fails to start when a worker cannot load, and leaves no worker behind', async () => {
    const workers = pool(2, { factor: 1, failLoad: true });
    await expect(workers.start()).rejects.toThrow('no model here');
    expect(workers.size).toBe(0);
    await expect(workers.run({ value: 1 })).rejects.toThrow(
      'the arithmetic workers are not running',
    );
  });

  it('fails one request alone', async () => {
    const workers = pool(1);
    await workers.start();
    await expect(workers.run({ value: 7, fail: true })).rejects.toThrow('cannot take 7');
    await expect(workers.run({ value: 7 })).resolves.toMatchObject({ product: 21 });
    await workers.close();
  });

  it('fails what a dead worker held, and the others carry on', async () => {
    const workers = pool(2);
    await workers.start();
    const slow = workers.run({ value: 1, wait: 300 });
    await expect(workers.run({ value: 0, die: true })).rejects.toThrow('exited with code 3');
    expect(workers.size).toBe(1);
    await expect(slow).resolves.toMatchObject({ product: 3 });
    await expect(workers.run({ value: 5 })).resolves.toMatchObject({ product: 15 });
    await workers.close();
  });

  it('lets requests already sent finish before it stops', async () => {
    const workers = pool(1);
    await workers.start();
    const pending = workers.run({ value: 2, wait: 100 });
    expect(workers.load).toBe(1);
    await workers.close();
    await expect(pending).resolves.toMatchObject({ product: 6 });
  });
});

import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { FromWorker, ToWorker } from './messages';

export interface WorkerPoolOptions {
  /**
   * The worker entry without its extension, e.g. `join(__dirname, 'model.worker')`: the compiled
   * `.js` when it exists (dist/), else the `.ts` source (Jest, `node -r @swc-node/register`).
   */
  entry: string;
  /** Handed to every worker as `workerData`; must survive structured cloning. */
  setup: unknown;
  workers: number;
  /** Names the pool in errors, e.g. "embedding". */
  name: string;
}

interface Pending<Result> {
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
  settled: Promise<unknown>;
}

interface Slot<Result> {
  worker: Worker;
  pending: Map<number, Pending<Result>>;
}

/**
 * A fixed set of worker threads running one service each (a model, typically), so that heavy
 * synchronous compute never runs on the event loop's thread. A request goes to the worker with
 * the fewest outstanding ones; a worker that dies fails its requests and the others carry on.
 */
export class WorkerPool<Info, Request, Result> {
  private slots: Slot<Result>[] = [];
  private nextId = 0;
  private workerInfo: Info | undefined;

  constructor(private readonly options: WorkerPoolOptions) {}

  get started(): boolean {
    return this.workerInfo !== undefined && this.slots.length > 0;
  }

  /** What the first worker reported when it was ready. */
  get info(): Info | undefined {
    return this.workerInfo;
  }

  get size(): number {
    return this.slots.length;
  }

  async start(): Promise<Info> {
    if (this.workerInfo !== undefined) return this.workerInfo;
    const results = await Promise.allSettled(
      Array.from({ length: Math.max(1, this.options.workers) }, () => this.startOne()),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) {
      await Promise.all(
        results.map((result) => result.status === 'fulfilled' && result.value.worker.terminate()),
      );
      throw failure.reason;
    }
    const started = results.map(
      (result) => (result as PromiseFulfilledResult<{ worker: Worker; info: Info }>).value,
    );
    this.workerInfo = started[0].info;
    this.slots = started.map(({ worker }) => this.attach(worker));
    return this.workerInfo;
  }

  /** Outstanding requests across the workers. */
  get load(): number {
    return this.slots.reduce((sum, slot) => sum + slot.pending.size, 0);
  }

  /** Workers with nothing outstanding. */
  get idle(): number {
    return this.slots.filter((slot) => slot.pending.size === 0).length;
  }

  run(request: Request, transfer: ArrayBuffer[] = []): Promise<Result> {
    if (this.slots.length === 0) {
      return Promise.reject(new Error(`the ${this.options.name} workers are not running`));
    }
    const slot = this.slots.reduce((least, other) =>
      other.pending.size < least.pending.size ? other : least,
    );
    const id = this.nextId++;
    let callbacks!: Pick<Pending<Result>, 'resolve' | 'reject'>;
    const answer = new Promise<Result>((resolve, reject) => {
      callbacks = { resolve, reject };
    });
    const settled = answer.then(
      () => undefined,
      () => undefined,
    );
    slot.pending.set(id, { ...callbacks, settled });
    slot.worker.postMessage({ id, request } satisfies ToWorker<Request>, transfer);
    return answer;
  }

  /** Lets requests already sent finish, then stops the workers. */
  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    this.workerInfo = undefined;
    await Promise.all(
      slots.map(async (slot) => {
        await Promise.all([...slot.pending.values()].map((pending) => pending.settled));
        await slot.worker.terminate();
      }),
    );
  }

  private attach(worker: Worker): Slot<Result> {
    const slot: Slot<Result> = { worker, pending: new Map() };
    worker.on('message', (message: FromWorker<Info, Result>) => {
      if (message.type !== 'result' && message.type !== 'failed') return;
      const pending = slot.pending.get(message.id);
      slot.pending.delete(message.id);
      if (message.type === 'failed') pending?.reject(new Error(message.message));
      else pending?.resolve(message.result);
    });
    const lost = (error: Error): void => {
      this.slots = this.slots.filter((other) => other !== slot);
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', (code) =>
      lost(new Error(`the ${this.options.name} worker exited with code ${code}`)),
    );
    return slot;
  }

  private startOne(): Promise<{ worker: Worker; info: Info }> {
    const worker = spawn(this.options.entry, this.options.setup);
    return new Promise((resolve, reject) => {
      const stopListening = (): void => {
        worker.off('message', onMessage).off('error', fail).off('exit', exited);
      };
      const fail = (error: Error): void => {
        stopListening();
        void worker.terminate();
        reject(error);
      };
      const exited = (code: number): void =>
        fail(new Error(`the ${this.options.name} worker exited with code ${code} while loading`));
      const onMessage = (message: FromWorker<Info, Result>): void => {
        if (message.type === 'ready') {
          stopListening();
          resolve({ worker, info: message.info });
        } else if (message.type === 'load-failed') {
          fail(new Error(message.message));
        }
      };
      worker.on('message', onMessage).on('error', fail).on('exit', exited);
    });
  }
}

/**
 * A worker thread inherits neither Jest's transform nor the parent's `-r` hooks, so from the
 * TypeScript sources it registers the compiler itself.
 */
function spawn(entry: string, workerData: unknown): Worker {
  if (existsSync(`${entry}.js`)) return new Worker(`${entry}.js`, { workerData });
  const register = JSON.stringify(require.resolve('@swc-node/register'));
  const source = JSON.stringify(`${entry}.ts`);
  return new Worker(`require(${register}); require(${source});`, { eval: true, workerData });
}

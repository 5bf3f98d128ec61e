import { threadId } from 'node:worker_threads';
import { serveInWorker } from './serve-in-worker';

/** A worker for the pool's tests: multiplies, fails on request, or dies on request. */
serveInWorker(async (setup: { factor: number; failLoad?: boolean }) => {
  if (setup.failLoad) throw new Error('no model here');
  await Promise.resolve();
  return {
    info: { factor: setup.factor },
    handle: async (request: { value: number; wait?: number; fail?: boolean; die?: boolean }) => {
      if (request.die) process.exit(3);
      if (request.fail) throw new Error(`cannot take ${request.value}`);
      if (request.wait) await new Promise((resolve) => setTimeout(resolve, request.wait));
      return { product: request.value * setup.factor, thread: threadId };
    },
  };
});

export { WorkerPool } from './src/worker-pool';
export type { WorkerPoolOptions } from './src/worker-pool';
export { serveInWorker } from './src/serve-in-worker';
export type { WorkerService } from './src/serve-in-worker';

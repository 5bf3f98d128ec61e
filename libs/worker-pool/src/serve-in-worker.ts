import { parentPort, workerData } from 'node:worker_threads';
import { FromWorker, ToWorker } from './messages';

/** What a worker entry builds from its setup: what it tells the pool once, and how it answers. */
export interface WorkerService<Info, Request, Result> {
  info: Info;
  handle(request: Request): Promise<Result> | Result;
  /** Buffers to move rather than copy to the pool with a result. */
  transfer?(result: Result): ArrayBuffer[];
}

/**
 * The worker side of a `WorkerPool`: builds the service from `workerData`, reports ready (or why
 * not), then answers requests one message each. Requests are answered in order; a failed one
 * fails alone.
 */
export function serveInWorker<Setup, Info, Request, Result>(
  load: (setup: Setup) => Promise<WorkerService<Info, Request, Result>>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveInWorker runs inside a worker thread');
  const send = (message: FromWorker<Info, Result>, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(message, transfer);
  load(workerData as Setup).then(
    (service) => {
      port.on('message', ({ id, request }: ToWorker<Request>) => {
        Promise.resolve()
          .then(() => service.handle(request))
          .then(
            (result) => send({ type: 'result', id, result }, service.transfer?.(result)),
            (error: Error) => send({ type: 'failed', id, message: error.message }),
          );
      });
      send({ type: 'ready', info: service.info });
    },
    (error: Error) => send({ type: 'load-failed', message: error.message }),
  );
}

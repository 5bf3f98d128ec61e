import OpenAI from 'openai';
import type { ProviderFetch } from '../../llm/provider-fetch';
import { Embedder } from './embedder.port';
import { normalise } from './unit-vector';

export interface OpenAIEmbedderOptions {
  apiKey: string;
  baseURL?: string;
  model?: string;
  /** Asks text-embedding-3 models for shorter vectors; the model's full width when unset. */
  dimensions?: number;
  timeoutMs?: number;
  /** Retries of the SDK on 429, 5xx and connection errors (its default is 2). */
  maxRetries?: number;
  /** The HTTP client the provider SDKs use (LlmModule's); the runtime's fetch when unset. */
  fetch?: ProviderFetch['fetch'];
}

/** OpenAI's embeddings endpoint (or any server speaking it, through `baseURL`). */
export class OpenAIEmbedder implements Embedder {
  readonly modelId: string;
  private readonly client: OpenAI;
  private readonly model: string;
  private width = 0;

  constructor(private readonly options: OpenAIEmbedderOptions) {
    this.model = options.model ?? 'text-embedding-3-small';
    this.modelId = `openai:${this.model}`;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: options.fetch,
    });
  }

  get dimensions(): number {
    return this.width;
  }

  get ready(): boolean {
    return this.width > 0;
  }

  /** One call to learn the width, which differs by model and by `dimensions`. */
  async load(): Promise<void> {
    if (this.ready) return;
    const [probe] = await this.request(['warm up']);
    if (probe.length === 0) throw new Error(`${this.modelId} returned an empty vector`);
    this.width = probe.length;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!this.ready) throw new Error('the embedding model is not loaded yet');
    if (texts.length === 0) return [];
    const vectors = await this.request(texts);
    const wrong = vectors.find((vector) => vector.length !== this.width);
    if (wrong) {
      throw new Error(`${this.modelId} returned ${wrong.length} dimensions, not ${this.width}`);
    }
    return vectors;
  }

  async close(): Promise<void> {
    this.width = 0;
  }

  private async request(texts: readonly string[]): Promise<Float32Array[]> {
    // The SDK asks for base64 and decodes it to numbers itself: a quarter of the JSON's size.
    const response = await this.client.embeddings.create({
      model: this.model,
      input: [...texts],
      dimensions: this.options.dimensions,
    });
    if (response.data.length !== texts.length) {
      throw new Error(
        `${this.modelId} returned ${response.data.length} vectors for ${texts.length} texts`,
      );
    }
    const vectors = new Array<Float32Array>(texts.length);
    // OpenAI vectors are unit length already, up to float error; the index assumes exactly.
    for (const item of response.data) vectors[item.index] = normalise(item.embedding);
    return vectors;
  }
}

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Embedder } from '../../src/semantic/embedding/embedder.port';

const BATCH = 32;

/**
 * Text → vector, kept on disk between runs of the training and evaluation scripts (embedding
 * 150k sentences takes minutes). Records are appended as [u32 text length][text][f32 × dims];
 * a torn last record from an interrupted run is ignored.
 */
export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();

  constructor(
    private readonly embedder: Embedder,
    private readonly file: string,
  ) {
    if (existsSync(file)) this.read();
  }

  get modelId(): string {
    return this.embedder.modelId;
  }

  get(text: string): Float32Array {
    const vector = this.vectors.get(text);
    if (!vector) throw new Error(`not embedded: ${text.slice(0, 40)}`);
    return vector;
  }

  async embedAll(texts: Iterable<string>, onProgress?: (done: number, total: number) => void) {
    const missing = [...new Set(texts)].filter((text) => !this.vectors.has(text));
    if (missing.length === 0) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a');
    try {
      for (let start = 0; start < missing.length; start += BATCH) {
        const batch = missing.slice(start, start + BATCH);
        const rows = await this.embedder.embed(batch);
        batch.forEach((text, i) => {
          this.vectors.set(text, rows[i]);
          writeSync(fd, encodeRecord(text, rows[i]));
        });
        onProgress?.(Math.min(start + BATCH, missing.length), missing.length);
      }
    } finally {
      closeSync(fd);
    }
  }

  private read(): void {
    const buffer = readFileSync(this.file);
    const dims = this.embedder.dimensions;
    let offset = 0;
    while (offset + 4 <= buffer.length) {
      const length = buffer.readUInt32LE(offset);
      const end = offset + 4 + length + dims * 4;
      if (end > buffer.length) break;
      const text = buffer.toString('utf8', offset + 4, offset + 4 + length);
      const vector = new Float32Array(dims);
      Buffer.from(vector.buffer).set(buffer.subarray(offset + 4 + length, end));
      this.vectors.set(text, vector);
      offset = end;
    }
  }
}

function encodeRecord(text: string, vector: Float32Array): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(bytes.length);
  return Buffer.concat([
    header,
    bytes,
    Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
  ]);
}

export function cacheFileFor(modelId: string): string {
  return `.cache/embeddings/${modelId}.bin`;
}

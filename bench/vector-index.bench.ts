/**
 * The semantic index at scale: one partition of N random unit vectors, queried with near-duplicates
 * of stored vectors (the stored vector plus a little gaussian noise, renormalised), one query at a
 * time as the gateway searches. Reports build time, RSS, search latency and recall@1 (the top
 * result is the vector the query was made from), then the time to save the index, which is what a
 * checkpoint or snapshot blocks the event loop for.
 *
 * Random unit vectors are the hardest case for HNSW: with no cluster structure, every stored vector
 * is about equally far from a query, so the graph walk has little to steer by, and recall at a
 * given expansion falls as the index grows. Sentence embeddings are clustered; this benchmark does
 * not measure them.
 *
 * It drives a raw usearch index made by `createPartitionIndex`, configured exactly as
 * UsearchVectorStore configures each partition (same metric, quantisation, connectivity and
 * expansions), and adds vectors with usearch's multithreaded bulk add: the store's upsert logs each
 * vector and would measure the disk, not the index. The store's search adds two map lookups.
 *
 *   node -r @swc-node/register bench/vector-index.bench.ts --entries 1000000 --queries 10000
 *        [--dimensions 512] [--connectivity 16] [--expansion-add 128] [--expansion-search 64]
 *        [--quantization i8|f16|f32] [--noise 0.1] [--seed 1] [--data embedding-like|random] [--k 1,13]
 *
 * `--k` lists how many neighbours each search asks for; recall@1 still checks the first. The store
 * asks for SEMANTIC_CANDIDATES + 8 (13 by default).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../scripts/lib/seeded-random';
import { percentile } from './bench-process';
import { createPartitionIndex } from '../src/semantic/index/usearch-index-state';
import { USEARCH_DEFAULTS } from '../src/semantic/index/usearch.vector-store';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '10000' },
    dimensions: { type: 'string', default: '512' },
    connectivity: { type: 'string', default: String(USEARCH_DEFAULTS.connectivity) },
    'expansion-add': { type: 'string', default: String(USEARCH_DEFAULTS.expansionAdd) },
    'expansion-search': { type: 'string', default: String(USEARCH_DEFAULTS.expansionSearch) },
    quantization: { type: 'string', default: USEARCH_DEFAULTS.quantization },
    noise: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    data: { type: 'string', default: 'embedding-like' },
    k: { type: 'string', default: '1' },
  },
});
const entries = Number(values.entries);
const queryCount = Number(values.queries);
const dimensions = Number(values.dimensions);
const noise = Number(values.noise);
const seed = Number(values.seed);
const neighbourCounts = values.k.split(',').map(Number);
/** Vectors added per bulk call: large enough to keep both cores busy, small enough to stay cheap in JS. */
const BATCH = 10_000;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * `--data embedding-like` (default) draws vectors with the shape of USE-lite's sentence
 * embeddings, as measured on 20,000 of the texts in ../shared/eval: a common mean direction of
 * length 0.44 and the variance spread over about 55 effective dimensions (participation ratio of
 * the covariance). So v = normalise(mean + a LATENT-dimensional gaussian through a fixed random
 * basis + a little isotropic noise); generated this way, 10,000 vectors have a mean of length
 * 0.46 and a participation ratio of 60. They are less clustered than real questions (mean
 * nearest-neighbour cosine among 5,000: 0.56 against 0.81), so neighbours are harder to tell
 * apart than in real data. `--data random` draws uniform unit vectors: no structure at all, the
 * hardest case for HNSW, and nothing like what an embedder produces.
 */
const LATENT = 64;
const MEAN_NORM = 0.44;
const ISOTROPIC = 0.15;
const LATENT_NORM = 0.85;
const structure = (() => {
  const random = seededRandom(seed ^ 0xba515);
  const mean = Float32Array.from({ length: dimensions }, () => gaussian(random));
  const meanNorm = Math.hypot(...mean);
  const basis = Float32Array.from(
    { length: LATENT * dimensions },
    () => gaussian(random) / Math.sqrt(dimensions),
  );
  return { mean: mean.map((value) => (MEAN_NORM * value) / meanNorm), basis };
})();

/**
 * Vector `id`, regenerated from its own seed rather than kept: 1,000,000 × 512 f32 would be 2 GB of
 * JS heap on top of the index being measured.
 */
function storedVector(id: number, into: Float32Array, offset = 0): void {
  const random = seededRandom((seed * 1_000_003 + id) >>> 0);
  for (let i = 0; i < dimensions; i++) {
    into[offset + i] =
      values.data === 'random'
        ? gaussian(random)
        : (ISOTROPIC * gaussian(random)) / Math.sqrt(dimensions) + structure.mean[i];
  }
  if (values.data !== 'random') {
    for (let k = 0; k < LATENT; k++) {
      const z = gaussian(random) / Math.sqrt(LATENT);
      const row = k * dimensions;
      for (let i = 0; i < dimensions; i++)
        into[offset + i] += z * structure.basis[row + i] * LATENT_NORM;
    }
  }
  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += into[offset + i] * into[offset + i];
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) into[offset + i] /= norm;
}

/** The stored vector plus gaussian noise of total length about `noise`, renormalised. */
function nearDuplicate(id: number, random: () => number): Float32Array {
  const vector = new Float32Array(dimensions);
  storedVector(id, vector);
  const sigma = noise / Math.sqrt(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    vector[i] += sigma * gaussian(random);
    norm += vector[i] * vector[i];
  }
  norm = Math.sqrt(norm);
  return vector.map((value) => value / norm);
}

function mib(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(0)} MiB`;
}

interface SearchFigures {
  p50: number;
  p99: number;
  max: number;
  recall: number;
}

/** One query at a time on the calling thread, as UsearchVectorStore searches. */
function measureSearch(
  index: ReturnType<typeof createPartitionIndex>,
  neighbours: number,
): SearchFigures {
  const random = seededRandom(seed ^ 0x5eed);
  const latencies: number[] = [];
  let hits = 0;
  for (let q = 0; q < queryCount; q++) {
    const source = Math.floor(random() * entries);
    const query = nearDuplicate(source, random);
    const start = process.hrtime.bigint();
    const found = index.search(query, neighbours, 1);
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (found.keys.length > 0 && Number(found.keys[0]) === source) hits += 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    recall: hits / queryCount,
  };
}

function main(): void {
  const expansions = values['expansion-search'].split(',').map(Number);
  const config = {
    dimensions,
    connectivity: Number(values.connectivity),
    expansionAdd: Number(values['expansion-add']),
    expansionSearch: expansions[0],
    quantization: values.quantization as 'i8' | 'f16' | 'f32',
  };
  console.log(
    `config ${JSON.stringify({ data: values.data, entries, queries: queryCount, noise, seed, k: neighbourCounts, ...config })}`,
  );
  const rssBefore = process.memoryUsage().rss;
  const index = createPartitionIndex(config);

  const buildStart = process.hrtime.bigint();
  const vectors = new Float32Array(BATCH * dimensions);
  for (let first = 0; first < entries; first += BATCH) {
    const count = Math.min(BATCH, entries - first);
    const keys = new BigUint64Array(count);
    for (let i = 0; i < count; i++) {
      keys[i] = BigInt(first + i);
      storedVector(first + i, vectors, i * dimensions);
    }
    index.add(keys, count === BATCH ? vectors : vectors.subarray(0, count * dimensions), 0);
    if ((first / BATCH) % 10 === 9) {
      const seconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
      console.log(`  ${first + count} vectors in ${seconds.toFixed(0)} s`);
    }
  }
  const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
  const rssAfter = process.memoryUsage().rss;
  console.log(
    `build        ${buildSeconds.toFixed(1)} s (${(entries / buildSeconds).toFixed(0)} vectors/s, bulk add on all cores)`,
  );
  console.log(`memory       RSS ${mib(rssAfter)} (index about ${mib(rssAfter - rssBefore)})`);

  const dir = mkdtempSync(join(tmpdir(), 'ragcache-vector-bench-'));
  const file = join(dir, 'index.usearch');
  const saveStart = process.hrtime.bigint();
  index.save(file);
  const saveSeconds = Number(process.hrtime.bigint() - saveStart) / 1e9;
  console.log(`save         ${saveSeconds.toFixed(1)} s, ${mib(statSync(file).size)} on disk`);

  for (const expansionSearch of expansions) {
    const searched = createPartitionIndex({ ...config, expansionSearch });
    const loadStart = process.hrtime.bigint();
    searched.load(file);
    const loadSeconds = Number(process.hrtime.bigint() - loadStart) / 1e9;
    for (const neighbours of neighbourCounts) {
      const figures = measureSearch(searched, neighbours);
      console.log(
        `search k=${neighbours}   expansion ${expansionSearch}: p50 ${figures.p50.toFixed(3)} ms, p99 ${figures.p99.toFixed(3)} ms, ` +
          `max ${figures.max.toFixed(3)} ms, recall@1 ${figures.recall.toFixed(4)} (load ${loadSeconds.toFixed(1)} s)`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

main();

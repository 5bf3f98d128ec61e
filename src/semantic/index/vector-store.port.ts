import { CachedAnswer, EntryAddress } from '../../cache/exact-cache.port';

/** Entries that may answer each other: same tenant, namespace and scope hash (see libs/cache-key). */
export interface SemanticPartition {
  tenant: string;
  namespace: string;
  scope: string;
}

/**
 * What the semantic layer keeps per cached answer. It carries the answer itself, so a semantic
 * hit needs nothing else: after a restart with the in-memory exact cache, or while Redis is down,
 * the embedded index still answers. Both layers get the same TTL and are purged together.
 */
export interface SemanticEntry extends SemanticPartition {
  /** The exact-cache entry key hash (base64url) this vector points at; unique per tenant and namespace. */
  hash: string;
  /** The normalised last user message: the verification step compares texts, not only vectors. */
  text: string;
  /** The stored answer, as the exact cache holds it under `hash`. */
  answer: CachedAnswer;
  /** Unit length, `dimensions` long. */
  vector: Float32Array;
  /** Epoch milliseconds after which the entry no longer matches. */
  expiresAt: number;
  /**
   * Raised by feedback on a wrong hit (a per-entry threshold, as in vCache): a candidate must
   * score at least this to be served from this entry. 0 when no feedback was given.
   */
  minScore: number;
  /** Hashes of normalised query texts reported as wrong hits for this entry: never served again. */
  blockedQueries: string[];
}

export type StoredSemanticEntry = Omit<SemanticEntry, 'vector'>;

export interface VectorMatch {
  entry: StoredSemanticEntry;
  /** Cosine similarity between the query vector and the entry's vector, in [-1, 1]. */
  similarity: number;
}

export interface VectorSnapshot {
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
  bytes: number | null;
}

/**
 * The vector index behind the semantic cache. Adapters never throw on `search` because their
 * backend is down: they report it through `available` and return no matches.
 */
export interface VectorStore {
  readonly backend: 'usearch' | 'qdrant';
  readonly available: boolean;
  /** Opens (or creates) the index for vectors of one model and dimension. Called once before use. */
  open(model: string, dimensions: number): Promise<void>;
  /** Flushes what is buffered and releases files and connections. */
  close(): Promise<void>;
  /** Inserts or replaces the entry with the same tenant, namespace and hash. Resolves once durable. */
  upsert(entry: SemanticEntry): Promise<void>;
  /** Nearest live (unexpired) entries of one partition, most similar first. */
  search(partition: SemanticPartition, vector: Float32Array, limit: number): Promise<VectorMatch[]>;
  /** The stored entry without its vector, if it exists and has not expired. */
  get(address: EntryAddress): Promise<StoredSemanticEntry | undefined>;
  delete(address: EntryAddress): Promise<boolean>;
  /** Deletes every entry of one tenant's namespace; returns how many were removed. */
  purgeNamespace(tenant: string, namespace: string): Promise<number>;
  /** Live entries across all partitions. */
  count(): Promise<number>;
  /** A consistent copy of the whole index, taken while serving. */
  createSnapshot(): Promise<VectorSnapshot>;
  listSnapshots(): Promise<VectorSnapshot[]>;
  /** Replaces the live index with a snapshot's contents; unknown names are rejected. */
  restoreSnapshot(name: string): Promise<void>;
}

export const VECTOR_STORE = Symbol('VectorStore');

import { CachedAnswer } from '../../cache/exact-cache.port';
import { Logger } from '@nestjs/common';
import { QdrantClient, Schemas } from '@qdrant/js-client-rest';
import { createHash } from 'node:crypto';
import { EntryAddress } from '../../cache/exact-cache.port';
import { SnapshotNotFoundError } from './snapshot-not-found.error';
import {
  SemanticEntry,
  SemanticPartition,
  StoredSemanticEntry,
  VectorMatch,
  VectorSnapshot,
  VectorStore,
} from './vector-store.port';

export interface QdrantVectorStoreOptions {
  url: string;
  apiKey?: string;
  /** int8 scalar quantisation of the stored vectors: about 4x less memory for the vectors. */
  quantization?: boolean;
  /** Per request; a search that waits longer costs more than the provider call it saves. */
  timeoutMs?: number;
  /** Expired points are deleted by filter this often (Qdrant has no TTL of its own). */
  sweepIntervalMs?: number;
  /** Where the Qdrant server keeps snapshots on its own disk (its image's default). */
  serverSnapshotsPath?: string;
  now?: () => number;
}

interface EntryPayload {
  tenant: string;
  namespace: string;
  scope: string;
  hash: string;
  text: string;
  answer: CachedAnswer;
  expires_at: number;
  min_score: number;
  blocked_queries: string[];
}

const KEYWORD_FIELDS = ['tenant', 'namespace', 'scope', 'hash'] as const;
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** `ragcache_<model>_<dims>`: vectors of two models or sizes never share a collection. */
export function collectionName(model: string, dimensions: number): string {
  const safeModel = model.toLowerCase().replace(/[^a-z0-9_-]+/g, '_');
  return `ragcache_${safeModel}_${dimensions}`;
}

/**
 * A UUID derived from the entry's address, so an upsert of the same tenant, namespace and hash
 * replaces the point. NUL separators: a `/` may appear in a tenant or namespace and make two
 * addresses collide.
 */
export function pointId(address: EntryAddress): string {
  const digest = createHash('sha256')
    .update(`${address.tenant}\u0000${address.namespace}\u0000${address.hash}`)
    .digest();
  // RFC 9562 version 8 (custom) and variant bits, so the id is a well-formed UUID.
  digest[6] = (digest[6] & 0x0f) | 0x80;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function matchKeyword(key: string, value: string): Schemas['FieldCondition'] {
  return { key, match: { value } };
}

function liveAt(now: number): Schemas['FieldCondition'] {
  return { key: 'expires_at', range: { gt: now } };
}

function toEntry(payload: EntryPayload): StoredSemanticEntry {
  return {
    tenant: payload.tenant,
    namespace: payload.namespace,
    scope: payload.scope,
    hash: payload.hash,
    text: payload.text,
    answer: payload.answer,
    expiresAt: payload.expires_at,
    minScore: payload.min_score,
    blockedQueries: payload.blocked_queries,
  };
}

/** Qdrant reports `creation_time` in UTC without a zone designator. */
function parseCreationTime(time: string | null | undefined): number {
  if (!time) return 0;
  return Date.parse(/Z|[+-]\d\d:?\d\d$/.test(time) ? time : `${time}Z`);
}

/**
 * The shared vector store for several replicas: one Qdrant collection per embedding model and
 * dimension, every search filtered by tenant, namespace, scope and expiry. Searches and lookups
 * answer "nothing" while Qdrant is unreachable (logged once per outage); writes reject.
 */
export class QdrantVectorStore implements VectorStore {
  readonly backend = 'qdrant';
  private readonly logger = new Logger(QdrantVectorStore.name);
  private readonly client: QdrantClient;
  private readonly now: () => number;
  private collection: string | undefined;
  private dimensions = 0;
  /** Set once the collection is known to exist; cleared by a failure so the next call checks again. */
  private ready: Promise<void> | undefined;
  private degraded = false;
  private opened = false;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: QdrantVectorStoreOptions) {
    this.client = new QdrantClient({
      url: options.url,
      apiKey: options.apiKey,
      timeout: options.timeoutMs ?? 5_000,
      // The version check is a request at construction, with its own console output.
      checkCompatibility: false,
    });
    this.now = options.now ?? Date.now;
  }

  get available(): boolean {
    return this.opened && !this.degraded;
  }

  /** A Qdrant that is down at start must not stop the gateway: the collection is created later. */
  async open(model: string, dimensions: number): Promise<void> {
    this.collection = collectionName(model, dimensions);
    this.dimensions = dimensions;
    this.opened = true;
    await this.call(() => this.ensureCollection()).catch(() => undefined);
    this.sweepTimer = setInterval(
      () => void this.sweep().catch(() => undefined),
      this.options.sweepIntervalMs ?? 60_000,
    );
    this.sweepTimer.unref();
  }

  close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.opened = false;
    return Promise.resolve();
  }

  async upsert(entry: SemanticEntry): Promise<void> {
    const payload: EntryPayload = {
      tenant: entry.tenant,
      namespace: entry.namespace,
      scope: entry.scope,
      hash: entry.hash,
      text: entry.text,
      answer: entry.answer,
      expires_at: entry.expiresAt,
      min_score: entry.minScore,
      blocked_queries: entry.blockedQueries,
    };
    // wait: acknowledged once applied and in Qdrant's own write-ahead log.
    await this.call((collection) =>
      this.client.upsert(collection, {
        wait: true,
        points: [{ id: pointId(entry), vector: Array.from(entry.vector), payload: { ...payload } }],
      }),
    );
  }

  async search(
    partition: SemanticPartition,
    vector: Float32Array,
    limit: number,
  ): Promise<VectorMatch[]> {
    if (limit <= 0) return [];
    try {
      const result = await this.call((collection) =>
        this.client.query(collection, {
          query: Array.from(vector),
          filter: {
            must: [
              matchKeyword('tenant', partition.tenant),
              matchKeyword('namespace', partition.namespace),
              matchKeyword('scope', partition.scope),
              liveAt(this.now()),
            ],
          },
          limit,
          with_payload: true,
          with_vector: false,
        }),
      );
      return result.points.map((point) => ({
        entry: toEntry(point.payload as unknown as EntryPayload),
        similarity: point.score,
      }));
    } catch {
      return [];
    }
  }

  async get(address: EntryAddress): Promise<StoredSemanticEntry | undefined> {
    try {
      return await this.retrieve(address);
    } catch {
      return undefined;
    }
  }

  async delete(address: EntryAddress): Promise<boolean> {
    const existing = await this.retrieve(address);
    if (!existing) return false;
    await this.call((collection) =>
      this.client.delete(collection, { wait: true, points: [pointId(address)] }),
    );
    return true;
  }

  /** Counts the live entries first (expired ones were already gone for readers), then deletes all. */
  async purgeNamespace(tenant: string, namespace: string): Promise<number> {
    const namespaceFilter = [matchKeyword('tenant', tenant), matchKeyword('namespace', namespace)];
    const { count } = await this.call((collection) =>
      this.client.count(collection, {
        filter: { must: [...namespaceFilter, liveAt(this.now())] },
        exact: true,
      }),
    );
    await this.call((collection) =>
      this.client.delete(collection, { wait: true, filter: { must: namespaceFilter } }),
    );
    return count;
  }

  async count(): Promise<number> {
    const { count } = await this.call((collection) =>
      this.client.count(collection, { filter: { must: [liveAt(this.now())] }, exact: true }),
    );
    return count;
  }

  /** Deletes expired points: readers already skip them, this frees the space. */
  async sweep(): Promise<void> {
    await this.call((collection) =>
      this.client.delete(collection, {
        wait: false,
        filter: { must: [{ key: 'expires_at', range: { lte: this.now() } }] },
      }),
    );
  }

  async createSnapshot(): Promise<VectorSnapshot> {
    const snapshot = await this.call((collection) =>
      this.client.createSnapshot(collection, { wait: true }),
    );
    if (!snapshot) throw new Error('Qdrant did not describe the snapshot it created');
    return {
      name: snapshot.name,
      createdAt: parseCreationTime(snapshot.creation_time),
      bytes: snapshot.size,
    };
  }

  async listSnapshots(): Promise<VectorSnapshot[]> {
    const snapshots = await this.call((collection) => this.client.listSnapshots(collection));
    return snapshots
      .map((snapshot) => ({
        name: snapshot.name,
        createdAt: parseCreationTime(snapshot.creation_time),
        bytes: snapshot.size,
      }))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Recovery from a `file://` location reads the snapshot from the Qdrant server's own disk, which
   * is where its snapshot API writes it (`<serverSnapshotsPath>/<collection>/<name>`); a snapshot
   * copied elsewhere would have to be uploaded instead. Every replica sees the restored collection.
   */
  async restoreSnapshot(name: string): Promise<void> {
    if (!SNAPSHOT_NAME.test(name)) throw new SnapshotNotFoundError(name);
    const known = await this.listSnapshots();
    if (!known.some((snapshot) => snapshot.name === name)) throw new SnapshotNotFoundError(name);
    const root = this.options.serverSnapshotsPath ?? '/qdrant/snapshots';
    await this.call((collection) =>
      this.client.recoverSnapshot(collection, {
        location: `file://${root}/${collection}/${name}`,
      }),
    );
  }

  private async retrieve(address: EntryAddress): Promise<StoredSemanticEntry | undefined> {
    const [point] = await this.call((collection) =>
      this.client.retrieve(collection, {
        ids: [pointId(address)],
        with_payload: true,
        with_vector: false,
      }),
    );
    if (!point) return undefined;
    const entry = toEntry(point.payload as unknown as EntryPayload);
    // The id is a hash of the address; the payload confirms it, so no collision can cross tenants.
    const same =
      entry.tenant === address.tenant &&
      entry.namespace === address.namespace &&
      entry.hash === address.hash;
    return same && entry.expiresAt > this.now() ? entry : undefined;
  }

  /** Creates the collection and its payload indexes if missing; another replica may race us. */
  private ensureCollection(): Promise<void> {
    this.ready ??= (async () => {
      const collection = this.collection as string;
      const { exists } = await this.client.collectionExists(collection);
      if (!exists) {
        try {
          await this.client.createCollection(collection, {
            vectors: { size: this.dimensions, distance: 'Cosine' },
            quantization_config:
              this.options.quantization === false
                ? undefined
                : { scalar: { type: 'int8', always_ram: true } },
          });
        } catch (error) {
          if (!(await this.client.collectionExists(collection)).exists) throw error;
        }
      }
      // Creating an index that exists is a no-op in Qdrant, so a replica that lost the race heals.
      for (const field of KEYWORD_FIELDS) {
        await this.client.createPayloadIndex(collection, {
          field_name: field,
          field_schema: 'keyword',
          wait: true,
        });
      }
      await this.client.createPayloadIndex(collection, {
        field_name: 'expires_at',
        field_schema: 'integer',
        wait: true,
      });
    })();
    return this.ready;
  }

  /** Runs one request against the collection, tracking whether Qdrant answers. */
  private async call<T>(request: (collection: string) => Promise<T>): Promise<T> {
    if (!this.opened || !this.collection) throw new Error('the vector store is not open');
    try {
      await this.ensureCollection();
      const result = await request(this.collection);
      this.markHealthy();
      return result;
    } catch (error) {
      this.ready = undefined;
      this.markDegraded(error as Error);
      throw error;
    }
  }

  private markHealthy(): void {
    if (this.degraded) this.logger.log('Qdrant is reachable again; semantic lookups are restored');
    this.degraded = false;
  }

  /** Logged once per outage, not per failed request. */
  private markDegraded(error: Error): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `Qdrant unavailable (${error.message}); semantic lookups miss and semantic writes fail until it returns`,
    );
  }
}

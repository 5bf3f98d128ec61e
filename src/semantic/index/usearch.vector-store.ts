import { Logger } from '@nestjs/common';
import { EntryAddress } from '../../cache/exact-cache.port';
import { SnapshotNotFoundError } from './snapshot-not-found.error';
import { IndexLayout, sameLayout, UsearchGenerations } from './usearch-generations';
import { IndexState, PartitionIndexConfig } from './usearch-index-state';
import { encodeLogRecord, LogOp } from './usearch-log-record';
import {
  SemanticEntry,
  SemanticPartition,
  StoredSemanticEntry,
  VectorMatch,
  VectorSnapshot,
  VectorStore,
} from './vector-store.port';
import { WalWriter } from './write-ahead-log';

export interface UsearchVectorStoreOptions {
  dataDir: string;
  /** HNSW neighbours per node (usearch's M). */
  connectivity?: number;
  expansionAdd?: number;
  expansionSearch?: number;
  /** i8 cuts memory about 3x against f32 at equal recall (measured on 512-d sentence vectors). */
  quantization?: 'i8' | 'f16' | 'f32';
  sweepIntervalMs?: number;
  /** Write-ahead log records between checkpoints: bounds the log's size and the replay at start. */
  checkpointEvery?: number;
  now?: () => number;
}

/**
 * Graph settings from the 1,000,000-entry benchmark (docs/benchmarks.md): connectivity 32 with
 * expansion 32 searches in p99 1.6–1.8 ms at recall@1 0.9986–0.9992 (three seeds); connectivity 16
 * needs expansion 128 for recall 0.99 and then takes 2.7 ms.
 */
export const USEARCH_DEFAULTS = {
  connectivity: 32,
  expansionAdd: 128,
  expansionSearch: 32,
  quantization: 'i8',
  sweepIntervalMs: 60_000,
  checkpointEvery: 50_000,
} as const;

/** Results fetched beyond `limit`, so a few expired entries among the nearest still leave enough. */
const OVERFETCH = 8;
/** Search one query on the calling thread: spawning workers costs more than a single-query search. */
const SEARCH_THREADS = 1;

/**
 * The default vector store: usearch HNSW indexes in this process, one per partition, made durable
 * under `dataDir` by a write-ahead log (every upsert, delete and purge, fdatasync'd before it is
 * acknowledged) and checkpoints. A checkpoint is a generation directory holding every partition's
 * `index.save()` file and its metadata; `CURRENT` names the live generation and is switched by an
 * atomic rename once the generation is on disk, so a crash at any point leaves the previous
 * generation and its logs, which load. The log keeps f32 vectors only until the next checkpoint;
 * after that the quantised index files are the only copy, so no f32 copy of the index stays in JS.
 *
 * Checkpoints, snapshots and restores run synchronously in one turn of the event loop (usearch's
 * save has no asynchronous form), which is what makes them consistent; partitions unchanged since
 * the last generation are hard-linked rather than written again.
 */
export class UsearchVectorStore implements VectorStore {
  readonly backend = 'usearch';
  private readonly logger = new Logger(UsearchVectorStore.name);
  private readonly options: Required<Omit<UsearchVectorStoreOptions, 'dataDir' | 'now'>>;
  private readonly now: () => number;
  private readonly disk: UsearchGenerations;
  private layout: IndexLayout | undefined;
  private config: PartitionIndexConfig | undefined;
  private state: IndexState | undefined;
  private wal: WalWriter | undefined;
  /** The live checkpoint (0: none yet) and the log file being appended to (never below it). */
  private generation = 0;
  private walNumber = 0;
  private recordsSinceCheckpoint = 0;
  private checkpointScheduled = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Checkpoints, snapshots, restores and close run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: UsearchVectorStoreOptions) {
    this.options = {
      connectivity: options.connectivity ?? USEARCH_DEFAULTS.connectivity,
      expansionAdd: options.expansionAdd ?? USEARCH_DEFAULTS.expansionAdd,
      expansionSearch: options.expansionSearch ?? USEARCH_DEFAULTS.expansionSearch,
      quantization: options.quantization ?? USEARCH_DEFAULTS.quantization,
      sweepIntervalMs: options.sweepIntervalMs ?? USEARCH_DEFAULTS.sweepIntervalMs,
      checkpointEvery: options.checkpointEvery ?? USEARCH_DEFAULTS.checkpointEvery,
    };
    this.now = options.now ?? Date.now;
    this.disk = new UsearchGenerations(options.dataDir, this.logger, this.now);
  }

  get available(): boolean {
    return this.wal !== undefined;
  }

  async open(model: string, dimensions: number): Promise<void> {
    if (this.wal) throw new Error('the vector store is already open');
    const { quantization, connectivity, expansionAdd, expansionSearch } = this.options;
    this.layout = { model, dimensions, quantization };
    this.config = { dimensions, quantization, connectivity, expansionAdd, expansionSearch };
    this.disk.createDirectories();
    try {
      const found = this.disk.layoutOnDisk();
      if (found && !sameLayout(found, this.layout)) {
        this.disk.retire(
          `they hold ${found.model} vectors (${found.dimensions}-d, ${found.quantization}), ` +
            `and the index is opened for ${model} (${dimensions}-d, ${quantization})`,
        );
      }
      this.recover();
    } catch (error) {
      // Never expected (every file is fsync'd before CURRENT names it), but a damaged disk must
      // cost the cache its contents, not the gateway its start.
      this.disk.retire(`they failed to load (${(error as Error).message})`);
      this.recover();
    }
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  async close(): Promise<void> {
    if (!this.wal) return;
    clearInterval(this.sweepTimer);
    await this.exclusive(async () => {
      await this.wal?.close();
      this.wal = undefined;
      this.state = undefined;
    });
  }

  async upsert(entry: SemanticEntry): Promise<void> {
    const state = this.openState();
    if (entry.vector.length !== this.config?.dimensions) {
      throw new Error(`expected a ${this.config?.dimensions}-d vector, got ${entry.vector.length}`);
    }
    const stored: StoredSemanticEntry = {
      tenant: entry.tenant,
      namespace: entry.namespace,
      scope: entry.scope,
      hash: entry.hash,
      text: entry.text,
      answer: entry.answer,
      expiresAt: entry.expiresAt,
      minScore: entry.minScore,
      blockedQueries: [...entry.blockedQueries],
    };
    const label = state.nextLabel;
    state.put(label, stored, entry.vector);
    await this.log(encodeLogRecord(LogOp.Upsert, stored, label, entry.vector));
  }

  search(
    partitionOf: SemanticPartition,
    vector: Float32Array,
    limit: number,
  ): Promise<VectorMatch[]> {
    const partition = this.state?.partition(partitionOf);
    if (!partition || limit <= 0) return Promise.resolve([]);
    const now = this.now();
    const size = partition.labels.size;
    let k = Math.min(size, limit + OVERFETCH);
    for (;;) {
      const found = partition.index.search(vector, k, SEARCH_THREADS);
      const matches: VectorMatch[] = [];
      for (let i = 0; i < found.keys.length && matches.length < limit; i++) {
        const slot = this.state?.slots.get(Number(found.keys[i]));
        if (!slot || slot.entry.expiresAt <= now) continue;
        matches.push({ entry: slot.entry, similarity: 1 - found.distances[i] });
      }
      if (matches.length >= limit || k >= size) return Promise.resolve(matches);
      k = Math.min(size, k * 2);
    }
  }

  get(address: EntryAddress): Promise<StoredSemanticEntry | undefined> {
    const entry = this.state?.entry(address);
    return Promise.resolve(entry && entry.expiresAt > this.now() ? entry : undefined);
  }

  async delete(address: EntryAddress): Promise<boolean> {
    const removed = this.openState().remove(address);
    if (!removed) return false;
    await this.log(
      encodeLogRecord(LogOp.Delete, {
        tenant: address.tenant,
        namespace: address.namespace,
        hash: address.hash,
      }),
    );
    return true;
  }

  /** Counts the live entries removed: expired ones were already gone for every reader. */
  async purgeNamespace(tenant: string, namespace: string): Promise<number> {
    const removed = this.openState().purge(tenant, namespace);
    if (removed.length === 0) return 0;
    await this.log(encodeLogRecord(LogOp.Purge, { tenant, namespace }));
    const now = this.now();
    return removed.filter((entry) => entry.expiresAt > now).length;
  }

  count(): Promise<number> {
    const now = this.now();
    let live = 0;
    for (const slot of this.state?.slots.values() ?? []) if (slot.entry.expiresAt > now) live += 1;
    return Promise.resolve(live);
  }

  /** Deletes expired entries durably; until then they are only skipped by readers. */
  async sweep(): Promise<number> {
    const state = this.state;
    if (!state) return 0;
    const now = this.now();
    const writes: Promise<boolean>[] = [];
    for (const { entry } of [...state.slots.values()]) {
      if (entry.expiresAt <= now) writes.push(this.delete(entry));
    }
    await Promise.all(writes);
    return writes.length;
  }

  /** Writes a new generation and starts a new log; runs on its own every `checkpointEvery` records. */
  checkpoint(): Promise<void> {
    return this.exclusive(async () => {
      const wal = this.openWal();
      await wal.idle();
      const state = this.openState();
      const next = this.walNumber + 1;
      this.disk.writeGeneration(next, state, this.layout as IndexLayout, this.generation);
      const fd = this.disk.createWal(next, this.header());
      this.disk.switchCurrent(next);
      wal.switchTo(fd, 'keep');
      for (const partition of state.partitions.values()) partition.dirty = false;
      this.generation = next;
      this.walNumber = next;
      this.recordsSinceCheckpoint = 0;
      this.disk.removeStaleFiles(this.generation);
    });
  }

  createSnapshot(): Promise<VectorSnapshot> {
    return this.exclusive(() => {
      const state = this.openState();
      const layout = this.layout as IndexLayout;
      return this.disk.writeSnapshot(state, layout, this.generation, this.now());
    });
  }

  listSnapshots(): Promise<VectorSnapshot[]> {
    return Promise.resolve(this.disk.listSnapshots());
  }

  /**
   * Loads the snapshot aside first (the live index is untouched if it fails), then makes a copy of
   * it the current generation with an empty log. Writes not yet on disk when it runs are dropped:
   * the restore replaces the state they changed.
   */
  restoreSnapshot(name: string): Promise<void> {
    if (!this.disk.hasSnapshot(name)) {
      return Promise.reject(new SnapshotNotFoundError(name));
    }
    return this.exclusive(async () => {
      const wal = this.openWal();
      const layout = this.layout as IndexLayout;
      const snapshot = this.disk.snapshotLayout(name);
      if (!sameLayout(snapshot, layout)) {
        throw new Error(
          `snapshot ${name} holds ${snapshot.model} vectors (${snapshot.dimensions}-d, ${snapshot.quantization}); ` +
            `the index is open for ${layout.model} (${layout.dimensions}-d, ${layout.quantization})`,
        );
      }
      await wal.idle();
      const next = this.walNumber + 1;
      const state = this.disk.restoreGeneration(name, next, this.config as PartitionIndexConfig);
      const fd = this.disk.createWal(next, this.header());
      this.disk.switchCurrent(next);
      wal.switchTo(fd, 'drop');
      this.state = state;
      this.generation = next;
      this.walNumber = next;
      this.recordsSinceCheckpoint = 0;
      this.disk.removeStaleFiles(this.generation);
    });
  }

  private exclusive<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private openState(): IndexState {
    if (!this.state) throw new Error('the vector store is not open');
    return this.state;
  }

  private openWal(): WalWriter {
    if (!this.wal) throw new Error('the vector store is not open');
    return this.wal;
  }

  private header(): Buffer {
    return encodeLogRecord(LogOp.Header, this.layout);
  }

  private log(payload: Buffer): Promise<void> {
    const written = this.openWal().append(payload);
    this.recordsSinceCheckpoint += 1;
    if (this.recordsSinceCheckpoint >= this.options.checkpointEvery && !this.checkpointScheduled) {
      this.checkpointScheduled = true;
      this.checkpoint()
        .catch((error: Error) =>
          this.logger.error(
            `Vector index checkpoint failed, the log keeps growing: ${error.message}`,
          ),
        )
        .finally(() => (this.checkpointScheduled = false));
    }
    return written;
  }

  private recover(): void {
    const recovered = this.disk.recover(this.config as PartitionIndexConfig, this.header());
    this.walNumber = recovered.walNumber;
    this.state = recovered.state;
    this.generation = recovered.generation;
    this.recordsSinceCheckpoint = recovered.replayed;
    this.wal = new WalWriter(recovered.walFd);
    this.disk.removeStaleFiles(this.generation);
  }
}

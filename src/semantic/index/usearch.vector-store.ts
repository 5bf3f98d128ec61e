import { CachedAnswer } from '../../cache/exact-cache.port';
import { Logger } from '@nestjs/common';
import {
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
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
import { createWalFile, fsyncPath, readWal, WalWriter } from './write-ahead-log';

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

export interface PartitionIndexConfig {
  dimensions: number;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  quantization: 'i8' | 'f16' | 'f32';
}

/** Exported so the index benchmark measures an index configured exactly as the store's. */
export function createPartitionIndex(config: PartitionIndexConfig): Index {
  return new Index({
    dimensions: config.dimensions,
    metric: MetricKind.Cos,
    quantization: config.quantization as ScalarKind,
    connectivity: config.connectivity,
    expansion_add: config.expansionAdd,
    expansion_search: config.expansionSearch,
    multi: false,
  });
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
const MANIFEST = 'manifest.json';
const CURRENT = 'CURRENT';
const SNAPSHOTS = 'snapshots';
const RETIRED = 'retired';
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const enum Op {
  Header = 1,
  Upsert = 2,
  Delete = 3,
  Purge = 4,
}

/** What a set of files holds: vectors of another model, size or quantisation must never be mixed in. */
interface Layout {
  model: string;
  dimensions: number;
  quantization: string;
}

interface PartitionManifest extends SemanticPartition {
  id: number;
  entries: number;
}

interface Manifest extends Layout {
  format: 1;
  createdAt: number;
  nextLabel: number;
  nextPartitionId: number;
  partitions: PartitionManifest[];
}

/** One usearch index per tenant, namespace and scope: a search never sees another partition. */
interface Partition extends SemanticPartition {
  id: number;
  index: Index;
  labels: Set<number>;
  /** Differs from its files in the current generation, so a checkpoint must write it again. */
  dirty: boolean;
}

interface Slot {
  entry: StoredSemanticEntry;
  partition: Partition;
}

type MetadataRow = [number, string, string, number, number, string[], CachedAnswer];

function partitionKey(partition: SemanticPartition): string {
  return `${partition.tenant}\u0000${partition.namespace}\u0000${partition.scope}`;
}

function entryId(address: EntryAddress): string {
  return `${address.tenant}\u0000${address.namespace}\u0000${address.hash}`;
}

function sameLayout(a: Layout, b: Layout): boolean {
  return a.model === b.model && a.dimensions === b.dimensions && a.quantization === b.quantization;
}

function sequenceName(prefix: string, sequence: number, suffix = ''): string {
  return `${prefix}${String(sequence).padStart(12, '0')}${suffix}`;
}

function sequenceOf(name: string, prefix: string, suffix = ''): number | undefined {
  const match = new RegExp(`^${prefix}(\\d{12})${suffix.replace('.', '\\.')}$`).exec(name);
  return match ? Number(match[1]) : undefined;
}

function encode(op: Op, json: unknown, label = 0, vector?: Float32Array): Buffer {
  const text = Buffer.from(JSON.stringify(json));
  const vectorBytes = vector ? vector.byteLength : 0;
  const payload = Buffer.allocUnsafe(13 + text.length + vectorBytes);
  payload.writeUInt8(op, 0);
  payload.writeDoubleLE(label, 1);
  payload.writeUInt32LE(text.length, 9);
  text.copy(payload, 13);
  // Vectors are logged as f32 whatever the index quantisation, so a replay loses nothing.
  if (vector)
    Buffer.from(vector.buffer, vector.byteOffset, vectorBytes).copy(payload, 13 + text.length);
  return payload;
}

interface DecodedRecord {
  op: Op;
  label: number;
  json: unknown;
  vector: Float32Array;
}

function decode(payload: Buffer): DecodedRecord {
  const textLength = payload.readUInt32LE(9);
  const vectorStart = 13 + textLength;
  // Copied: a Float32Array over the file buffer would need 4-byte alignment.
  const vector = new Float32Array((payload.length - vectorStart) / 4);
  payload.copy(Buffer.from(vector.buffer), 0, vectorStart);
  return {
    op: payload.readUInt8(0) as Op,
    label: payload.readDoubleLE(1),
    json: JSON.parse(payload.toString('utf8', 13, vectorStart)),
    vector,
  };
}

/** The in-memory index: partitions, entry metadata by label, and labels by entry address. */
class IndexState {
  readonly partitions = new Map<string, Partition>();
  readonly slots = new Map<number, Slot>();
  readonly labels = new Map<string, number>();
  nextLabel = 1;
  nextPartitionId = 1;

  constructor(private readonly config: PartitionIndexConfig) {}

  partition(of: SemanticPartition): Partition | undefined {
    return this.partitions.get(partitionKey(of));
  }

  addPartition(of: SemanticPartition, id = this.nextPartitionId): Partition {
    const partition: Partition = {
      tenant: of.tenant,
      namespace: of.namespace,
      scope: of.scope,
      id,
      index: createPartitionIndex(this.config),
      labels: new Set(),
      dirty: true,
    };
    this.nextPartitionId = Math.max(this.nextPartitionId, id + 1);
    this.partitions.set(partitionKey(of), partition);
    return partition;
  }

  /** Replaces whatever the address or the label held, so replaying a record twice is harmless. */
  put(label: number, entry: StoredSemanticEntry, vector: Float32Array): void {
    this.remove(entry);
    this.removeLabel(label);
    const partition = this.partition(entry) ?? this.addPartition(entry);
    partition.index.add(BigInt(label), vector);
    this.track(partition, label, entry);
  }

  track(partition: Partition, label: number, entry: StoredSemanticEntry): void {
    partition.labels.add(label);
    partition.dirty = true;
    this.slots.set(label, { entry, partition });
    this.labels.set(entryId(entry), label);
    this.nextLabel = Math.max(this.nextLabel, label + 1);
  }

  remove(address: EntryAddress): StoredSemanticEntry | undefined {
    const label = this.labels.get(entryId(address));
    return label === undefined ? undefined : this.removeLabel(label);
  }

  removeLabel(label: number): StoredSemanticEntry | undefined {
    const slot = this.slots.get(label);
    if (!slot) return undefined;
    const { partition, entry } = slot;
    partition.index.remove(BigInt(label));
    partition.labels.delete(label);
    partition.dirty = true;
    this.slots.delete(label);
    this.labels.delete(entryId(entry));
    // An empty partition's index is dropped so scopes that stopped being used cost no memory.
    if (partition.labels.size === 0) this.partitions.delete(partitionKey(partition));
    return entry;
  }

  purge(tenant: string, namespace: string): StoredSemanticEntry[] {
    const removed: StoredSemanticEntry[] = [];
    for (const partition of [...this.partitions.values()]) {
      if (partition.tenant !== tenant || partition.namespace !== namespace) continue;
      for (const label of [...partition.labels]) {
        const entry = this.removeLabel(label);
        if (entry) removed.push(entry);
      }
    }
    return removed;
  }

  apply(record: DecodedRecord): void {
    if (record.op === Op.Upsert)
      this.put(record.label, record.json as StoredSemanticEntry, record.vector);
    else if (record.op === Op.Delete) this.remove(record.json as EntryAddress);
    else if (record.op === Op.Purge) {
      const { tenant, namespace } = record.json as { tenant: string; namespace: string };
      this.purge(tenant, namespace);
    }
  }
}

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
  private readonly options: Required<Omit<UsearchVectorStoreOptions, 'now'>>;
  private readonly now: () => number;
  private layout: Layout | undefined;
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
      dataDir: options.dataDir,
    };
    this.now = options.now ?? Date.now;
  }

  get available(): boolean {
    return this.wal !== undefined;
  }

  private get dataDir(): string {
    return this.options.dataDir;
  }

  private get snapshotsDir(): string {
    return join(this.dataDir, SNAPSHOTS);
  }

  private generationDir(generation: number): string {
    return join(this.dataDir, sequenceName('gen-', generation));
  }

  private walPath(sequence: number): string {
    return join(this.dataDir, sequenceName('wal-', sequence, '.log'));
  }

  async open(model: string, dimensions: number): Promise<void> {
    if (this.wal) throw new Error('the vector store is already open');
    const { quantization, connectivity, expansionAdd, expansionSearch } = this.options;
    this.layout = { model, dimensions, quantization };
    this.config = { dimensions, quantization, connectivity, expansionAdd, expansionSearch };
    mkdirSync(this.snapshotsDir, { recursive: true });
    try {
      const found = this.layoutOnDisk();
      if (found && !sameLayout(found, this.layout)) {
        this.retire(
          `they hold ${found.model} vectors (${found.dimensions}-d, ${found.quantization}), ` +
            `and the index is opened for ${model} (${dimensions}-d, ${quantization})`,
        );
      }
      this.recover();
    } catch (error) {
      // Never expected (every file is fsync'd before CURRENT names it), but a damaged disk must
      // cost the cache its contents, not the gateway its start.
      this.retire(`they failed to load (${(error as Error).message})`);
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
    await this.log(encode(Op.Upsert, stored, label, entry.vector));
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
    const label = this.state?.labels.get(entryId(address));
    const slot = label === undefined ? undefined : this.state?.slots.get(label);
    return Promise.resolve(slot && slot.entry.expiresAt > this.now() ? slot.entry : undefined);
  }

  async delete(address: EntryAddress): Promise<boolean> {
    const removed = this.openState().remove(address);
    if (!removed) return false;
    await this.log(
      encode(Op.Delete, {
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
    await this.log(encode(Op.Purge, { tenant, namespace }));
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
      const dir = this.generationDir(next);
      rmSync(dir, { recursive: true, force: true });
      this.writeGeneration(dir, state);
      const fd = createWalFile(this.walPath(next), this.header());
      this.switchCurrent(next);
      wal.switchTo(fd, 'keep');
      for (const partition of state.partitions.values()) partition.dirty = false;
      this.generation = next;
      this.walNumber = next;
      this.recordsSinceCheckpoint = 0;
      this.removeStaleFiles();
    });
  }

  createSnapshot(): Promise<VectorSnapshot> {
    return this.exclusive(() => {
      const state = this.openState();
      const createdAt = this.now();
      const base = `semantic-${new Date(createdAt).toISOString().replace(/[:.]/g, '-')}`;
      let name = base;
      for (let n = 2; existsSync(join(this.snapshotsDir, name)); n++) name = `${base}-${n}`;
      const temporary = join(this.snapshotsDir, `.tmp-${name}`);
      rmSync(temporary, { recursive: true, force: true });
      this.writeGeneration(temporary, state, createdAt);
      renameSync(temporary, join(this.snapshotsDir, name));
      fsyncPath(this.snapshotsDir);
      return { name, createdAt, bytes: directoryBytes(join(this.snapshotsDir, name)) };
    });
  }

  listSnapshots(): Promise<VectorSnapshot[]> {
    const snapshots: VectorSnapshot[] = [];
    for (const name of existsSync(this.snapshotsDir) ? readdirSync(this.snapshotsDir) : []) {
      const dir = join(this.snapshotsDir, name);
      if (!SNAPSHOT_NAME.test(name) || !existsSync(join(dir, MANIFEST))) continue;
      const manifest = readManifest(dir);
      snapshots.push({ name, createdAt: manifest.createdAt, bytes: directoryBytes(dir) });
    }
    return Promise.resolve(snapshots.sort((a, b) => a.createdAt - b.createdAt));
  }

  /**
   * Loads the snapshot aside first (the live index is untouched if it fails), then makes a copy of
   * it the current generation with an empty log. Writes not yet on disk when it runs are dropped:
   * the restore replaces the state they changed.
   */
  restoreSnapshot(name: string): Promise<void> {
    const source = join(this.snapshotsDir, name);
    if (!SNAPSHOT_NAME.test(name) || !existsSync(join(source, MANIFEST))) {
      return Promise.reject(new SnapshotNotFoundError(name));
    }
    return this.exclusive(async () => {
      const wal = this.openWal();
      const layout = this.layout as Layout;
      const manifest = readManifest(source);
      if (!sameLayout(manifest, layout)) {
        throw new Error(
          `snapshot ${name} holds ${manifest.model} vectors (${manifest.dimensions}-d, ${manifest.quantization}); ` +
            `the index is open for ${layout.model} (${layout.dimensions}-d, ${layout.quantization})`,
        );
      }
      await wal.idle();
      const next = this.walNumber + 1;
      const dir = this.generationDir(next);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      // Snapshot files are never modified in place, so links are as good as copies.
      for (const file of readdirSync(source)) linkSync(join(source, file), join(dir, file));
      fsyncPath(dir);
      let state: IndexState;
      try {
        state = this.loadGeneration(dir);
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      const fd = createWalFile(this.walPath(next), this.header());
      this.switchCurrent(next);
      wal.switchTo(fd, 'drop');
      this.state = state;
      this.generation = next;
      this.walNumber = next;
      this.recordsSinceCheckpoint = 0;
      this.removeStaleFiles();
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
    return encode(Op.Header, this.layout);
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

  /** The layout of the files already in `dataDir`, from the checkpoint or else the first log. */
  private layoutOnDisk(): Layout | undefined {
    const generation = this.currentGeneration();
    if (generation > 0) return readManifest(this.generationDir(generation));
    for (const sequence of this.walSequences()) {
      const [header] = readWal(this.walPath(sequence)).records;
      if (header) return decode(header).json as Layout;
    }
    return undefined;
  }

  private currentGeneration(): number {
    const path = join(this.dataDir, CURRENT);
    if (!existsSync(path)) return 0;
    return sequenceOf(readFileSync(path, 'utf8').trim(), 'gen-') ?? 0;
  }

  private walSequences(): number[] {
    return readdirSync(this.dataDir)
      .map((name) => sequenceOf(name, 'wal-', '.log'))
      .filter((sequence): sequence is number => sequence !== undefined)
      .sort((a, b) => a - b);
  }

  /** Loads the current generation, replays the logs written since, and reopens the last log. */
  private recover(): void {
    const generation = this.currentGeneration();
    const state =
      generation > 0
        ? this.loadGeneration(this.generationDir(generation))
        : new IndexState(this.config as PartitionIndexConfig);
    const sequences = this.walSequences().filter((sequence) => sequence >= generation);
    let replayed = 0;
    let appendTo: { sequence: number; validBytes: number } | undefined;
    for (const sequence of sequences) {
      const { records, validBytes, torn } = readWal(this.walPath(sequence));
      if (torn) {
        this.logger.warn(
          `Ignored a torn record at the end of ${sequenceName('wal-', sequence, '.log')} (a write cut short by a crash; it was never acknowledged)`,
        );
      }
      // A log without its header was cut short while being created: it holds nothing.
      appendTo = records.length > 0 ? { sequence, validBytes } : undefined;
      for (const record of records.slice(1)) state.apply(decode(record));
      replayed += Math.max(0, records.length - 1);
    }
    let fd: number;
    if (appendTo) {
      truncateSync(this.walPath(appendTo.sequence), appendTo.validBytes);
      fd = openSync(this.walPath(appendTo.sequence), 'a');
      this.walNumber = appendTo.sequence;
    } else {
      this.walNumber = Math.max(generation, ...sequences);
      fd = createWalFile(this.walPath(this.walNumber), this.header());
      fsyncPath(this.dataDir);
    }
    this.state = state;
    this.generation = generation;
    this.recordsSinceCheckpoint = replayed;
    this.wal = new WalWriter(fd);
    this.removeStaleFiles();
  }

  private loadGeneration(dir: string): IndexState {
    const manifest = readManifest(dir);
    const state = new IndexState(this.config as PartitionIndexConfig);
    for (const entry of manifest.partitions) {
      const partition = state.addPartition(entry, entry.id);
      partition.index.load(join(dir, `p${entry.id}.usearch`));
      const rows = readFileSync(join(dir, `p${entry.id}.jsonl`), 'utf8').split('\n');
      for (const row of rows) {
        if (row === '') continue;
        const [label, hash, text, expiresAt, minScore, blockedQueries, answer] = JSON.parse(
          row,
        ) as MetadataRow;
        const { tenant, namespace, scope } = entry;
        const stored = {
          tenant,
          namespace,
          scope,
          hash,
          text,
          answer,
          expiresAt,
          minScore,
          blockedQueries,
        };
        state.track(partition, label, stored);
      }
      if (
        partition.index.size() !== partition.labels.size ||
        partition.labels.size !== entry.entries
      ) {
        throw new Error(`partition ${entry.id} of ${dir} is incomplete`);
      }
      partition.dirty = false;
    }
    state.nextLabel = Math.max(state.nextLabel, manifest.nextLabel);
    state.nextPartitionId = Math.max(state.nextPartitionId, manifest.nextPartitionId);
    return state;
  }

  /**
   * Writes every partition into `dir` and fsyncs it. Partitions unchanged since the current
   * generation are hard-linked from it: its files are never modified, only deleted.
   */
  private writeGeneration(dir: string, state: IndexState, createdAt = this.now()): void {
    mkdirSync(dir, { recursive: true });
    const previous = this.generation > 0 ? this.generationDir(this.generation) : undefined;
    const partitions: PartitionManifest[] = [];
    for (const partition of state.partitions.values()) {
      const files = [`p${partition.id}.usearch`, `p${partition.id}.jsonl`];
      if (!partition.dirty && previous && files.every((file) => existsSync(join(previous, file)))) {
        for (const file of files) linkSync(join(previous, file), join(dir, file));
      } else {
        partition.index.save(join(dir, files[0]));
        writeFileSync(join(dir, files[1]), metadataRows(state, partition));
        for (const file of files) fsyncPath(join(dir, file));
      }
      const { id, tenant, namespace, scope } = partition;
      partitions.push({ id, tenant, namespace, scope, entries: partition.labels.size });
    }
    const manifest: Manifest = {
      format: 1,
      ...(this.layout as Layout),
      createdAt,
      nextLabel: state.nextLabel,
      nextPartitionId: state.nextPartitionId,
      partitions,
    };
    writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
    fsyncPath(join(dir, MANIFEST));
    fsyncPath(dir);
  }

  /** Points CURRENT at a generation by an atomic rename, so a crash leaves the old or the new one. */
  private switchCurrent(generation: number): void {
    const temporary = join(this.dataDir, `${CURRENT}.tmp`);
    writeFileSync(temporary, `${sequenceName('gen-', generation)}\n`);
    fsyncPath(temporary);
    renameSync(temporary, join(this.dataDir, CURRENT));
    fsyncPath(this.dataDir);
  }

  /** Generations other than the current one and logs older than it: left by checkpoints or crashes. */
  private removeStaleFiles(): void {
    for (const name of readdirSync(this.dataDir)) {
      const generation = sequenceOf(name, 'gen-');
      const wal = sequenceOf(name, 'wal-', '.log');
      if (
        (generation !== undefined && generation !== this.generation) ||
        (wal !== undefined && wal < this.generation) ||
        name === `${CURRENT}.tmp`
      ) {
        rmSync(join(this.dataDir, name), { recursive: true, force: true });
      }
    }
    for (const name of readdirSync(this.snapshotsDir)) {
      if (name.startsWith('.tmp-')) rmSync(join(this.snapshotsDir, name), { recursive: true });
    }
  }

  /** Moves the index files aside (never deletes them) and leaves `dataDir` empty but for snapshots. */
  private retire(reason: string): void {
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    const target = join(this.dataDir, RETIRED, stamp);
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(this.dataDir)) {
      if (name === SNAPSHOTS || name === RETIRED) continue;
      renameSync(join(this.dataDir, name), join(target, name));
    }
    fsyncPath(this.dataDir);
    this.logger.warn(
      `Starting with an empty vector index: moved the files in ${this.dataDir} to ${target} because ${reason}`,
    );
  }
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
}

function metadataRows(state: IndexState, partition: Partition): string {
  const rows: string[] = [];
  for (const label of partition.labels) {
    const { entry } = state.slots.get(label) as Slot;
    const row: MetadataRow = [
      label,
      entry.hash,
      entry.text,
      entry.expiresAt,
      entry.minScore,
      entry.blockedQueries,
      entry.answer,
    ];
    rows.push(JSON.stringify(row));
  }
  return rows.join('\n');
}

function directoryBytes(dir: string): number {
  return readdirSync(dir).reduce((total, file) => total + statSync(join(dir, file)).size, 0);
}

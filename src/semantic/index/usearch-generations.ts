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
import { CachedAnswer } from '../../cache/exact-cache.port';
import { IndexState, Partition, PartitionIndexConfig, Slot } from './usearch-index-state';
import { decodeLogRecord } from './usearch-log-record';
import { SemanticPartition, VectorSnapshot } from './vector-store.port';
import { createWalFile, fsyncPath, readWal } from './write-ahead-log';

const MANIFEST = 'manifest.json';
const CURRENT = 'CURRENT';
const SNAPSHOTS = 'snapshots';
const RETIRED = 'retired';
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** What a set of files holds: vectors of another model, size or quantisation must never be mixed in. */
export interface IndexLayout {
  model: string;
  dimensions: number;
  quantization: string;
}

export function sameLayout(a: IndexLayout, b: IndexLayout): boolean {
  return a.model === b.model && a.dimensions === b.dimensions && a.quantization === b.quantization;
}

interface PartitionManifest extends SemanticPartition {
  id: number;
  entries: number;
}

interface Manifest extends IndexLayout {
  format: 1;
  createdAt: number;
  nextLabel: number;
  nextPartitionId: number;
  partitions: PartitionManifest[];
}

type MetadataRow = [number, string, string, number, number, string[], CachedAnswer];

/** The index as found on disk at start, and the log that takes the writes from now on. */
export interface RecoveredIndex {
  state: IndexState;
  generation: number;
  walNumber: number;
  walFd: number;
  /** Records replayed from the logs: they count towards the next checkpoint. */
  replayed: number;
}

function sequenceName(prefix: string, sequence: number, suffix = ''): string {
  return `${prefix}${String(sequence).padStart(12, '0')}${suffix}`;
}

function sequenceOf(name: string, prefix: string, suffix = ''): number | undefined {
  const match = new RegExp(`^${prefix}(\\d{12})${suffix.replace('.', '\\.')}$`).exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * The usearch store's files under `dataDir`: generation directories (`gen-N`, the live one named
 * by `CURRENT`), the logs written since a generation (`wal-N.log`, N never below it), snapshots,
 * and files retired because they could not be used.
 */
export class UsearchGenerations {
  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  private get snapshotsDir(): string {
    return join(this.dataDir, SNAPSHOTS);
  }

  private generationDir(generation: number): string {
    return join(this.dataDir, sequenceName('gen-', generation));
  }

  private walPath(sequence: number): string {
    return join(this.dataDir, sequenceName('wal-', sequence, '.log'));
  }

  createDirectories(): void {
    mkdirSync(this.snapshotsDir, { recursive: true });
  }

  /** The layout of the files already in `dataDir`, from the checkpoint or else the first log. */
  layoutOnDisk(): IndexLayout | undefined {
    const generation = this.currentGeneration();
    if (generation > 0) return readManifest(this.generationDir(generation));
    for (const sequence of this.walSequences()) {
      const [header] = readWal(this.walPath(sequence)).records;
      if (header) return decodeLogRecord(header).json as IndexLayout;
    }
    return undefined;
  }

  /** Loads the current generation, replays the logs written since, and reopens the last log. */
  recover(config: PartitionIndexConfig, header: Buffer): RecoveredIndex {
    const generation = this.currentGeneration();
    const state =
      generation > 0
        ? this.loadGeneration(this.generationDir(generation), config)
        : new IndexState(config);
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
      for (const record of records.slice(1)) state.apply(decodeLogRecord(record));
      replayed += Math.max(0, records.length - 1);
    }
    let walNumber: number;
    let walFd: number;
    if (appendTo) {
      truncateSync(this.walPath(appendTo.sequence), appendTo.validBytes);
      walFd = openSync(this.walPath(appendTo.sequence), 'a');
      walNumber = appendTo.sequence;
    } else {
      walNumber = Math.max(generation, ...sequences);
      walFd = createWalFile(this.walPath(walNumber), header);
      fsyncPath(this.dataDir);
    }
    return { state, generation, walNumber, walFd, replayed };
  }

  /** Writes `state` as generation `generation`, linking what is unchanged since generation `live`. */
  writeGeneration(generation: number, state: IndexState, layout: IndexLayout, live: number): void {
    const dir = this.generationDir(generation);
    rmSync(dir, { recursive: true, force: true });
    this.write(dir, state, layout, live, this.now());
  }

  /** Makes snapshot `name` generation `generation` and loads it; a copy that fails to load is removed. */
  restoreGeneration(name: string, generation: number, config: PartitionIndexConfig): IndexState {
    const source = join(this.snapshotsDir, name);
    const dir = this.generationDir(generation);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    // Snapshot files are never modified in place, so links are as good as copies.
    for (const file of readdirSync(source)) linkSync(join(source, file), join(dir, file));
    fsyncPath(dir);
    try {
      return this.loadGeneration(dir, config);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  createWal(sequence: number, header: Buffer): number {
    return createWalFile(this.walPath(sequence), header);
  }

  /** Points CURRENT at a generation by an atomic rename, so a crash leaves the old or the new one. */
  switchCurrent(generation: number): void {
    const temporary = join(this.dataDir, `${CURRENT}.tmp`);
    writeFileSync(temporary, `${sequenceName('gen-', generation)}\n`);
    fsyncPath(temporary);
    renameSync(temporary, join(this.dataDir, CURRENT));
    fsyncPath(this.dataDir);
  }

  /** Generations other than `live` and logs older than it: left by checkpoints or crashes. */
  removeStaleFiles(live: number): void {
    for (const name of readdirSync(this.dataDir)) {
      const generation = sequenceOf(name, 'gen-');
      const wal = sequenceOf(name, 'wal-', '.log');
      if (
        (generation !== undefined && generation !== live) ||
        (wal !== undefined && wal < live) ||
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
  retire(reason: string): void {
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

  writeSnapshot(
    state: IndexState,
    layout: IndexLayout,
    live: number,
    createdAt: number,
  ): VectorSnapshot {
    const base = `semantic-${new Date(createdAt).toISOString().replace(/[:.]/g, '-')}`;
    let name = base;
    for (let n = 2; existsSync(join(this.snapshotsDir, name)); n++) name = `${base}-${n}`;
    const temporary = join(this.snapshotsDir, `.tmp-${name}`);
    rmSync(temporary, { recursive: true, force: true });
    this.write(temporary, state, layout, live, createdAt);
    renameSync(temporary, join(this.snapshotsDir, name));
    fsyncPath(this.snapshotsDir);
    return { name, createdAt, bytes: directoryBytes(join(this.snapshotsDir, name)) };
  }

  listSnapshots(): VectorSnapshot[] {
    const snapshots: VectorSnapshot[] = [];
    for (const name of existsSync(this.snapshotsDir) ? readdirSync(this.snapshotsDir) : []) {
      const dir = join(this.snapshotsDir, name);
      if (!SNAPSHOT_NAME.test(name) || !existsSync(join(dir, MANIFEST))) continue;
      const manifest = readManifest(dir);
      snapshots.push({ name, createdAt: manifest.createdAt, bytes: directoryBytes(dir) });
    }
    return snapshots.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** False for any name that is not a plain file name, so a restore never leaves `snapshots/`. */
  hasSnapshot(name: string): boolean {
    return SNAPSHOT_NAME.test(name) && existsSync(join(this.snapshotsDir, name, MANIFEST));
  }

  snapshotLayout(name: string): IndexLayout {
    return readManifest(join(this.snapshotsDir, name));
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

  private loadGeneration(dir: string, config: PartitionIndexConfig): IndexState {
    const manifest = readManifest(dir);
    const state = new IndexState(config);
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
   * Writes every partition into `dir` and fsyncs it. Partitions unchanged since generation `live`
   * are hard-linked from it: its files are never modified, only deleted.
   */
  private write(
    dir: string,
    state: IndexState,
    layout: IndexLayout,
    live: number,
    createdAt: number,
  ): void {
    mkdirSync(dir, { recursive: true });
    const previous = live > 0 ? this.generationDir(live) : undefined;
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
      ...layout,
      createdAt,
      nextLabel: state.nextLabel,
      nextPartitionId: state.nextPartitionId,
      partitions,
    };
    writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
    fsyncPath(join(dir, MANIFEST));
    fsyncPath(dir);
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

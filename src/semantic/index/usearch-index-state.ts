import { Index, MetricKind, ScalarKind } from 'usearch';
import { EntryAddress } from '../../cache/exact-cache.port';
import { LogOp, LogRecord } from './usearch-log-record';
import { SemanticPartition, StoredSemanticEntry } from './vector-store.port';

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

/** One usearch index per tenant, namespace and scope: a search never sees another partition. */
export interface Partition extends SemanticPartition {
  id: number;
  index: Index;
  labels: Set<number>;
  /** Differs from its files in the current generation, so a checkpoint must write it again. */
  dirty: boolean;
}

export interface Slot {
  entry: StoredSemanticEntry;
  partition: Partition;
}

function partitionKey(partition: SemanticPartition): string {
  return `${partition.tenant}\u0000${partition.namespace}\u0000${partition.scope}`;
}

function entryId(address: EntryAddress): string {
  return `${address.tenant}\u0000${address.namespace}\u0000${address.hash}`;
}

/** The in-memory index: partitions, entry metadata by label, and labels by entry address. */
export class IndexState {
  readonly partitions = new Map<string, Partition>();
  readonly slots = new Map<number, Slot>();
  private readonly labels = new Map<string, number>();
  nextLabel = 1;
  nextPartitionId = 1;

  constructor(private readonly config: PartitionIndexConfig) {}

  partition(of: SemanticPartition): Partition | undefined {
    return this.partitions.get(partitionKey(of));
  }

  /** Expired entries included: whether one still counts is the reader's call. */
  entry(address: EntryAddress): StoredSemanticEntry | undefined {
    const label = this.labels.get(entryId(address));
    return label === undefined ? undefined : this.slots.get(label)?.entry;
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

  apply(record: LogRecord): void {
    if (record.op === LogOp.Upsert)
      this.put(record.label, record.json as StoredSemanticEntry, record.vector);
    else if (record.op === LogOp.Delete) this.remove(record.json as EntryAddress);
    else if (record.op === LogOp.Purge) {
      const { tenant, namespace } = record.json as { tenant: string; namespace: string };
      this.purge(tenant, namespace);
    }
  }
}

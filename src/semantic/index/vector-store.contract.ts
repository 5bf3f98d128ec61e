import { SnapshotNotFoundError } from './snapshot-not-found.error';
import { SemanticEntry, SemanticPartition, VectorStore } from './vector-store.port';
import { normalise } from '../embedding/unit-vector';

export const CONTRACT_MODEL = 'contract-test-model';
export const CONTRACT_DIMENSIONS = 16;

export interface ContractSubject {
  store: VectorStore;
  /** Closes the store and opens a new one on the same storage; required unless `durable` is false. */
  reopen?: () => Promise<VectorStore>;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** False for an adapter without storage that outlives it; the reopen case is then not part of its contract. */
  durable?: boolean;
}

/** A deterministic unit vector per seed: nearby seeds are not nearby vectors. */
export function unitVector(seed: number, dimensions = CONTRACT_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < dimensions; i++) {
    // xorshift32: the same numbers on every run and machine.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    vector[i] = state / 0x1_0000_0000 - 0.5;
  }
  return normalise(vector);
}

/** `base` moved a little towards `towards`, renormalised: a near-duplicate of `base`. */
export function nudge(base: Float32Array, towards: Float32Array, amount: number): Float32Array {
  return normalise(base.map((value, i) => value + amount * towards[i]));
}

const HOUR = 3_600_000;

export function contractEntry(
  overrides: Partial<SemanticEntry> & { hash: string; vector: Float32Array },
): SemanticEntry {
  return {
    tenant: 'acme',
    namespace: 'default',
    scope: 'scope-a',
    text: `question ${overrides.hash}`,
    answer: {
      content: `answer ${overrides.hash}`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      finishReason: 'stop',
      usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
      costUsd: 0.000001,
      createdAt: 1_700_000_000_000,
    },
    expiresAt: Date.now() + HOUR,
    minScore: 0,
    blockedQueries: [],
    ...overrides,
  };
}

const PARTITION: SemanticPartition = { tenant: 'acme', namespace: 'default', scope: 'scope-a' };

/**
 * The behaviour every VectorStore adapter must show, run against each adapter's spec. `makeStore`
 * returns a store already opened with CONTRACT_MODEL and CONTRACT_DIMENSIONS on empty storage.
 */
export function describeVectorStoreContract(
  name: string,
  makeStore: () => Promise<ContractSubject>,
  options: ContractOptions = {},
): void {
  const durable = options.durable ?? true;
  describe(`${name} (VectorStore contract)`, () => {
    let subject: ContractSubject;
    let store: VectorStore;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('is available once opened and finds the nearest entry of a partition first', async () => {
      expect(store.available).toBe(true);
      for (let seed = 1; seed <= 20; seed++) {
        await store.upsert(contractEntry({ hash: `h${seed}`, vector: unitVector(seed) }));
      }
      const query = nudge(unitVector(7), unitVector(100), 0.05);
      const matches = await store.search(PARTITION, query, 3);
      expect(matches).toHaveLength(3);
      expect(matches[0].entry).toMatchObject({ hash: 'h7', text: 'question h7', ...PARTITION });
      expect(matches[0].similarity).toBeGreaterThan(0.99);
      expect(matches[0].similarity).toBeLessThanOrEqual(1.0001);
      expect(matches[1].similarity).toBeLessThanOrEqual(matches[0].similarity);
      expect(matches[2].similarity).toBeLessThanOrEqual(matches[1].similarity);
      expect(await store.count()).toBe(20);
    });

    it('returns the vector itself with a similarity of about 1', async () => {
      await store.upsert(contractEntry({ hash: 'self', vector: unitVector(3) }));
      const [match] = await store.search(PARTITION, unitVector(3), 1);
      expect(match.entry.hash).toBe('self');
      expect(match.similarity).toBeCloseTo(1, 2);
    });

    it('never matches across tenants, namespaces or scopes', async () => {
      const vector = unitVector(42);
      await store.upsert(contractEntry({ hash: 'mine', vector }));
      for (const other of [
        { ...PARTITION, tenant: 'globex' },
        { ...PARTITION, namespace: 'other' },
        { ...PARTITION, scope: 'scope-b' },
      ]) {
        expect(await store.search(other, vector, 5)).toEqual([]);
      }
      expect(await store.get({ tenant: 'globex', namespace: 'default', hash: 'mine' })).toBe(
        undefined,
      );
      expect((await store.search(PARTITION, vector, 5)).map((m) => m.entry.hash)).toEqual(['mine']);
    });

    it('replaces the entry with the same tenant, namespace and hash', async () => {
      await store.upsert(contractEntry({ hash: 'same', vector: unitVector(1), text: 'old' }));
      await store.upsert(contractEntry({ hash: 'same', vector: unitVector(2), text: 'new' }));
      expect(await store.count()).toBe(1);
      expect(await store.get({ ...PARTITION, hash: 'same' })).toMatchObject({ text: 'new' });
      const matches = await store.search(PARTITION, unitVector(1), 5);
      expect(matches.map((m) => m.entry.text)).toEqual(['new']);
      // The old vector is gone: only the new one scores about 1.
      expect(matches[0].similarity).toBeLessThan(0.99);
      const [byNew] = await store.search(PARTITION, unitVector(2), 1);
      expect(byNew.similarity).toBeCloseTo(1, 2);
    });

    it('deletes one entry and reports whether it existed', async () => {
      await store.upsert(contractEntry({ hash: 'a', vector: unitVector(1) }));
      await store.upsert(contractEntry({ hash: 'b', vector: unitVector(2) }));
      expect(await store.delete({ ...PARTITION, hash: 'a' })).toBe(true);
      expect(await store.delete({ ...PARTITION, hash: 'a' })).toBe(false);
      expect(await store.get({ ...PARTITION, hash: 'a' })).toBeUndefined();
      expect((await store.search(PARTITION, unitVector(1), 5)).map((m) => m.entry.hash)).toEqual([
        'b',
      ]);
      expect(await store.count()).toBe(1);
    });

    it('purges one namespace of one tenant and returns how many entries it removed', async () => {
      await store.upsert(contractEntry({ hash: 'a1', vector: unitVector(1) }));
      await store.upsert(contractEntry({ hash: 'a2', vector: unitVector(2), scope: 'scope-b' }));
      await store.upsert(contractEntry({ hash: 'o1', vector: unitVector(3), namespace: 'other' }));
      await store.upsert(contractEntry({ hash: 'g1', vector: unitVector(4), tenant: 'globex' }));
      expect(await store.purgeNamespace('acme', 'default')).toBe(2);
      expect(await store.get({ ...PARTITION, hash: 'a1' })).toBeUndefined();
      expect(await store.search(PARTITION, unitVector(1), 5)).toEqual([]);
      expect(await store.get({ tenant: 'acme', namespace: 'other', hash: 'o1' })).toMatchObject({
        hash: 'o1',
      });
      expect(await store.get({ tenant: 'globex', namespace: 'default', hash: 'g1' })).toMatchObject(
        { hash: 'g1' },
      );
      expect(await store.count()).toBe(2);
      expect(await store.purgeNamespace('acme', 'default')).toBe(0);
    });

    it('neither returns nor counts an expired entry', async () => {
      const vector = unitVector(9);
      await store.upsert(contractEntry({ hash: 'old', vector, expiresAt: Date.now() - 1_000 }));
      await store.upsert(
        contractEntry({ hash: 'live', vector: nudge(vector, unitVector(8), 0.3) }),
      );
      const matches = await store.search(PARTITION, vector, 5);
      expect(matches.map((m) => m.entry.hash)).toEqual(['live']);
      expect(await store.get({ ...PARTITION, hash: 'old' })).toBeUndefined();
      expect(await store.count()).toBe(1);
    });

    it('keeps the per-entry threshold and blocked queries', async () => {
      await store.upsert(
        contractEntry({
          hash: 'fb',
          vector: unitVector(5),
          text: 'how do I reset my password?',
          minScore: 0.93,
          blockedQueries: ['q1', 'q2'],
        }),
      );
      const expected = {
        ...PARTITION,
        hash: 'fb',
        text: 'how do I reset my password?',
        minScore: 0.93,
        blockedQueries: ['q1', 'q2'],
      };
      expect(await store.get({ ...PARTITION, hash: 'fb' })).toMatchObject(expected);
      const [match] = await store.search(PARTITION, unitVector(5), 1);
      expect(match.entry).toMatchObject(expected);
    });

    const ifDurable = durable ? it : () => undefined;
    ifDurable('keeps acknowledged entries across a reopen', async () => {
      if (!subject.reopen)
        throw new Error(`${name} is durable but its contract subject has no reopen`);
      const expiresAt = Date.now() + HOUR;
      await store.upsert(contractEntry({ hash: 'keep', vector: unitVector(11), expiresAt }));
      await store.upsert(contractEntry({ hash: 'gone', vector: unitVector(12) }));
      await store.delete({ ...PARTITION, hash: 'gone' });
      store = await subject.reopen();
      expect(await store.get({ ...PARTITION, hash: 'keep' })).toEqual({
        ...PARTITION,
        hash: 'keep',
        text: 'question keep',
        answer: contractEntry({ hash: 'keep', vector: unitVector(11) }).answer,
        expiresAt,
        minScore: 0,
        blockedQueries: [],
      });
      expect(await store.get({ ...PARTITION, hash: 'gone' })).toBeUndefined();
      const [match] = await store.search(PARTITION, unitVector(11), 1);
      expect(match.entry.hash).toBe('keep');
      expect(match.similarity).toBeCloseTo(1, 2);
    });

    it('restores the state a snapshot captured', async () => {
      await store.upsert(contractEntry({ hash: 'before', vector: unitVector(21) }));
      const snapshot = await store.createSnapshot();
      expect(snapshot.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect((await store.listSnapshots()).map((s) => s.name)).toContain(snapshot.name);

      await store.upsert(contractEntry({ hash: 'after', vector: unitVector(22) }));
      await store.delete({ ...PARTITION, hash: 'before' });
      expect(await store.count()).toBe(1);

      await store.restoreSnapshot(snapshot.name);
      expect(await store.get({ ...PARTITION, hash: 'before' })).toMatchObject({ hash: 'before' });
      expect(await store.get({ ...PARTITION, hash: 'after' })).toBeUndefined();
      expect(await store.count()).toBe(1);
      const [match] = await store.search(PARTITION, unitVector(21), 1);
      expect(match.entry.hash).toBe('before');
      // The restored index takes writes as usual.
      await store.upsert(contractEntry({ hash: 'later', vector: unitVector(23) }));
      expect(await store.count()).toBe(2);
    });

    it('rejects a restore of an unknown snapshot', async () => {
      await expect(store.restoreSnapshot('semantic-never-taken')).rejects.toBeInstanceOf(
        SnapshotNotFoundError,
      );
      await expect(store.restoreSnapshot('../../etc')).rejects.toBeInstanceOf(
        SnapshotNotFoundError,
      );
    });
  });
}

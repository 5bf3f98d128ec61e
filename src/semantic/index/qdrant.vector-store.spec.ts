import { Logger } from '@nestjs/common';
import { QdrantClient } from '@qdrant/js-client-rest';
import { randomUUID } from 'node:crypto';
import { FakeQdrantServer } from '../../../libs/testing';
import { collectionName, pointId, QdrantVectorStore } from './qdrant.vector-store';
import { SnapshotNotFoundError } from './snapshot-not-found.error';
import {
  CONTRACT_DIMENSIONS,
  CONTRACT_MODEL,
  ContractSubject,
  contractEntry,
  describeVectorStoreContract,
  unitVector,
} from './vector-store.contract';

const QDRANT_URL = process.env.QDRANT_URL;

async function openStore(url: string, model: string): Promise<QdrantVectorStore> {
  const store = new QdrantVectorStore({ url, apiKey: process.env.QDRANT_API_KEY });
  await store.open(model, CONTRACT_DIMENSIONS);
  return store;
}

/** One collection per test (a model name of its own), deleted afterwards. */
async function realQdrantSubject(url: string): Promise<ContractSubject> {
  const model = `contract-${randomUUID()}`;
  let store = await openStore(url, model);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await openStore(url, model);
      return store;
    },
    cleanup: async () => {
      await store.close();
      const client = new QdrantClient({ url, apiKey: process.env.QDRANT_API_KEY });
      await client.deleteCollection(collectionName(model, CONTRACT_DIMENSIONS));
    },
  };
}

if (QDRANT_URL) {
  describeVectorStoreContract(`QdrantVectorStore against ${QDRANT_URL}`, () =>
    realQdrantSubject(QDRANT_URL),
  );
} else {
  console.warn('QdrantVectorStore contract against a real Qdrant skipped: QDRANT_URL is not set');
  describe.skip('QdrantVectorStore contract against a real Qdrant (skipped: QDRANT_URL is not set)', () => {
    it('runs the VectorStore contract when QDRANT_URL is set', () => undefined);
  });
}

// The adapter's round trips through the in-memory fake: this checks the adapter and the fake's
// reading of the wire format, not Qdrant itself (that is the suite above).
describeVectorStoreContract('QdrantVectorStore against the fake Qdrant server', async () => {
  const fake = await FakeQdrantServer.start();
  let store = await openStore(fake.url, CONTRACT_MODEL);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await openStore(fake.url, CONTRACT_MODEL);
      return store;
    },
    cleanup: async () => {
      await store.close();
      await fake.close();
    },
  };
});

describe('QdrantVectorStore requests', () => {
  const COLLECTION = collectionName(CONTRACT_MODEL, CONTRACT_DIMENSIONS);
  const PARTITION = { tenant: 'acme', namespace: 'default', scope: 'scope-a' };
  let fake: FakeQdrantServer;
  let store: QdrantVectorStore;
  let now: number;

  function requestsTo(method: string, path: string) {
    return fake.requests.filter(
      (request) => request.method === method && request.path.split('?')[0] === path,
    );
  }

  beforeEach(async () => {
    fake = await FakeQdrantServer.start();
    now = Date.parse('2026-11-26T06:00:00Z');
    store = new QdrantVectorStore({ url: fake.url, now: () => now });
    await store.open(CONTRACT_MODEL, CONTRACT_DIMENSIONS);
  });

  afterEach(async () => {
    await store.close();
    await fake.close();
    jest.restoreAllMocks();
  });

  it('names the collection after the model and dimensions, sanitised', () => {
    expect(collectionName('USE-lite/512 v2', 512)).toBe('ragcache_use-lite_512_v2_512');
    expect(COLLECTION).toBe('ragcache_contract-test-model_16');
  });

  it('creates a cosine collection with int8 quantisation and the payload indexes on open', () => {
    expect(requestsTo('PUT', `/collections/${COLLECTION}`).map((r) => r.body)).toEqual([
      {
        vectors: { size: CONTRACT_DIMENSIONS, distance: 'Cosine' },
        quantization_config: { scalar: { type: 'int8', always_ram: true } },
      },
    ]);
    expect(requestsTo('PUT', `/collections/${COLLECTION}/index`).map((r) => r.body)).toEqual([
      { field_name: 'tenant', field_schema: 'keyword' },
      { field_name: 'namespace', field_schema: 'keyword' },
      { field_name: 'scope', field_schema: 'keyword' },
      { field_name: 'hash', field_schema: 'keyword' },
      { field_name: 'expires_at', field_schema: 'integer' },
    ]);
    expect(store.available).toBe(true);
  });

  it('does not create the collection again when it exists', async () => {
    const second = new QdrantVectorStore({ url: fake.url });
    await second.open(CONTRACT_MODEL, CONTRACT_DIMENSIONS);
    await second.close();
    expect(requestsTo('PUT', `/collections/${COLLECTION}`)).toHaveLength(1);
  });

  it('upserts with wait=true, an id derived from the address and the whole payload', async () => {
    const entry = contractEntry({
      hash: 'h1',
      vector: unitVector(1),
      expiresAt: now + 1000,
      minScore: 0.9,
      blockedQueries: ['q'],
    });
    await store.upsert(entry);
    const [request] = requestsTo('PUT', `/collections/${COLLECTION}/points`);
    expect(request.path).toContain('wait=true');
    const { points } = request.body as { points: { id: string; vector: number[] }[] };
    expect(points).toEqual([
      {
        id: pointId(entry),
        vector: Array.from(entry.vector),
        payload: {
          tenant: 'acme',
          namespace: 'default',
          scope: 'scope-a',
          hash: 'h1',
          text: 'question h1',
          answer: entry.answer,
          expires_at: now + 1000,
          min_score: 0.9,
          blocked_queries: ['q'],
        },
      },
    ]);
  });

  it('derives one UUID per address, different across tenants and namespaces', () => {
    const id = pointId({ tenant: 'acme', namespace: 'default', hash: 'h' });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pointId({ tenant: 'acme', namespace: 'default', hash: 'h' })).toBe(id);
    expect(pointId({ tenant: 'globex', namespace: 'default', hash: 'h' })).not.toBe(id);
    expect(pointId({ tenant: 'acme', namespace: 'other', hash: 'h' })).not.toBe(id);
    expect(pointId({ tenant: 'acme/default', namespace: '', hash: 'h' })).not.toBe(
      pointId({ tenant: 'acme', namespace: '/default', hash: 'h' }),
    );
  });

  it('filters every search on tenant, namespace, scope and expiry', async () => {
    await store.search(PARTITION, unitVector(1), 3);
    const [request] = requestsTo('POST', `/collections/${COLLECTION}/points/query`);
    expect(request.body).toEqual({
      query: Array.from(unitVector(1)),
      filter: {
        must: [
          { key: 'tenant', match: { value: 'acme' } },
          { key: 'namespace', match: { value: 'default' } },
          { key: 'scope', match: { value: 'scope-a' } },
          { key: 'expires_at', range: { gt: now } },
        ],
      },
      limit: 3,
      with_payload: true,
      with_vector: false,
    });
  });

  it('counts live entries of the namespace, then deletes the namespace by filter', async () => {
    await store.upsert(contractEntry({ hash: 'a', vector: unitVector(1), expiresAt: now + 10 }));
    await store.upsert(contractEntry({ hash: 'b', vector: unitVector(2), expiresAt: now - 10 }));
    expect(await store.purgeNamespace('acme', 'default')).toBe(1);
    const namespaceFilter = [
      { key: 'tenant', match: { value: 'acme' } },
      { key: 'namespace', match: { value: 'default' } },
    ];
    expect(
      requestsTo('POST', `/collections/${COLLECTION}/points/count`).map((r) => r.body),
    ).toEqual([
      {
        filter: { must: [...namespaceFilter, { key: 'expires_at', range: { gt: now } }] },
        exact: true,
      },
    ]);
    const [deletion] = requestsTo('POST', `/collections/${COLLECTION}/points/delete`);
    expect(deletion.body).toEqual({ filter: { must: namespaceFilter } });
    expect(deletion.path).toContain('wait=true');
    expect(fake.collections.get(COLLECTION)?.points.size).toBe(0);
  });

  it('deletes one entry by its id', async () => {
    await store.upsert(contractEntry({ hash: 'a', vector: unitVector(1), expiresAt: now + 10 }));
    expect(await store.delete({ ...PARTITION, hash: 'a' })).toBe(true);
    const [deletion] = requestsTo('POST', `/collections/${COLLECTION}/points/delete`);
    expect(deletion.body).toEqual({ points: [pointId({ ...PARTITION, hash: 'a' })] });
  });

  it('sweeps expired points by filter', async () => {
    await store.sweep();
    const [deletion] = requestsTo('POST', `/collections/${COLLECTION}/points/delete`);
    expect(deletion.body).toEqual({
      filter: { must: [{ key: 'expires_at', range: { lte: now } }] },
    });
  });

  it('recovers a snapshot from where Qdrant wrote it, and refuses unknown names', async () => {
    const snapshot = await store.createSnapshot();
    expect(snapshot.name).toMatch(/\.snapshot$/);
    expect(snapshot.createdAt).toBeGreaterThan(0);
    await store.restoreSnapshot(snapshot.name);
    expect(
      requestsTo('PUT', `/collections/${COLLECTION}/snapshots/recover`).map((r) => r.body),
    ).toEqual([{ location: `file:///qdrant/snapshots/${COLLECTION}/${snapshot.name}` }]);
    await expect(store.restoreSnapshot('nope.snapshot')).rejects.toBeInstanceOf(
      SnapshotNotFoundError,
    );
    await expect(store.restoreSnapshot('../x')).rejects.toBeInstanceOf(SnapshotNotFoundError);
  });

  it('answers nothing while Qdrant is down, logs the outage once, and recovers', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    now = Date.now();
    await store.upsert(contractEntry({ hash: 'a', vector: unitVector(1) }));
    const port = fake.port;
    const collections = fake.collections;
    await fake.close();

    expect(await store.search(PARTITION, unitVector(1), 1)).toEqual([]);
    expect(store.available).toBe(false);
    expect(await store.get({ ...PARTITION, hash: 'a' })).toBeUndefined();
    expect(await store.search(PARTITION, unitVector(1), 1)).toEqual([]);
    await expect(
      store.upsert(contractEntry({ hash: 'b', vector: unitVector(2) })),
    ).rejects.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/Qdrant unavailable/);

    fake = await FakeQdrantServer.start(port);
    for (const [name, collection] of collections) fake.collections.set(name, collection);
    const [match] = await store.search(PARTITION, unitVector(1), 1);
    expect(match.entry.hash).toBe('a');
    expect(store.available).toBe(true);
  });
});

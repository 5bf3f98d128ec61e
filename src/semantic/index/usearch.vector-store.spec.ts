import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Logger } from '@nestjs/common';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsearchVectorStore, UsearchVectorStoreOptions } from './usearch.vector-store';
import {
  CONTRACT_DIMENSIONS,
  CONTRACT_MODEL,
  contractEntry,
  describeVectorStoreContract,
  unitVector,
} from './vector-store.contract';
import { frame } from './write-ahead-log';

const ADDRESS = { tenant: 'acme', namespace: 'default' };

async function openStore(
  dataDir: string,
  options: Partial<UsearchVectorStoreOptions> = {},
  model = CONTRACT_MODEL,
  dimensions = CONTRACT_DIMENSIONS,
): Promise<UsearchVectorStore> {
  const store = new UsearchVectorStore({ dataDir, ...options });
  await store.open(model, dimensions);
  return store;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ragcache-usearch-'));
}

describeVectorStoreContract('UsearchVectorStore', async () => {
  const dataDir = tempDir();
  let store = await openStore(dataDir);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await openStore(dataDir);
      return store;
    },
    cleanup: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describe('UsearchVectorStore durability', () => {
  let dataDir: string;
  const stores: UsearchVectorStore[] = [];

  async function open(
    options: Partial<UsearchVectorStoreOptions> = {},
    model = CONTRACT_MODEL,
    dimensions = CONTRACT_DIMENSIONS,
  ): Promise<UsearchVectorStore> {
    const store = await openStore(dataDir, options, model, dimensions);
    stores.push(store);
    return store;
  }

  function walFiles(): string[] {
    return readdirSync(dataDir).filter((name) => name.startsWith('wal-'));
  }

  beforeEach(() => {
    dataDir = tempDir();
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  function captureWarnings(): jest.SpyInstance {
    return jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  }

  it('ignores a torn record at the end of the log and appends after the last intact one', async () => {
    const warn = captureWarnings();
    const first = await open();
    await first.upsert(contractEntry({ hash: 'a', vector: unitVector(1) }));
    await first.upsert(contractEntry({ hash: 'b', vector: unitVector(2) }));
    await first.close();
    const [wal] = walFiles();
    const intactBytes = statSync(join(dataDir, wal)).size;
    // Half of a record, as a crash during a write leaves it.
    appendFileSync(join(dataDir, wal), frame(Buffer.alloc(64, 7)).subarray(0, 40));

    const second = await open();
    expect(await second.count()).toBe(2);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/Ignored a torn record at the end of wal-/),
    );
    expect(statSync(join(dataDir, wal)).size).toBe(intactBytes);
    await second.upsert(contractEntry({ hash: 'c', vector: unitVector(3) }));
    await second.close();

    const third = await open();
    expect(await third.count()).toBe(3);
    expect(
      (await third.search({ ...ADDRESS, scope: 'scope-a' }, unitVector(3), 1))[0].entry.hash,
    ).toBe('c');
  });

  it('ignores a tail of zeroes, as a file that grew before its data reached the disk', async () => {
    captureWarnings();
    const first = await open();
    await first.upsert(contractEntry({ hash: 'a', vector: unitVector(1) }));
    await first.close();
    appendFileSync(join(dataDir, walFiles()[0]), Buffer.alloc(4096));
    const second = await open();
    expect(await second.get({ ...ADDRESS, hash: 'a' })).toMatchObject({ hash: 'a' });
    expect(await second.count()).toBe(1);
  });

  it('reloads a checkpoint and the writes logged after it', async () => {
    const first = await open({ checkpointEvery: 1_000_000 });
    for (let seed = 1; seed <= 10; seed++) {
      await first.upsert(contractEntry({ hash: `h${seed}`, vector: unitVector(seed) }));
    }
    await first.checkpoint();
    expect(readdirSync(dataDir).filter((name) => name.startsWith('gen-'))).toHaveLength(1);
    for (let seed = 11; seed <= 15; seed++) {
      await first.upsert(contractEntry({ hash: `h${seed}`, vector: unitVector(seed) }));
    }
    await first.delete({ ...ADDRESS, hash: 'h1' });
    await first.upsert(contractEntry({ hash: 'h2', vector: unitVector(102), text: 'replaced' }));
    await first.purgeNamespace('acme', 'other');
    await first.close();

    const second = await open();
    expect(await second.count()).toBe(14);
    expect(await second.get({ ...ADDRESS, hash: 'h1' })).toBeUndefined();
    expect(await second.get({ ...ADDRESS, hash: 'h2' })).toMatchObject({ text: 'replaced' });
    for (const seed of [3, 10, 11, 15, 102]) {
      const [match] = await second.search({ ...ADDRESS, scope: 'scope-a' }, unitVector(seed), 1);
      expect(match.similarity).toBeCloseTo(1, 2);
    }
    // Only the log written since the checkpoint remains.
    expect(walFiles()).toHaveLength(1);
  });

  it('loads after a crash in the middle of a checkpoint, whatever it had written', async () => {
    const first = await open();
    await first.upsert(contractEntry({ hash: 'a', vector: unitVector(1) }));
    await first.checkpoint();
    await first.upsert(contractEntry({ hash: 'b', vector: unitVector(2) }));
    await first.close();
    expect(readFileSync(join(dataDir, 'CURRENT'), 'utf8').trim()).toBe('gen-000000000001');
    // What the next checkpoint leaves when killed before it switched CURRENT: a partial
    // generation, a half-written pointer and a log created without its header.
    mkdirSync(join(dataDir, 'gen-000000000002'));
    writeFileSync(join(dataDir, 'gen-000000000002', 'p1.usearch'), Buffer.alloc(10));
    writeFileSync(join(dataDir, 'CURRENT.tmp'), 'gen-0000');
    writeFileSync(join(dataDir, 'wal-000000000002.log'), '');

    const second = await open();
    expect(await second.count()).toBe(2);
    await second.upsert(contractEntry({ hash: 'c', vector: unitVector(3) }));
    await second.checkpoint();
    await second.close();
    expect(readdirSync(dataDir).sort()).toEqual([
      'CURRENT',
      'gen-000000000003',
      'snapshots',
      'wal-000000000003.log',
    ]);
    const third = await open();
    expect(await third.count()).toBe(3);
  });

  it('checkpoints on its own every checkpointEvery records and keeps everything', async () => {
    const first = await open({ checkpointEvery: 4 });
    for (let seed = 1; seed <= 11; seed++) {
      await first.upsert(contractEntry({ hash: `h${seed}`, vector: unitVector(seed) }));
    }
    await first.close();
    expect(existsSync(join(dataDir, 'CURRENT'))).toBe(true);
    const second = await open();
    expect(await second.count()).toBe(11);
    for (let seed = 1; seed <= 11; seed++) {
      expect(await second.get({ ...ADDRESS, hash: `h${seed}` })).toMatchObject({
        hash: `h${seed}`,
      });
    }
  });

  it('starts empty, moving the files aside, when the model or the dimensions differ', async () => {
    const warn = captureWarnings();
    const first = await open();
    await first.upsert(contractEntry({ hash: 'a', vector: unitVector(1) }));
    await first.checkpoint();
    await first.upsert(contractEntry({ hash: 'b', vector: unitVector(2) }));
    await first.close();

    const otherModel = await open({}, 'another-model');
    expect(await otherModel.count()).toBe(0);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/hold contract-test-model vectors .* opened for another-model/),
    );
    await otherModel.close();
    const retired = readdirSync(join(dataDir, 'retired'));
    expect(retired).toHaveLength(1);
    expect(readdirSync(join(dataDir, 'retired', retired[0]))).toEqual(
      expect.arrayContaining(['CURRENT']),
    );

    const otherDimensions = await open({}, 'another-model', 32);
    expect(await otherDimensions.count()).toBe(0);
    expect(
      await otherDimensions.search({ ...ADDRESS, scope: 'scope-a' }, unitVector(1, 32), 1),
    ).toEqual([]);
  });

  it('sweeps expired entries durably', async () => {
    let now = 1_000_000;
    const first = await open({ now: () => now });
    await first.upsert(
      contractEntry({ hash: 'short', vector: unitVector(1), expiresAt: now + 10 }),
    );
    await first.upsert(
      contractEntry({ hash: 'long', vector: unitVector(2), expiresAt: now + 1e9 }),
    );
    now += 100;
    expect(await first.sweep()).toBe(1);
    await first.close();
    now -= 100;
    // Back before the expiry: a swept entry stays deleted, it is not merely hidden.
    const second = await open({ now: () => now });
    expect(await second.get({ ...ADDRESS, hash: 'short' })).toBeUndefined();
    expect(await second.count()).toBe(1);
  });

  it('refuses snapshot names that could leave the snapshot directory', async () => {
    const store = await open();
    for (const name of ['..', '../snapshots', '.tmp-x', 'a/b', '']) {
      await expect(store.restoreSnapshot(name)).rejects.toThrow(/no vector snapshot named/);
    }
  });

  it('refuses to restore a snapshot of vectors from another model', async () => {
    captureWarnings();
    const first = await open();
    await first.upsert(contractEntry({ hash: 'a', vector: unitVector(1) }));
    const { name, bytes } = await first.createSnapshot();
    expect(bytes).toBeGreaterThan(0);
    await first.close();
    const other = await open({}, 'another-model');
    await expect(other.restoreSnapshot(name)).rejects.toThrow(/holds contract-test-model vectors/);
    expect(await other.count()).toBe(0);
  });

  it('keeps a snapshot across a reopen and restores it durably', async () => {
    const first = await open();
    await first.upsert(contractEntry({ hash: 'snap', vector: unitVector(1) }));
    const { name } = await first.createSnapshot();
    await first.upsert(contractEntry({ hash: 'later', vector: unitVector(2) }));
    await first.close();

    const second = await open();
    expect((await second.listSnapshots()).map((s) => s.name)).toEqual([name]);
    await second.restoreSnapshot(name);
    await second.close();

    const third = await open();
    expect(await third.get({ ...ADDRESS, hash: 'snap' })).toBeDefined();
    expect(await third.get({ ...ADDRESS, hash: 'later' })).toBeUndefined();
  });
});

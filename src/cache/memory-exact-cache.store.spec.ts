import { cachedAnswer, entryKey } from '../../test/support/cache-fixtures';
import { MemoryExactCacheStore } from './memory-exact-cache.store';

const answer = (content: string) => cachedAnswer(content);
const key = entryKey;

describe('MemoryExactCacheStore', () => {
  it('stores, finds and deletes an entry', async () => {
    const store = new MemoryExactCacheStore({ maxEntries: 10, maxBytes: 1_000_000 });
    await store.set(key('a'), answer('A'), 60);
    expect(await store.get(key('a'))).toEqual(answer('A'));
    expect(await store.get(key('a', 'other'))).toBeUndefined();
    expect(await store.get(key('a', 'default', 'globex'))).toBeUndefined();
    expect(await store.delete(key('a'))).toBe(true);
    expect(await store.get(key('a'))).toBeUndefined();
  });

  it('expires entries after their TTL', async () => {
    const store = new MemoryExactCacheStore({ maxEntries: 10, maxBytes: 1_000_000 });
    await store.set(key('a'), answer('A'), 1);
    await store.set(key('b'), answer('B'), 60);
    expect(await store.get(key('a'))).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await store.get(key('a'))).toBeUndefined();
    expect(await store.get(key('b'))).toBeDefined();
  });

  it('evicts the least recently used entry beyond the entry bound', async () => {
    const store = new MemoryExactCacheStore({ maxEntries: 2, maxBytes: 1_000_000 });
    await store.set(key('a'), answer('A'), 60);
    await store.set(key('b'), answer('B'), 60);
    await store.get(key('a'));
    await store.set(key('c'), answer('C'), 60);
    expect(await store.get(key('b'))).toBeUndefined();
    expect(await store.get(key('a'))).toBeDefined();
    expect((await store.stats()).entries).toBe(2);
  });

  it('stays under the byte bound', async () => {
    const store = new MemoryExactCacheStore({ maxEntries: 1_000, maxBytes: 10_000 });
    for (let i = 0; i < 50; i++) await store.set(key(`k${i}`), answer('x'.repeat(1_000)), 60);
    const stats = await store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(10_000);
    expect(stats.entries).toBeLessThan(50);
    expect(await store.get(key('k49'))).toBeDefined();
  });

  it('purges one namespace of one tenant only', async () => {
    const store = new MemoryExactCacheStore({ maxEntries: 100, maxBytes: 1_000_000 });
    await store.set(key('a', 'docs'), answer('A'), 60);
    await store.set(key('b', 'docs'), answer('B'), 60);
    await store.set(key('c', 'support'), answer('C'), 60);
    await store.set(key('d', 'docs', 'globex'), answer('D'), 60);
    expect(await store.purgeNamespace('acme', 'docs')).toBe(2);
    expect(await store.get(key('a', 'docs'))).toBeUndefined();
    expect(await store.get(key('c', 'support'))).toBeDefined();
    expect(await store.get(key('d', 'docs', 'globex'))).toBeDefined();
  });

  it('counts one tenant, every tenant, and lists a namespace without touching recency', async () => {
    const store = new MemoryExactCacheStore({ maxEntries: 3, maxBytes: 1_000_000 });
    await store.set(key('a', 'docs'), answer('A'), 60);
    await store.set(key('b', 'support'), answer('B'), 60);
    await store.set(key('c', 'docs', 'globex'), answer('C'), 60);
    expect(await store.tenantStats('acme')).toEqual({ entries: 2, bytes: expect.any(Number) });
    expect((await store.tenantStats('acme')).bytes).toBeGreaterThan(0);
    expect(await store.tenantStats('nobody')).toEqual({ entries: 0, bytes: 0 });
    expect(await store.entriesByTenant()).toEqual(
      new Map([
        ['acme', 2],
        ['globex', 1],
      ]),
    );
    const listed = [];
    for await (const entry of store.entries('acme', 'docs')) listed.push(entry);
    expect(listed).toEqual([{ tenant: 'acme', namespace: 'docs', hash: 'a', answer: answer('A') }]);
    // 'a' is still the least recently used entry: the listing did not bump it.
    await store.set(key('d'), answer('D'), 60);
    expect(await store.get(key('a', 'docs'))).toBeUndefined();
  });

  it('leaves expired entries out of counts and listings', async () => {
    const store = new MemoryExactCacheStore({ maxEntries: 10, maxBytes: 1_000_000 });
    await store.set(key('old'), answer('O'), 1);
    await store.set(key('new'), answer('N'), 60);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await store.tenantStats('acme')).entries).toBe(1);
    expect(await store.entriesByTenant()).toEqual(new Map([['acme', 1]]));
    const hashes = [];
    for await (const entry of store.entries('acme', 'default')) hashes.push(entry.hash);
    expect(hashes).toEqual(['new']);
  });
});

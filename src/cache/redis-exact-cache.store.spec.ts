import Redis from 'ioredis';
import { cleanRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../test/support/redis';
import { cachedAnswer, entryKey } from '../../test/support/cache-fixtures';
import { RedisConnection } from '../redis/redis-connection';
import { RedisExactCacheStore } from './redis-exact-cache.store';

/** Anthropic and a null cost, so both survive the JSON round trip through Redis. */
const answer = (content: string) =>
  cachedAnswer(content, {
    provider: 'anthropic',
    model: 'claude-3-5-haiku-latest',
    finishReason: 'end_turn',
    costUsd: null,
    createdAt: 1,
  });
const key = entryKey;

describe('RedisExactCacheStore against the real Redis', () => {
  const prefix = uniqueRedisPrefix('store');
  const redis = new Redis(REDIS_URL);
  const connection = new RedisConnection({
    url: REDIS_URL,
    clusterNodes: [],
    keyPrefix: prefix,
    commandTimeoutMs: 500,
  });
  const store = new RedisExactCacheStore(connection);

  beforeAll(() => connection.onModuleInit());

  afterAll(async () => {
    connection.onApplicationShutdown();
    await cleanRedisPrefix(prefix);
    redis.disconnect();
  });

  it('connects and round-trips an entry with its TTL under a hash-tagged key', async () => {
    expect(store.available).toBe(true);
    await store.set(key('a'), answer('A'), 120);
    expect(await store.get(key('a'))).toEqual(answer('A'));
    const redisKey = `${prefix}{acme/default}:a`;
    expect(await redis.ttl(redisKey)).toBeGreaterThan(100);
    expect(await store.delete(key('a'))).toBe(true);
    expect(await store.delete(key('a'))).toBe(false);
  });

  it('treats a corrupt entry as a miss', async () => {
    await redis.set(`${prefix}{acme/default}:corrupt`, 'not json');
    await redis.set(`${prefix}{acme/default}:wrong-shape`, '{"content":5}');
    expect(await store.get(key('corrupt'))).toBeUndefined();
    expect(await store.get(key('wrong-shape'))).toBeUndefined();
  });

  it('purges a namespace with SCAN, leaving other namespaces and tenants', async () => {
    for (let i = 0; i < 1_200; i++) await store.set(key(`p${i}`, 'bulk'), answer('x'), 120);
    await store.set(key('keep', 'other'), answer('K'), 120);
    await store.set(key('keep', 'bulk', 'globex'), answer('G'), 120);
    const scan = jest.spyOn(Redis.prototype, 'scan');
    const keys = jest.spyOn(Redis.prototype, 'keys');
    expect(await store.purgeNamespace('acme', 'bulk')).toBe(1_200);
    expect(scan).toHaveBeenCalled();
    expect(keys).not.toHaveBeenCalled();
    scan.mockRestore();
    keys.mockRestore();
    expect(await store.get(key('p7', 'bulk'))).toBeUndefined();
    expect(await store.get(key('keep', 'other'))).toBeDefined();
    expect(await store.get(key('keep', 'bulk', 'globex'))).toBeDefined();
    expect((await store.stats()).entries).toBeGreaterThanOrEqual(2);
  });
  it('counts a tenant and every tenant with SCAN, and lists a namespace in MGET batches', async () => {
    // A prefix of its own: the other tests' entries must not show up in the counts.
    const connection = new RedisConnection({
      url: REDIS_URL,
      clusterNodes: [],
      keyPrefix: `${prefix}list:`,
      commandTimeoutMs: 500,
    });
    const local = new RedisExactCacheStore(connection);
    await connection.onModuleInit();
    try {
      for (let i = 0; i < 1_100; i++) await local.set(key(`e${i}`, 'export'), answer(`A${i}`), 120);
      await local.set(key('other', 'docs'), answer('O'), 120);
      await local.set(key('g', 'export', 'globex'), answer('G'), 120);
      await redis.set(`${prefix}list:{acme/export}:corrupt`, 'not json');
      await redis.set(`${prefix}list:rl:acme`, '1');

      expect(await local.tenantStats('acme')).toEqual({ entries: 1_102, bytes: null });
      expect(await local.tenantStats('globex')).toEqual({ entries: 1, bytes: null });
      expect(await local.entriesByTenant()).toEqual(
        new Map([
          ['acme', 1_102],
          ['globex', 1],
        ]),
      );

      const mget = jest.spyOn(Redis.prototype, 'mget');
      const listed = new Map<string, string>();
      for await (const entry of local.entries('acme', 'export')) {
        expect(entry.tenant).toBe('acme');
        expect(entry.namespace).toBe('export');
        listed.set(entry.hash, entry.answer.content);
      }
      expect(mget.mock.calls.length).toBeGreaterThan(1);
      mget.mockRestore();
      expect(listed.size).toBe(1_100);
      expect(listed.get('e7')).toBe('A7');
      expect(listed.has('corrupt')).toBe(false);
    } finally {
      connection.onApplicationShutdown();
    }
  });
});

describe('RedisExactCacheStore with Redis unreachable', () => {
  it('starts, reports itself unavailable and answers lookups with a miss', async () => {
    const connection = new RedisConnection({
      url: 'redis://127.0.0.1:1',
      clusterNodes: [],
      keyPrefix: 'ragcache-test:down:',
      commandTimeoutMs: 100,
    });
    const store = new RedisExactCacheStore(connection);
    await connection.onModuleInit();
    expect(store.available).toBe(false);
    expect(await store.get(key('a'))).toBeUndefined();
    await expect(store.set(key('a'), answer('A'), 60)).rejects.toThrow();
    connection.onApplicationShutdown();
  });
});

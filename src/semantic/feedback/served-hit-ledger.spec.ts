import Redis from 'ioredis';
import { cleanRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../../test/support/redis';
import { RedisConnection } from '../../redis/redis-connection';
import { MemoryServedHitLedger } from './memory-served-hit.ledger';
import { RedisServedHitLedger } from './redis-served-hit.ledger';
import { ServedHit, ServedHitLedger } from './served-hit-ledger.port';

const connectionFor = (prefix: string) =>
  new RedisConnection({
    url: REDIS_URL,
    clusterNodes: [],
    keyPrefix: prefix,
    commandTimeoutMs: 500,
  });

const hit = (tenant: string, hash: string): ServedHit => ({
  tenant,
  address: { tenant, namespace: 'default', hash },
  queryHash: `query-of-${hash}`,
  score: 0.71,
});

describe.each([
  ['MemoryServedHitLedger', 'memory'],
  ['RedisServedHitLedger against the real Redis', 'redis'],
] as const)('%s', (_name, kind) => {
  const prefix = uniqueRedisPrefix('served');
  const connection = connectionFor(prefix);
  let ledger: ServedHitLedger;

  beforeAll(async () => {
    if (kind === 'redis') await connection.onModuleInit();
    ledger = kind === 'redis' ? new RedisServedHitLedger(connection) : new MemoryServedHitLedger();
  });

  afterAll(async () => {
    connection.onApplicationShutdown();
    await cleanRedisPrefix(prefix);
  });

  it('finds a remembered hit by its request id until it is forgotten', async () => {
    await ledger.remember('req-1', hit('acme', 'h1'), Date.now() + 60_000);
    await ledger.remember('req-2', hit('globex', 'h2'), Date.now() + 60_000);
    expect(await ledger.find('req-1')).toEqual(hit('acme', 'h1'));
    expect(await ledger.find('req-2')).toEqual(hit('globex', 'h2'));
    await ledger.forget('req-1');
    expect(await ledger.find('req-1')).toBeUndefined();
    expect(await ledger.find('never-served')).toBeUndefined();
  });

  it('lets a record expire with the entry it names, and skips one already expired', async () => {
    await ledger.remember('short', hit('acme', 'h3'), Date.now() + 50);
    await ledger.remember('gone', hit('acme', 'h4'), Date.now() - 1);
    expect(await ledger.find('short')).toEqual(hit('acme', 'h3'));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await ledger.find('short')).toBeUndefined();
    expect(await ledger.find('gone')).toBeUndefined();
  });
});

describe('RedisServedHitLedger keys', () => {
  it('stay outside the exact cache key space (no `{tenant/namespace}` tag) and carry a TTL', async () => {
    const prefix = uniqueRedisPrefix('served-keys');
    const connection = connectionFor(prefix);
    await connection.onModuleInit();
    const redis = new Redis(REDIS_URL);
    try {
      await new RedisServedHitLedger(connection).remember(
        'req-9',
        hit('acme', 'h9'),
        Date.now() + 60_000,
      );
      expect(await redis.keys(`${prefix}*`)).toEqual([`${prefix}served:req-9`]);
      const ttl = await redis.pttl(`${prefix}served:req-9`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      connection.onApplicationShutdown();
      redis.disconnect();
      await cleanRedisPrefix(prefix);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { RedisConnection } from '../redis/redis-connection';
import { RateLimitDecision, RateLimitStore } from './rate-limit.port';

/**
 * One atomic step of the sliding-window log, on Redis's own clock so replicas with skewed clocks
 * still share one window: drop entries older than the window, count, add this request if under
 * the limit, and report when the oldest entry leaves.
 */
const SLIDING_WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', KEYS[1], window)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = 0
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, count, reset}
`;

/** Rate-limit windows in Redis, so every replica on the same Redis shares one budget per key. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly backend = 'redis';

  constructor(private readonly redis: RedisConnection) {}

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const [allowed, count, resetMs] = (await this.redis.client.eval(
      SLIDING_WINDOW_SCRIPT,
      1,
      `${this.redis.keyPrefix}rl:{${key}}`,
      windowMs,
      limit,
      randomUUID(),
    )) as [number, number, number];
    return { allowed: allowed === 1, limit, remaining: Math.max(0, limit - count), resetMs };
  }
}

import { LRUCache } from 'lru-cache';
import { RateLimitDecision, RateLimitStore } from './rate-limit.port';

const MAX_TRACKED_KEYS = 100_000;

/** Per-process sliding windows, for a single replica or when no Redis is configured. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly backend = 'memory';
  private readonly windows = new LRUCache<string, number[]>({ max: MAX_TRACKED_KEYS });

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = this.now();
    const times = (this.windows.get(key) ?? []).filter((time) => time > now - windowMs);
    const allowed = times.length < limit;
    if (allowed) times.push(now);
    this.windows.set(key, times);
    return Promise.resolve({
      allowed,
      limit,
      remaining: Math.max(0, limit - times.length),
      resetMs: times.length > 0 ? times[0] + windowMs - now : 0,
    });
  }
}

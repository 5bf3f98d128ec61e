export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the window after this one. */
  remaining: number;
  /** Milliseconds until the oldest counted request leaves the window (a slot frees up). */
  resetMs: number;
}

/**
 * A sliding-window log per key: a request is allowed when fewer than `limit` requests were
 * allowed in the last `windowMs`. Exact, unlike fixed windows, which let through up to twice the
 * limit around a window boundary.
 */
export interface RateLimitStore {
  readonly backend: 'memory' | 'redis';
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
}

export const RATE_LIMIT_STORE = Symbol('RateLimitStore');

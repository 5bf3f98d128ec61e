import { ApiError } from '../common/errors/api-error';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit; 0 turns the breaker off. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before it lets one trial call through. */
  openMs: number;
}

/** Failures that say the provider is unwell, as opposed to the caller's request being wrong. */
const UNHEALTHY_CODES = new Set(['upstream_error', 'upstream_unreachable', 'upstream_timeout']);

/**
 * Stops calling a provider that keeps failing, so callers get a fast 503 instead of waiting out
 * timeouts and retries, and the provider gets room to recover. After `openMs` one trial call is
 * let through (half open): success closes the circuit, failure opens it again. Client errors
 * (400) and rate limits (429) say nothing about the provider's health and are not counted.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private current: CircuitState = 'closed';

  constructor(
    private readonly provider: string,
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.options.failureThreshold === 0) return call();
    this.admit();
    const trial = this.current === 'half_open';
    if (trial) this.trialInFlight = true;
    try {
      const result = await call();
      this.current = 'closed';
      this.failures = 0;
      return result;
    } catch (error) {
      if (error instanceof ApiError && UNHEALTHY_CODES.has(error.code)) {
        this.failures += 1;
        if (trial || this.failures >= this.options.failureThreshold) this.open();
      } else if (trial) {
        this.current = 'closed';
        this.failures = 0;
      }
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private open(): void {
    this.current = 'open';
    this.openedAt = this.now();
  }

  /** Throws while the circuit refuses calls; moves an expired open circuit to half open. */
  private admit(): void {
    if (this.current === 'closed') return;
    const waitMs = this.openedAt + this.options.openMs - this.now();
    if (this.current === 'open' && waitMs <= 0) this.current = 'half_open';
    if (this.current === 'open' || this.trialInFlight) {
      throw new ApiError(
        503,
        'provider_unavailable',
        `${this.provider} failed repeatedly; calls are paused while it recovers`,
        { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
      );
    }
  }
}

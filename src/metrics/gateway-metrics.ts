import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';
import { TokenUsage } from '../cache/exact-cache.port';

export const METRIC = {
  lookups: 'ragcache_cache_lookups_total',
  requestDuration: 'ragcache_http_request_duration_seconds',
  llmRequests: 'ragcache_llm_requests_total',
  llmDuration: 'ragcache_llm_request_duration_seconds',
  llmTokens: 'ragcache_llm_tokens_total',
  llmCost: 'ragcache_llm_cost_usd_total',
  costSaved: 'ragcache_cost_saved_usd_total',
  exactEntries: 'ragcache_exact_cache_entries',
  exactBytes: 'ragcache_exact_cache_bytes',
  redisUp: 'ragcache_redis_up',
  rateLimited: 'ragcache_rate_limited_total',
  rateLimitFailOpen: 'ragcache_rate_limit_fail_open_total',
  circuitState: 'ragcache_llm_circuit_state',
  semanticDecisions: 'ragcache_semantic_decisions_total',
  semanticWrongHits: 'ragcache_semantic_wrong_hits_total',
  semanticLookupDuration: 'ragcache_semantic_lookup_duration_seconds',
  semanticEntries: 'ragcache_semantic_entries',
  judgeCalls: 'ragcache_semantic_judge_calls_total',
  judgeDuration: 'ragcache_semantic_judge_duration_seconds',
  judgeCost: 'ragcache_semantic_judge_cost_usd_total',
  speculativeStreams: 'ragcache_speculative_streams_total',
} as const;

const CIRCUIT_LEVEL = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Every counter and histogram the gateway records, behind methods named for what happened, so
 * call sites do not spell label sets. Gauges of state (entries, Redis) are read at scrape time
 * by the modules that own that state (see scraped-gauges.ts). prom-client keeps metrics in its global registry, so several apps in one
 * process (the end-to-end tests) share them: assertions there compare deltas.
 */
@Injectable()
export class GatewayMetrics {
  constructor(
    @InjectMetric(METRIC.lookups) private readonly lookups: Counter<'layer' | 'result' | 'tenant'>,
    @InjectMetric(METRIC.requestDuration)
    private readonly requestDuration: Histogram<'route' | 'status' | 'cache'>,
    @InjectMetric(METRIC.llmRequests) private readonly llmRequests: Counter<'provider' | 'status'>,
    @InjectMetric(METRIC.llmDuration) private readonly llmDuration: Histogram<'provider'>,
    @InjectMetric(METRIC.llmTokens) private readonly llmTokens: Counter<'provider' | 'kind'>,
    @InjectMetric(METRIC.llmCost) private readonly llmCost: Counter<'provider'>,
    @InjectMetric(METRIC.costSaved) private readonly costSaved: Counter<'tenant'>,
    @InjectMetric(METRIC.rateLimited) private readonly rateLimited: Counter<'tenant'>,
    @InjectMetric(METRIC.rateLimitFailOpen) private readonly rateLimitFailOpen: Counter,
    @InjectMetric(METRIC.circuitState) private readonly circuitState: Gauge<'provider'>,
    @InjectMetric(METRIC.semanticDecisions)
    private readonly semanticDecisions: Counter<'outcome'>,
    @InjectMetric(METRIC.semanticWrongHits) private readonly semanticWrongHits: Counter<'tenant'>,
    @InjectMetric(METRIC.semanticLookupDuration)
    private readonly semanticLookupDuration: Histogram<'result'>,
    @InjectMetric(METRIC.judgeCalls) private readonly judgeCalls: Counter<'verdict' | 'cached'>,
    @InjectMetric(METRIC.judgeDuration) private readonly judgeDuration: Histogram<'verdict'>,
    @InjectMetric(METRIC.judgeCost) private readonly judgeCost: Counter,
    @InjectMetric(METRIC.speculativeStreams)
    private readonly speculativeStreams: Counter<'outcome'>,
  ) {}

  /** Tenant labels are bounded by the configured API keys, and let a tenant see its own stats. */
  cacheLookup(tenant: string, layer: 'exact' | 'semantic', result: 'hit' | 'miss' | 'error'): void {
    this.lookups.inc({ layer, result, tenant });
  }

  /** `route` is the route template; undefined when no route matched (label `unmatched`). */
  httpRequest(route: string | undefined, status: number, cache: string, seconds: number): void {
    this.requestDuration.observe(
      { route: route ?? 'unmatched', status: String(status), cache },
      seconds,
    );
  }

  providerCall(provider: string, status: string, seconds: number): void {
    this.llmRequests.inc({ provider, status });
    this.llmDuration.observe({ provider }, seconds);
  }

  providerSpend(provider: string, usage: TokenUsage, costUsd: number | null): void {
    this.llmTokens.inc({ provider, kind: 'prompt' }, usage.promptTokens);
    this.llmTokens.inc({ provider, kind: 'completion' }, usage.completionTokens);
    if (costUsd) this.llmCost.inc({ provider }, costUsd);
  }

  saved(tenant: string, costUsd: number): void {
    if (costUsd > 0) this.costSaved.inc({ tenant }, costUsd);
  }

  limited(tenant: string): void {
    this.rateLimited.inc({ tenant });
  }

  failedOpen(): void {
    this.rateLimitFailOpen.inc();
  }

  circuit(provider: string, state: 'closed' | 'half_open' | 'open'): void {
    this.circuitState.set({ provider }, CIRCUIT_LEVEL[state]);
  }

  /** One candidate judged by the match decision: served, below the threshold, or which look-alike rule refused it. */
  semanticDecision(outcome: string): void {
    this.semanticDecisions.inc({ outcome });
  }

  /** Embedding wait, vector search and decision of one lookup that reached the semantic layer. */
  semanticLookup(result: 'hit' | 'miss', seconds: number): void {
    this.semanticLookupDuration.observe({ result }, seconds);
  }

  /** One question to the semantic judge: a call to its model, or a verdict from its cache. */
  judgeCall(verdict: string, cached: boolean, seconds: number, costUsd: number | null): void {
    this.judgeCalls.inc({ verdict, cached: String(cached) });
    if (cached) return;
    this.judgeDuration.observe({ verdict }, seconds);
    if (costUsd) this.judgeCost.inc(costUsd);
  }

  /**
   * A provider stream started before the semantic lookup ended (SEMANTIC_SPECULATIVE_STREAMS):
   * `used` when a streamed request read it, `cancelled` when a semantic hit made it unneeded.
   */
  speculativeStream(outcome: 'used' | 'cancelled'): void {
    this.speculativeStreams.inc({ outcome });
  }

  wrongHitReported(tenant: string): void {
    this.semanticWrongHits.inc({ tenant });
  }
}

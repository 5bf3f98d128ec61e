import { Global, Module, OnModuleInit } from '@nestjs/common';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import { Registry } from 'prom-client';
import { GatewayMetrics, METRIC } from './gateway-metrics';
import { MetricsController } from './metrics.controller';
import { collectProcessMetrics } from './process-metrics';
import { SCRAPED_GAUGES } from './scraped-gauges';

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

@Global()
@Module({
  imports: [
    PrometheusModule.register({
      controller: MetricsController,
      path: '/metrics',
      defaultMetrics: { enabled: false },
    }),
  ],
  providers: [
    makeCounterProvider({
      name: METRIC.lookups,
      help: 'Cache lookups by layer (exact, semantic), result (hit, miss, error) and tenant',
      labelNames: ['layer', 'result', 'tenant'],
    }),
    makeHistogramProvider({
      name: METRIC.requestDuration,
      help: 'HTTP request duration in seconds by route, status and cache result',
      labelNames: ['route', 'status', 'cache'],
      buckets: LATENCY_BUCKETS,
    }),
    makeCounterProvider({
      name: METRIC.llmRequests,
      help: 'Provider calls by provider and outcome (ok or the error code)',
      labelNames: ['provider', 'status'],
    }),
    makeHistogramProvider({
      name: METRIC.llmDuration,
      help: 'Provider call duration in seconds',
      labelNames: ['provider'],
      buckets: LATENCY_BUCKETS,
    }),
    makeCounterProvider({
      name: METRIC.llmTokens,
      help: 'Tokens sent to and received from providers',
      labelNames: ['provider', 'kind'],
    }),
    makeCounterProvider({
      name: METRIC.llmCost,
      help: 'What provider calls cost, in USD, from the price table',
      labelNames: ['provider'],
    }),
    makeCounterProvider({
      name: METRIC.costSaved,
      help: 'What answers served from cache would have cost, in USD, by tenant',
      labelNames: ['tenant'],
    }),
    makeCounterProvider({
      name: METRIC.rateLimited,
      help: 'Requests refused by the rate limit, by tenant',
      labelNames: ['tenant'],
    }),
    makeCounterProvider({
      name: METRIC.rateLimitFailOpen,
      help: 'Requests let through because the rate-limit store failed',
    }),
    makeGaugeProvider({
      name: METRIC.circuitState,
      help: 'Provider circuit breaker: 0 closed, 1 half open (one trial call), 2 open (calls refused)',
      labelNames: ['provider'],
    }),
    makeCounterProvider({
      name: METRIC.semanticDecisions,
      help: 'Semantic candidates decided, by outcome: match, below_threshold (verifier score under the threshold), below_floor (cosine under SEMANTIC_COSINE_FLOOR), not_verified (not read: a nearer candidate was sure or the same words were found), the veto rule that refused it (quantity, entity), or the judge verdict (judge_yes, judge_no, judge_error)',
      labelNames: ['outcome'],
    }),
    makeCounterProvider({
      name: METRIC.semanticWrongHits,
      help: 'Semantic hits reported wrong through POST /api/v1/cache/feedback, by tenant',
      labelNames: ['tenant'],
    }),
    makeHistogramProvider({
      name: METRIC.semanticLookupDuration,
      help: 'Semantic lookups after an exact miss (embedding wait, vector search, decision) in seconds',
      labelNames: ['result'],
      buckets: LATENCY_BUCKETS,
    }),
    makeCounterProvider({
      name: METRIC.judgeCalls,
      help: 'Questions to the semantic judge (SEMANTIC_JUDGE_MODEL) by verdict (yes, no, error, timeout) and whether the per-pair cache answered',
      labelNames: ['verdict', 'cached'],
    }),
    makeHistogramProvider({
      name: METRIC.judgeDuration,
      help: 'Semantic judge calls to its model, in seconds, by verdict',
      labelNames: ['verdict'],
      buckets: LATENCY_BUCKETS,
    }),
    makeCounterProvider({
      name: METRIC.judgeCost,
      help: 'What the semantic judge calls cost, in USD (also counted in ragcache_llm_cost_usd_total)',
    }),
    makeCounterProvider({
      name: METRIC.speculativeStreams,
      help: 'Provider streams started while the semantic lookup ran (SEMANTIC_SPECULATIVE_STREAMS), by outcome: used (a streamed miss read it) or cancelled (a semantic hit answered; the provider may bill the prompt)',
      labelNames: ['outcome'],
    }),
    GatewayMetrics,
    { provide: SCRAPED_GAUGES, useFactory: () => new Registry() },
  ],
  exports: [GatewayMetrics, SCRAPED_GAUGES],
})
export class MetricsModule implements OnModuleInit {
  onModuleInit(): void {
    collectProcessMetrics();
  }
}

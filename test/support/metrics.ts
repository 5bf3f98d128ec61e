import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { GatewayMetrics, METRIC } from '../../src/metrics/gateway-metrics';

/** Real metrics on a registry of their own, for unit tests that build services by hand. */
export function isolatedMetrics(): { metrics: GatewayMetrics; registry: Registry } {
  const registry = new Registry();
  const registers = [registry];
  const counter = (name: string, labelNames: string[] = []) =>
    new Counter({ name, help: name, labelNames, registers });
  const histogram = (name: string, labelNames: string[]) =>
    new Histogram({ name, help: name, labelNames, registers });
  const gauge = (name: string, labelNames: string[] = []) =>
    new Gauge({ name, help: name, labelNames, registers });
  const metrics = new GatewayMetrics(
    counter(METRIC.lookups, ['layer', 'result', 'tenant']),
    histogram(METRIC.requestDuration, ['route', 'status', 'cache']),
    counter(METRIC.llmRequests, ['provider', 'status']),
    histogram(METRIC.llmDuration, ['provider']),
    counter(METRIC.llmTokens, ['provider', 'kind']),
    counter(METRIC.llmCost, ['provider']),
    counter(METRIC.costSaved, ['tenant']),
    counter(METRIC.rateLimited, ['tenant']),
    counter(METRIC.rateLimitFailOpen),
    gauge(METRIC.circuitState, ['provider']),
    counter(METRIC.semanticDecisions, ['outcome']),
    counter(METRIC.semanticWrongHits, ['tenant']),
    histogram(METRIC.semanticLookupDuration, ['result']),
    counter(METRIC.judgeCalls, ['verdict', 'cached']),
    histogram(METRIC.judgeDuration, ['verdict']),
    counter(METRIC.judgeCost),
    counter(METRIC.speculativeStreams, ['outcome']),
  );
  return { metrics, registry };
}

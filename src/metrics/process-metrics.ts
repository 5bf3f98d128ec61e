import { collectDefaultMetrics, register } from 'prom-client';

/**
 * Gauges of prom-client's defaults whose `_total` suffix Prometheus reserves for counters, so
 * `promtool check metrics` refuses the exposition. `nodejs_active_handles`, `_requests` and
 * `_resources`, labelled by type, carry the same numbers.
 */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * prom-client's process and Node.js metrics, collected once per process: its registry is per
 * process, and the end-to-end tests run several apps in one.
 */
export function collectProcessMetrics(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics();
  for (const name of MISNAMED_DEFAULTS) register.removeSingleMetric(name);
}

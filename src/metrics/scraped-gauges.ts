import { Gauge, Registry } from 'prom-client';

/**
 * Injection token of one app's own prom-client registry, for the gauges its modules read from
 * their own state when Prometheus scrapes (prom-client's `collect`) rather than set on every
 * change. Counters and histograms live in prom-client's process-wide registry; these gauges
 * describe one app's state, and the end-to-end tests run several apps in one process.
 */
export const SCRAPED_GAUGES = Symbol('ScrapedGauges');

/** A gauge in `registry` whose value `read` sets at each scrape. */
export function scrapedGauge<L extends string = never>(
  registry: Registry,
  options: { name: string; help: string; labelNames?: L[] },
  read: (gauge: Gauge<L>) => void | Promise<void>,
): Gauge<L> {
  const gauge: Gauge<L> = new Gauge<L>({
    ...options,
    registers: [registry],
    collect: () => read(gauge),
  });
  return gauge;
}

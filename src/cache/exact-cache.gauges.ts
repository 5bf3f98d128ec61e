import { Inject, Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRIC } from '../metrics/gateway-metrics';
import { SCRAPED_GAUGES, scrapedGauge } from '../metrics/scraped-gauges';
import { EXACT_CACHE_STORE, ExactCacheStats, ExactCacheStore } from './exact-cache.port';

/**
 * The exact cache's size, read at scrape time. Only the in-memory store is counted: with Redis
 * both stay 0, since counting would SCAN the keyspace on every scrape.
 */
@Injectable()
export class ExactCacheGauges {
  constructor(
    @Inject(SCRAPED_GAUGES) registry: Registry,
    @Inject(EXACT_CACHE_STORE) store: ExactCacheStore,
  ) {
    // The registry collects both gauges of a scrape at once: they share one read of the store,
    // whose stats() sweeps the expired entries first.
    let reading: Promise<ExactCacheStats> | undefined;
    const stats = () =>
      (reading ??= (
        store.backend === 'memory' ? store.stats() : Promise.resolve({ entries: 0, bytes: 0 })
      ).finally(() => (reading = undefined)));
    scrapedGauge(
      registry,
      { name: METRIC.exactEntries, help: 'Entries in the in-memory exact cache' },
      async (gauge) => gauge.set((await stats()).entries),
    );
    scrapedGauge(
      registry,
      { name: METRIC.exactBytes, help: 'Approximate bytes of the in-memory exact cache' },
      async (gauge) => gauge.set((await stats()).bytes ?? 0),
    );
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRIC } from '../metrics/gateway-metrics';
import { SCRAPED_GAUGES, scrapedGauge } from '../metrics/scraped-gauges';
import { SemanticCacheService } from './semantic-cache.service';

/** The semantic index's size, read at scrape time. */
@Injectable()
export class SemanticGauges {
  constructor(@Inject(SCRAPED_GAUGES) registry: Registry, semantic: SemanticCacheService) {
    scrapedGauge(
      registry,
      {
        name: METRIC.semanticEntries,
        help: 'Live entries in the semantic index (every tenant, namespace and scope)',
      },
      async (gauge) => gauge.set(await semantic.count()),
    );
  }
}

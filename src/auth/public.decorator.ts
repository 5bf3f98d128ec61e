import { applyDecorators, SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'ragcache:public';

export const NEEDS_METRICS_KEY = 'ragcache:metrics-key';

/** Routes that need no API key and are not rate limited: probes, and metrics unless a key is set. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * `GET /metrics`: public and never rate limited, as scrapers expect inside a cluster, unless
 * METRICS_API_KEY is set; then the API-key guard wants that key, and only that key.
 */
export const MetricsScrape = () => applyDecorators(Public(), SetMetadata(NEEDS_METRICS_KEY, true));

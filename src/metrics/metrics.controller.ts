import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { FastifyReply } from 'fastify';
import { register, Registry } from 'prom-client';
import { MetricsScrape } from '../auth/public.decorator';
import { SCRAPED_GAUGES } from './scraped-gauges';

/**
 * `GET /metrics` in Prometheus text format: the process-wide counters and histograms, then this
 * app's gauges, which the modules that own them read at scrape time. Open by default, as
 * scrapers expect inside a cluster; with METRICS_API_KEY set, the API-key guard wants that key.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController extends PrometheusController {
  constructor(@Inject(SCRAPED_GAUGES) private readonly gauges: Registry) {
    super();
  }

  @MetricsScrape()
  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Text exposition format. Open unless METRICS_API_KEY is set; then send that key as Bearer or x-api-key.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Metrics prefixed ragcache_, plus process and Node.js defaults',
    schema: { type: 'string' },
  })
  override async index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    response.header('content-type', register.contentType);
    const [shared, own] = await Promise.all([register.metrics(), this.gauges.metrics()]);
    return `${shared}\n${own}`;
  }
}

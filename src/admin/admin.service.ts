import { Inject, Injectable, Logger } from '@nestjs/common';
import { register } from 'prom-client';
import { Readable } from 'node:stream';
import { EXACT_CACHE_STORE, ExactCacheStore, StoredEntry } from '../cache/exact-cache.port';
import { ApiError } from '../common/errors/api-error';
import { METRIC } from '../metrics/gateway-metrics';
import { SemanticCacheService } from '../semantic/semantic-cache.service';
import { AllTenantsStatsDto, ExportLineDto, TenantStatsDto } from './dto/admin-response.dto';

/** Export lines are gathered into chunks of about this many characters before they are written. */
const EXPORT_CHUNK_CHARS = 64 * 1024;

interface Counters {
  hits: { exact: number; semantic: number };
  misses: { exact: number; semantic: number };
  cost_saved_usd: number;
}

async function samplesOf(name: string) {
  const metric = register.getSingleMetric(name);
  return metric ? (await metric.get()).values : [];
}

export function exportLineOf(entry: StoredEntry): ExportLineDto {
  const { answer } = entry;
  return {
    key: entry.hash,
    namespace: entry.namespace,
    provider: answer.provider,
    model: answer.model,
    answer: answer.content,
    usage: {
      prompt_tokens: answer.usage.promptTokens,
      completion_tokens: answer.usage.completionTokens,
      total_tokens: answer.usage.totalTokens,
    },
    cost_usd: answer.costUsd,
    created_at: new Date(answer.createdAt).toISOString(),
  };
}

/** Reads and manages the exact cache on behalf of one tenant, or every tenant for the admin. */
@Injectable()
export class AdminService {
  private readonly logger = new Logger(AdminService.name);

  constructor(
    @Inject(EXACT_CACHE_STORE) private readonly store: ExactCacheStore,
    private readonly semantic: SemanticCacheService,
  ) {}

  /** Store errors (Redis gone mid-call) become a 503 with the envelope rather than a bare 500. */
  async withStore<T>(work: () => Promise<T>): Promise<T> {
    this.ensureAvailable();
    try {
      return await work();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(
        503,
        'cache_unavailable',
        `The cache backend failed: ${(error as Error).message}`,
      );
    }
  }

  ensureAvailable(): void {
    if (!this.store.available) {
      throw new ApiError(
        503,
        'cache_unavailable',
        `The cache backend (${this.store.backend}) is unavailable`,
      );
    }
  }

  /**
   * The Prometheus counters of this process since it started: one tenant's, or every tenant's
   * together for the admin.
   */
  private async counters(tenant?: string): Promise<Counters> {
    const ofTenant = (sample: { labels: Record<string, unknown> }) =>
      tenant === undefined || sample.labels.tenant === tenant;
    const lookups = (await samplesOf(METRIC.lookups)).filter(ofTenant);
    const count = (layer: string, results: string[]) =>
      lookups
        .filter((sample) => sample.labels.layer === layer)
        .filter((sample) => results.includes(String(sample.labels.result)))
        .reduce((sum, sample) => sum + sample.value, 0);
    const saved = (await samplesOf(METRIC.costSaved))
      .filter(ofTenant)
      .reduce((sum, sample) => sum + sample.value, 0);
    return {
      hits: { exact: count('exact', ['hit']), semantic: count('semantic', ['hit']) },
      misses: {
        exact: count('exact', ['miss', 'error']),
        semantic: count('semantic', ['miss', 'error']),
      },
      cost_saved_usd: Number(saved.toFixed(10)),
    };
  }

  tenantStats(tenant: string): Promise<TenantStatsDto> {
    return this.withStore(async () => {
      const { entries, bytes } = await this.store.tenantStats(tenant);
      return {
        tenant,
        backend: this.store.backend,
        entries,
        bytes,
        ...(await this.counters(tenant)),
      };
    });
  }

  allStats(): Promise<AllTenantsStatsDto> {
    return this.withStore(async () => {
      const counts = await this.store.entriesByTenant();
      const tenants = [...counts.entries()]
        .map(([tenant, entries]) => ({ tenant, entries }))
        .sort((a, b) => a.tenant.localeCompare(b.tenant));
      // Redis cannot tell bytes; skip a second SCAN of the whole keyspace for nothing.
      const bytes = this.store.backend === 'memory' ? (await this.store.stats()).bytes : null;
      return {
        backend: this.store.backend,
        tenants,
        entries: tenants.reduce((sum, tenant) => sum + tenant.entries, 0),
        bytes,
        ...(await this.counters()),
      };
    });
  }

  /** Both layers: the semantic entries point at exact ones, so they go together. */
  purge(tenant: string, namespace: string): Promise<number> {
    return this.withStore(async () => {
      const [deleted] = await Promise.all([
        this.store.purgeNamespace(tenant, namespace),
        this.semantic.purgeNamespace(tenant, namespace),
      ]);
      return deleted;
    });
  }

  async deleteEntry(tenant: string, namespace: string, hash: string): Promise<void> {
    const deleted = await this.withStore(async () => {
      const [exact] = await Promise.all([
        this.store.delete({ tenant, namespace, hash }),
        this.semantic.delete({ tenant, namespace, hash }),
      ]);
      return exact;
    });
    if (!deleted) {
      throw new ApiError(404, 'not_found', `No entry with key ${hash} in namespace ${namespace}`);
    }
  }

  /** NDJSON of one namespace, pulled from the store as the client reads it. */
  exportStream(tenant: string, namespace: string): Readable {
    this.ensureAvailable();
    const entries = this.store.entries(tenant, namespace);
    const logger = this.logger;
    async function* chunks(): AsyncGenerator<string> {
      let chunk = '';
      try {
        for await (const entry of entries) {
          chunk += `${JSON.stringify(exportLineOf(entry))}\n`;
          if (chunk.length >= EXPORT_CHUNK_CHARS) {
            yield chunk;
            chunk = '';
          }
        }
      } catch (error) {
        // Headers are gone already: the response is cut off, so the client sees it is incomplete.
        logger.warn(`export of ${tenant}/${namespace} failed: ${(error as Error).message}`);
        throw error;
      }
      if (chunk !== '') yield chunk;
    }
    return Readable.from(chunks(), { objectMode: false });
  }
}

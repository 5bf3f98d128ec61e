import { Inject, Injectable, Logger } from '@nestjs/common';
import { deriveEntryKey, EntryKey } from '../../libs/cache-key';
import { CachedAnswer, EXACT_CACHE_STORE, ExactCacheStore } from '../cache/exact-cache.port';
import { ChatRequest } from '../llm/chat.types';
import { LlmService } from '../llm/llm.service';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { CacheControls } from './cache-controls';
import { RequestCoalescer } from './request-coalescer';

export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

export interface QueryOutcome {
  answer: CachedAnswer;
  cacheStatus: CacheStatus;
  cacheType: 'exact' | null;
  /** What this request cost: zero when served from cache. */
  costUsd: number | null;
  /** What the cache saved by answering: the stored call's cost on a hit, else zero. */
  costSavedUsd: number;
}

/**
 * The pipeline: exact lookup, then one coalesced provider call, then the write to the cache off
 * the response path. Every endpoint maps its body to a `ChatRequest` and comes here.
 */
@Injectable()
export class QueryService {
  private readonly logger = new Logger(QueryService.name);
  private readonly inFlight = new RequestCoalescer<CachedAnswer>();

  constructor(
    @Inject(EXACT_CACHE_STORE) private readonly exactCache: ExactCacheStore,
    private readonly llm: LlmService,
    private readonly metrics: GatewayMetrics,
  ) {}

  static entryKey(tenant: string, namespace: string, request: ChatRequest): EntryKey {
    const history = request.messages.slice(0, -1);
    const prompt = request.messages[request.messages.length - 1]?.content ?? '';
    return deriveEntryKey(
      {
        tenant,
        namespace,
        provider: request.provider,
        model: request.model,
        system: request.system,
        history,
        params: { ...request.params },
      },
      prompt,
    );
  }

  async answer(
    tenant: string,
    request: ChatRequest,
    controls: CacheControls,
  ): Promise<QueryOutcome> {
    if (controls.bypass) {
      const answer = await this.callProvider(request);
      return {
        answer,
        cacheStatus: 'BYPASS',
        cacheType: null,
        costUsd: answer.costUsd,
        costSavedUsd: 0,
      };
    }
    const key = QueryService.entryKey(tenant, controls.namespace, request);
    if (controls.lookup) {
      const hit = await this.exactCache.get(key);
      this.metrics.cacheLookup(
        tenant,
        'exact',
        hit ? 'hit' : this.exactCache.available ? 'miss' : 'error',
      );
      if (hit) {
        this.metrics.saved(tenant, hit.costUsd ?? 0);
        return {
          answer: hit,
          cacheStatus: 'HIT',
          cacheType: 'exact',
          costUsd: 0,
          costSavedUsd: hit.costUsd ?? 0,
        };
      }
    }
    const { value: answer, shared } = await this.inFlight.run(
      `${key.tenant}/${key.namespace}/${key.hash}`,
      () => this.callProvider(request),
      (fresh) => (controls.store ? this.store(key, fresh, controls.ttlSeconds) : Promise.resolve()),
    );
    if (shared) this.metrics.saved(tenant, answer.costUsd ?? 0);
    return {
      answer,
      cacheStatus: controls.lookup ? 'MISS' : 'BYPASS',
      cacheType: null,
      // A request that waited on another's call cost nothing extra.
      costUsd: shared ? 0 : answer.costUsd,
      costSavedUsd: shared ? (answer.costUsd ?? 0) : 0,
    };
  }

  private async callProvider(request: ChatRequest): Promise<CachedAnswer> {
    const completion = await this.llm.complete(request);
    return {
      content: completion.content,
      provider: completion.provider,
      model: completion.model,
      finishReason: completion.finishReason,
      usage: completion.usage,
      costUsd: completion.costUsd,
      createdAt: Date.now(),
    };
  }

  private async store(key: EntryKey, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    // An empty answer is more likely a filtered or truncated reply than one worth repeating.
    if (answer.content === '') return;
    if (!this.exactCache.available) return;
    try {
      await this.exactCache.set(key, answer, ttlSeconds);
    } catch (error) {
      this.logger.warn(`exact cache write failed: ${(error as Error).message}`);
    }
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { deriveEntryKey, EntryKey } from '../../libs/cache-key';
import { CachedAnswer, EXACT_CACHE_STORE, ExactCacheStore } from '../cache/exact-cache.port';
import { ChatRequest } from '../llm/chat.types';
import { LlmService } from '../llm/llm.service';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { AppConfig } from '../config/app-config';
import { StoredSemanticEntry } from '../semantic/index/vector-store.port';
import { JudgeOutcome } from '../semantic/match/semantic-judge';
import { SemanticCacheService, SemanticMatch } from '../semantic/semantic-cache.service';
import { CacheControls } from './cache-controls';
import { RequestCoalescer } from './request-coalescer';

export type CacheStatus = 'HIT' | 'SEMANTIC' | 'MISS' | 'BYPASS';

export interface CacheLookup {
  /** What a hit serves; undefined on a miss. */
  hit?: QueryOutcome;
  /** The prompt's embedding, when the semantic layer took part: the miss's write reuses it. */
  vector?: Promise<Float32Array | undefined>;
  judge?: JudgeOutcome;
}

export interface QueryOutcome {
  answer: CachedAnswer;
  cacheStatus: CacheStatus;
  cacheType: 'exact' | 'semantic' | null;
  /** On a semantic hit: cosine similarity of the query to the stored question. */
  similarity?: number;
  /** On a semantic hit: the verifier's probability, which the threshold applies to. */
  matchScore?: number;
  /** When the semantic judge was asked about a candidate: its verdict (hit or miss). */
  judge?: JudgeOutcome;
  /** What this request cost: zero when served from cache. */
  costUsd: number | null;
  /** What the cache saved by answering: the stored call's cost on a hit, else zero. */
  costSavedUsd: number;
}

/**
 * The pipeline: exact lookup, semantic lookup, then one coalesced provider call, then the write
 * to both caches off the response path. Every endpoint maps its body to a `ChatRequest` and
 * comes here.
 */
@Injectable()
export class QueryService {
  private readonly logger = new Logger(QueryService.name);
  private readonly inFlight = new RequestCoalescer<CachedAnswer>();

  constructor(
    @Inject(EXACT_CACHE_STORE) private readonly exactCache: ExactCacheStore,
    private readonly llm: LlmService,
    private readonly metrics: GatewayMetrics,
    private readonly semantic: SemanticCacheService,
    private readonly config: AppConfig,
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
    requestId?: string,
  ): Promise<QueryOutcome> {
    return this.answerWith(
      tenant,
      QueryService.entryKey(tenant, controls.namespace, request),
      semanticPrompt(request),
      controls,
      () => this.callProvider(request),
      requestId,
    );
  }

  /**
   * The pipeline for any endpoint's request, once it has a key: `prompt` is the text the
   * semantic layer may match (undefined: exact only), `call` asks the provider on a miss.
   */
  async answerWith(
    tenant: string,
    key: EntryKey,
    prompt: string | undefined,
    controls: CacheControls,
    call: () => Promise<CachedAnswer>,
    requestId?: string,
  ): Promise<QueryOutcome> {
    if (controls.bypass) {
      const answer = await call();
      return {
        answer,
        cacheStatus: 'BYPASS',
        cacheType: null,
        costUsd: answer.costUsd,
        costSavedUsd: 0,
      };
    }
    const found = await this.lookup(key, prompt, controls, requestId);
    if (found.hit) return found.hit;
    const { value: answer, shared } = await this.inFlight.run(
      `${key.tenant}/${key.namespace}/${key.hash}`,
      call,
      (fresh) =>
        controls.store
          ? this.remember(key, fresh, controls.ttlSeconds, prompt, found.vector)
          : Promise.resolve(),
    );
    if (shared) this.metrics.saved(tenant, answer.costUsd ?? 0);
    return {
      answer,
      cacheStatus: controls.lookup ? 'MISS' : 'BYPASS',
      cacheType: null,
      judge: found.judge,
      // A request that waited on another's call cost nothing extra.
      costUsd: shared ? 0 : answer.costUsd,
      costSavedUsd: shared ? (answer.costUsd ?? 0) : 0,
    };
  }

  /**
   * The exact cache, then the semantic one. On a miss it hands back the prompt's embedding (when
   * one was started) for the write that follows, and the judge's verdict if it was asked.
   * `onExactMiss` is called when the exact cache missed and the semantic lookup begins.
   */
  async lookup(
    key: EntryKey,
    prompt: string | undefined,
    controls: CacheControls,
    requestId?: string,
    onExactMiss?: () => void,
  ): Promise<CacheLookup> {
    if (!controls.lookup) return {};
    const startEmbedding = () =>
      prompt !== undefined && this.semantic.ready
        ? this.semantic.startEmbedding(prompt)
        : undefined;
    // With Redis the embedding starts before the exact lookup, so that it runs while the lookup
    // waits on the network; the in-memory lookup takes microseconds, and a hit then never starts
    // one (about 6 µs of an exact hit's CPU, docs/benchmarks.md).
    let embedding = this.exactCache.backend === 'memory' ? undefined : startEmbedding();
    const hit = await this.exactCache.get(key);
    this.metrics.cacheLookup(
      key.tenant,
      'exact',
      hit ? 'hit' : this.exactCache.available ? 'miss' : 'error',
    );
    if (hit) {
      embedding?.release();
      return { hit: this.served(key.tenant, hit, 'HIT') };
    }
    embedding ??= startEmbedding();
    const vector = embedding?.vector;
    if (!vector || prompt === undefined) return { vector };
    onExactMiss?.();
    const semantic = await this.semanticLookup(key, prompt, vector, controls, requestId);
    return { hit: semantic.hit, judge: semantic.judge, vector };
  }

  private served(
    tenant: string,
    answer: CachedAnswer,
    cacheStatus: 'HIT' | 'SEMANTIC',
    match?: SemanticMatch,
  ): QueryOutcome {
    this.metrics.saved(tenant, answer.costUsd ?? 0);
    return {
      answer,
      cacheStatus,
      cacheType: cacheStatus === 'HIT' ? 'exact' : 'semantic',
      similarity: match?.similarity,
      matchScore: match?.score,
      costUsd: 0,
      costSavedUsd: answer.costUsd ?? 0,
    };
  }

  private async semanticLookup(
    key: EntryKey,
    prompt: string,
    pendingVector: Promise<Float32Array | undefined>,
    controls: CacheControls,
    requestId: string | undefined,
  ): Promise<{ hit?: QueryOutcome; judge?: JudgeOutcome }> {
    const started = performance.now();
    const vector = await pendingVector;
    if (!vector) {
      this.metrics.cacheLookup(key.tenant, 'semantic', 'error');
      return {};
    }
    const threshold = controls.threshold ?? this.config.semantic.threshold;
    const { match, judge } = await this.semantic.find(key, prompt, vector, threshold);
    const seconds = (performance.now() - started) / 1000;
    if (!match) {
      this.metrics.cacheLookup(
        key.tenant,
        'semantic',
        this.semantic.storeAvailable ? 'miss' : 'error',
      );
      this.metrics.semanticLookup('miss', seconds);
      return { judge };
    }
    this.metrics.cacheLookup(key.tenant, 'semantic', 'hit');
    this.metrics.semanticLookup('hit', seconds);
    if (controls.store && match.entry.hash === key.hash) this.restoreExact(key, match.entry);
    if (requestId) this.semantic.rememberServed(requestId, key.tenant, match, prompt);
    return { hit: { ...this.served(key.tenant, match.entry.answer, 'SEMANTIC', match), judge } };
  }

  /**
   * The index answered with the very entry the exact cache should have held (same scope, same
   * normalised prompt): the in-memory store lost it in a restart, or evicted it, while the index
   * kept it on disk. It goes back into the exact cache for what is left of its lifetime, so the
   * next identical request is an exact hit instead of paying for an embedding every time.
   */
  private restoreExact(key: EntryKey, entry: StoredSemanticEntry): void {
    const ttlSeconds = Math.floor((entry.expiresAt - Date.now()) / 1000);
    if (ttlSeconds >= 1) void this.storeExact(key, entry.answer, ttlSeconds);
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

  /**
   * Both layers independently: either may be down while the other takes the entry. Only the
   * exact write is awaited (the coalescer keeps the call shared until then); the semantic write
   * waits for its embedding and its log, and finishes on its own.
   */
  async remember(
    key: EntryKey,
    answer: CachedAnswer,
    ttlSeconds: number,
    prompt: string | undefined,
    vector: Promise<Float32Array | undefined> | undefined,
  ): Promise<void> {
    // An empty answer is more likely a filtered or truncated reply than one worth repeating.
    if (answer.wire ? answer.wire.empty : answer.content === '') return;
    if (prompt !== undefined) {
      void (vector ?? Promise.resolve(undefined))
        .then((embedded) => this.semantic.remember(key, prompt, answer, embedded, ttlSeconds))
        .catch((error: unknown) => {
          this.logger.warn(`semantic index write failed: ${(error as Error).message}`);
        });
    }
    await this.storeExact(key, answer, ttlSeconds);
  }

  /** A write to the exact cache that never fails the request: a down store skips it. */
  private async storeExact(key: EntryKey, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    if (!this.exactCache.available) return;
    try {
      await this.exactCache.set(key, answer, ttlSeconds);
    } catch (error) {
      this.logger.warn(`exact cache write failed: ${(error as Error).message}`);
    }
  }
}

/**
 * Only the last user message is matched semantically; earlier turns are part of the scope, so a
 * follow-up never meets a stand-alone question. A conversation that does not end with a user
 * turn (an assistant prefill) is left to the exact cache.
 */
function semanticPrompt(request: ChatRequest): string | undefined {
  const last = request.messages[request.messages.length - 1];
  if (last?.role !== 'user' || typeof last.content !== 'string' || last.content.trim() === '') {
    return undefined;
  }
  return last.content;
}

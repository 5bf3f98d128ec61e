import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { hash } from 'node:crypto';
import { EntryKey, normalizePrompt } from '../../libs/cache-key';
import { CachedAnswer, EntryAddress } from '../cache/exact-cache.port';
import { AppConfig } from '../config/app-config';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { EmbeddingReleasedError, MicroBatchingEmbedder } from './embedding/micro-batching.embedder';
import { SERVED_HIT_LEDGER, ServedHit, ServedHitLedger } from './feedback/served-hit-ledger.port';
import {
  StoredSemanticEntry,
  VECTOR_STORE,
  VectorSnapshot,
  VectorStore,
} from './index/vector-store.port';
import { MatchDecider } from './match/match-decider';
import { PAIR_VERIFIER, PairVerifier } from './match/pair-verifier.port';
import { JudgeOutcome } from './match/semantic-judge';

/** A stored entry the decision accepted for a query. */
export interface SemanticMatch {
  entry: StoredSemanticEntry;
  /** Cosine similarity of the two vectors. */
  similarity: number;
  /** The verifier's probability that the stored answer is right, the number the threshold applies to. */
  score: number;
}

/** What one semantic lookup found, and what the judge said if it was asked. */
export interface SemanticLookup {
  match: SemanticMatch | undefined;
  judge: JudgeOutcome | undefined;
}

export interface PendingEmbedding {
  vector: Promise<Float32Array | undefined>;
  release(): void;
}

export type FeedbackResult = 'recorded' | 'unknown_request';

/** How far above the wrong hit's score an entry's own threshold rises after feedback. */
const FEEDBACK_MARGIN = 0.02;

/**
 * The semantic layer: embeds the last user message, finds stored entries of the same scope
 * whose question means the same, and lets the match decision reject look-alikes. Each entry
 * carries its answer (under the same hash and TTL as the exact entry), so a hit needs nothing
 * else.
 */
@Injectable()
export class SemanticCacheService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SemanticCacheService.name);
  private opened = false;

  constructor(
    private readonly embedder: MicroBatchingEmbedder,
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    @Inject(SERVED_HIT_LEDGER) private readonly servedHits: ServedHitLedger,
    private readonly decider: MatchDecider,
    @Inject(PAIR_VERIFIER) private readonly verifier: PairVerifier,
    private readonly config: AppConfig,
    private readonly metrics: GatewayMetrics,
  ) {}

  get enabled(): boolean {
    return this.config.semantic.enabled;
  }

  /** The model is loaded and the index open: until then lookups are skipped (a miss), not failed. */
  get ready(): boolean {
    return this.enabled && this.opened && this.embedder.ready && this.verifier.ready;
  }

  get storeAvailable(): boolean {
    return this.store.available;
  }

  get backend(): string {
    return this.store.backend;
  }

  get modelId(): string {
    return this.embedder.modelId;
  }

  get verifierId(): string {
    return this.verifier.modelId;
  }

  /**
   * Loads the model and opens the index before the gateway listens. A failure leaves the
   * gateway serving without the semantic layer (exact cache and providers), with readiness down.
   */
  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    await this.start().catch((error: unknown) => {
      this.logger.error(`semantic cache unavailable: ${(error as Error).message}`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.enabled) return;
    if (this.opened) {
      this.opened = false;
      await this.store.close();
    }
    // Also after a failed start: worker threads that did come up must not keep the process alive.
    await Promise.all([this.embedder.close(), this.verifier.close()]);
  }

  /**
   * Starts embedding the prompt now, so the vector is ready (or nearly) when the exact lookup
   * misses; `release()` when the exact cache answered, so that a text still waiting for its
   * batch never reaches the model. The vector never rejects: a failure is a semantic miss.
   */
  startEmbedding(prompt: string): PendingEmbedding {
    if (!this.ready) return { vector: Promise.resolve(undefined), release: () => undefined };
    const ticket = this.embedder.claim(normalizePrompt(prompt));
    return {
      vector: ticket.vector.catch((error: unknown) => {
        if (!(error instanceof EmbeddingReleasedError)) {
          this.logger.warn(`embedding failed: ${(error as Error).message}`);
        }
        return undefined;
      }),
      release: ticket.release,
    };
  }

  /** Embeds a text when no lookup did (a refresh with `no-cache`, an import, feedback). */
  private embed(text: string): Promise<Float32Array | undefined> {
    return this.startEmbedding(text).vector;
  }

  /**
   * The stored entry of the key's scope that the match decision accepts, if any: the nearest
   * entries pass the cosine floor and the vetoes, the verifier reads each against the prompt,
   * and the one it is surest of is served when its score reaches the threshold.
   */
  async find(
    key: EntryKey,
    prompt: string,
    vector: Float32Array,
    threshold: number,
  ): Promise<SemanticLookup> {
    const found = await this.store.search(
      { tenant: key.tenant, namespace: key.namespace, scope: key.scope },
      vector,
      this.config.semantic.candidates,
    );
    const text = normalizePrompt(prompt);
    const queryHash = hashQuery(text);
    const candidates = found.filter(({ entry }) => !entry.blockedQueries.includes(queryHash));
    // The same question in the same scope: the exact cache lost it (a restart of the in-memory
    // store, an eviction, Redis down), the semantic layer still has it.
    const same = candidates.find(({ entry }) => entry.hash === key.hash);
    if (same) return { match: { ...same, score: 1 }, judge: undefined };
    if (candidates.length === 0) return { match: undefined, judge: undefined };
    const result = await this.decider.decide(
      text,
      candidates.map(({ entry, similarity }) => ({
        text: entry.text,
        cosine: similarity,
        minScore: entry.minScore,
      })),
      threshold,
    );
    for (const verdict of result.verdicts) this.metrics.semanticDecision(verdict.outcome);
    if (result.served === undefined) return { match: undefined, judge: result.judge };
    const { entry, similarity } = candidates[result.served];
    return {
      match: { entry, similarity, score: result.verdicts[result.served].score },
      judge: result.judge,
    };
  }

  /** Indexes a freshly stored answer under the same hash and expiry as its exact entry. */
  async remember(
    key: EntryKey,
    prompt: string,
    answer: CachedAnswer,
    vector: Float32Array | undefined,
    ttlSeconds: number,
  ): Promise<void> {
    if (!this.ready) return;
    const text = normalizePrompt(prompt);
    const embedded = vector ?? (await this.embed(text));
    if (!embedded) return;
    await this.store.upsert({
      tenant: key.tenant,
      namespace: key.namespace,
      scope: key.scope,
      hash: key.hash,
      text,
      answer,
      vector: embedded,
      expiresAt: Date.now() + ttlSeconds * 1000,
      minScore: 0,
      blockedQueries: [],
    });
  }

  /** Remembers which entry answered a request, for `POST /api/v1/cache/feedback`. */
  rememberServed(requestId: string, tenant: string, match: SemanticMatch, prompt: string): void {
    const hit: ServedHit = {
      tenant,
      address: {
        tenant: match.entry.tenant,
        namespace: match.entry.namespace,
        hash: match.entry.hash,
      },
      queryHash: hashQuery(normalizePrompt(prompt)),
      score: match.score,
    };
    // The hit is served either way; a record lost to a Redis outage only makes it unreportable.
    this.servedHits.remember(requestId, hit, match.entry.expiresAt).catch((error: Error) => {
      this.logger.debug(`served hit not recorded for feedback: ${error.message}`);
    });
  }

  /**
   * A caller says the hit it got was wrong: that query never gets that entry again, and the
   * entry's own threshold rises above the score that let the wrong hit through (vCache's
   * per-entry thresholds), so look-alikes of the same kind stop matching it too.
   */
  async reportWrongHit(requestId: string, tenant: string | undefined): Promise<FeedbackResult> {
    const hit = await this.servedHits.find(requestId);
    // Another tenant's request id is indistinguishable from an unknown one; the admin (no
    // tenant) may report any.
    if (!hit || (tenant !== undefined && hit.tenant !== tenant)) return 'unknown_request';
    const entry = await this.store.get(hit.address);
    if (entry) {
      // The port returns entries without vectors; the stored text embeds to the same one again.
      const vector = await this.embed(entry.text);
      if (vector) {
        await this.store.upsert({
          ...entry,
          vector,
          minScore: Math.min(1, Math.max(entry.minScore, hit.score + FEEDBACK_MARGIN)),
          blockedQueries: [...new Set([...entry.blockedQueries, hit.queryHash])],
        });
      }
    }
    await this.servedHits.forget(requestId);
    this.metrics.wrongHitReported(hit.tenant);
    return 'recorded';
  }

  createSnapshot(): Promise<VectorSnapshot> {
    return this.store.createSnapshot();
  }

  listSnapshots(): Promise<VectorSnapshot[]> {
    return this.store.listSnapshots();
  }

  restoreSnapshot(name: string): Promise<void> {
    return this.store.restoreSnapshot(name);
  }

  delete(address: EntryAddress): Promise<boolean> {
    return this.opened ? this.store.delete(address) : Promise.resolve(false);
  }

  purgeNamespace(tenant: string, namespace: string): Promise<number> {
    return this.opened ? this.store.purgeNamespace(tenant, namespace) : Promise.resolve(0);
  }

  count(): Promise<number> {
    return this.opened ? this.store.count() : Promise.resolve(0);
  }

  private async start(): Promise<void> {
    const started = Date.now();
    await Promise.all([this.embedder.load(), this.verifier.load()]);
    await this.store.open(this.embedder.modelId, this.embedder.dimensions);
    this.opened = true;
    this.logger.log(
      `semantic cache ready: ${this.embedder.modelId} (${this.embedder.dimensions}-d) on ${this.store.backend}, verifier ${this.verifier.modelId}, in ${Date.now() - started} ms`,
    );
  }
}

function hashQuery(text: string): string {
  return hash('sha256', text, 'base64url');
}

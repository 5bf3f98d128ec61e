import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.module';
import { EMBEDDER, Embedder } from './embedding/embedder.port';
import { MicroBatchingEmbedder } from './embedding/micro-batching.embedder';
import { OpenAIEmbedder } from './embedding/openai.embedder';
import { TransformersEmbedder } from './embedding/transformers.embedder';
import { UseLiteEmbedder } from './embedding/use-lite.embedder';
import { WorkerThreadEmbedder } from './embedding/worker-thread.embedder';
import { MemoryServedHitLedger } from './feedback/memory-served-hit.ledger';
import { RedisServedHitLedger } from './feedback/redis-served-hit.ledger';
import { SERVED_HIT_LEDGER, ServedHitLedger } from './feedback/served-hit-ledger.port';
import { QdrantVectorStore } from './index/qdrant.vector-store';
import { UsearchVectorStore } from './index/usearch.vector-store';
import { VECTOR_STORE, VectorStore } from './index/vector-store.port';
import { LlmModule } from '../llm/llm.module';
import { ProviderFetch } from '../llm/provider-fetch';
import { LlmService } from '../llm/llm.service';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { bundledVerifierDir } from './match/bundled-verifier';
import { MatchDecider } from './match/match-decider';
import { OnnxPairVerifier } from './match/onnx.pair-verifier';
import { PAIR_VERIFIER, PairVerifier } from './match/pair-verifier.port';
import { SemanticJudge } from './match/semantic-judge';
import { WorkerThreadPairVerifier } from './match/worker-thread.pair-verifier';
import { SemanticAdminController } from './semantic-admin.controller';
import { SemanticCacheService } from './semantic-cache.service';
import { SemanticGauges } from './semantic.gauges';

function createEmbedder(config: AppConfig, transport: ProviderFetch): Embedder {
  const { embedding } = config;
  switch (embedding.provider) {
    case 'transformers':
      if (!embedding.model) {
        throw new Error(
          'EMBEDDING_MODEL: set a model id or a local model folder for EMBEDDING_PROVIDER=transformers',
        );
      }
      return new TransformersEmbedder({
        model: embedding.model,
        allowRemote: embedding.allowRemote,
        cacheDir: join(config.semantic.dataDir, 'models'),
      });
    case 'openai': {
      const openai = config.llm.providers.openai;
      if (!openai.apiKey) {
        throw new Error(
          'OPENAI_API_KEY: EMBEDDING_PROVIDER=openai embeds through the OpenAI API and needs its key',
        );
      }
      return new OpenAIEmbedder({
        apiKey: openai.apiKey,
        baseURL: openai.baseUrl,
        model: embedding.model,
        timeoutMs: config.llm.timeoutMs,
        fetch: transport.fetch,
      });
    }
    default:
      // TF.js computes on the calling thread: in a worker, a batch no longer stalls exact hits.
      return embedding.workers > 0
        ? new WorkerThreadEmbedder({
            module: require.resolve('./embedding/use-lite.embedder'),
            exportName: UseLiteEmbedder.name,
            workers: embedding.workers,
          })
        : new UseLiteEmbedder();
  }
}

function createVerifier(config: AppConfig): PairVerifier {
  const { verifier } = config.semantic;
  const modelDir = verifier.modelDir ?? bundledVerifierDir();
  // Like the embedder: a batch of candidates is milliseconds of CPU kept off the event loop.
  return verifier.workers > 0
    ? new WorkerThreadPairVerifier({ modelDir, workers: verifier.workers })
    : new OnnxPairVerifier({ modelDir });
}

function createDecider(
  config: AppConfig,
  verifier: PairVerifier,
  llm: LlmService,
  metrics: GatewayMetrics,
): MatchDecider {
  const { judge, cosineFloor, vetoes } = config.semantic;
  const { sureScore } = config.semantic.verifier;
  return new MatchDecider(
    verifier,
    { cosineFloor, vetoes, sureScore },
    judge.model
      ? new SemanticJudge(
          llm,
          {
            model: judge.model,
            band: judge.band,
            timeoutMs: judge.timeoutMs,
            cacheSize: judge.cacheSize,
          },
          metrics,
        )
      : undefined,
  );
}

@Module({
  imports: [LlmModule],
  providers: [
    { provide: EMBEDDER, inject: [AppConfig, ProviderFetch], useFactory: createEmbedder },
    {
      provide: MicroBatchingEmbedder,
      inject: [AppConfig, EMBEDDER],
      useFactory: (config: AppConfig, model: Embedder) =>
        new MicroBatchingEmbedder(model, {
          maxBatch: config.embedding.batchSize,
          maxWaitMs: config.embedding.batchWaitMs,
          cacheSize: config.embedding.cacheSize,
          concurrency: Math.max(1, config.embedding.workers),
        }),
    },
    {
      provide: VECTOR_STORE,
      inject: [AppConfig],
      useFactory: (config: AppConfig): VectorStore =>
        config.qdrant
          ? new QdrantVectorStore({ url: config.qdrant.url, apiKey: config.qdrant.apiKey })
          : new UsearchVectorStore({
              dataDir: join(config.semantic.dataDir, 'semantic'),
              quantization: config.semantic.quantization,
            }),
    },
    {
      provide: SERVED_HIT_LEDGER,
      inject: [REDIS_CONNECTION],
      useFactory: (redis: RedisConnection | null): ServedHitLedger =>
        redis ? new RedisServedHitLedger(redis) : new MemoryServedHitLedger(),
    },
    { provide: PAIR_VERIFIER, inject: [AppConfig], useFactory: createVerifier },
    {
      provide: MatchDecider,
      inject: [AppConfig, PAIR_VERIFIER, LlmService, GatewayMetrics],
      useFactory: createDecider,
    },
    SemanticCacheService,
    SemanticGauges,
  ],
  controllers: [SemanticAdminController],
  exports: [SemanticCacheService],
})
export class SemanticModule {}

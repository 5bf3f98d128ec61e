import type { LookalikeReason } from '../semantic/match/lookalike-rules';
import { ApiKeyEntry, Environment, parseEnvironment } from './config.schema';

export type ProviderName = 'openai' | 'anthropic';

export interface ProviderConfig {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  defaultModel: string;
}

export interface RedisConfig {
  url: string | undefined;
  clusterNodes: { host: string; port: number }[];
  keyPrefix: string;
  commandTimeoutMs: number;
}

/**
 * The typed configuration, read once from the environment at start. Services inject this class
 * instead of reading `process.env`, so tests can build one from a plain object.
 */
export class AppConfig {
  readonly production: boolean;
  readonly server: { port: number; host: string; bodyLimitBytes: number };
  readonly llm: {
    defaultProvider: ProviderName;
    timeoutMs: number;
    maxRetries: number;
    circuit: { failureThreshold: number; openMs: number };
    pricingFile: string | undefined;
    providers: Record<ProviderName, ProviderConfig>;
  };
  readonly cache: { ttlSeconds: number; maxEntries: number; maxBytes: number };
  readonly redis: RedisConfig | undefined;
  readonly qdrant: { url: string; apiKey: string | undefined } | undefined;
  readonly semantic: {
    enabled: boolean;
    dataDir: string;
    threshold: number;
    candidates: number;
    quantization: 'i8' | 'f16' | 'f32';
    /** Candidates less similar than this (cosine) never reach the verifier. */
    cosineFloor: number;
    /** Look-alike rules that refuse a candidate whatever the verifier says. */
    vetoes: LookalikeReason[];
    verifier: {
      /** Folder of the pair verifier's ONNX model and tokenizer; unset: the bundled model. */
      modelDir: string | undefined;
      /** Worker threads running it; 0 runs it on the event loop's thread. */
      workers: number;
      /** A candidate scoring this ends the search; 1 reads every candidate. */
      sureScore: number;
    };
    /**
     * A streamed drop-in request that misses the exact cache starts its provider call while the
     * semantic lookup runs, and cancels it on a semantic hit.
     */
    speculativeStreams: boolean;
    /** An LLM asked about candidates whose verifier score is uncertain; off when `model` is unset. */
    judge: {
      model: string | undefined;
      band: { low: number; high: number };
      timeoutMs: number;
      cacheSize: number;
    };
  };
  readonly embedding: {
    provider: 'use-lite' | 'transformers' | 'openai';
    model: string | undefined;
    allowRemote: boolean;
    cacheSize: number;
    batchSize: number;
    batchWaitMs: number;
    /** Worker threads running the local model; 0 runs it on the event loop's thread. */
    workers: number;
  };
  readonly auth: {
    apiKeys: ApiKeyEntry[];
    adminKey: string | undefined;
    metricsKey: string | undefined;
  };
  readonly rateLimit: { rpm: number; overrides: Record<string, number> };
  readonly corsOrigins: string[] | undefined;
  readonly logging: { level: string; logPrompts: boolean };

  constructor(env: Environment) {
    this.production = env.NODE_ENV === 'production';
    this.server = { port: env.PORT, host: env.HOST, bodyLimitBytes: env.BODY_LIMIT_BYTES };
    this.llm = {
      defaultProvider: env.DEFAULT_PROVIDER,
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxRetries: env.LLM_MAX_RETRIES,
      circuit: {
        failureThreshold: env.LLM_CIRCUIT_FAILURES,
        openMs: env.LLM_CIRCUIT_OPEN_SECONDS * 1000,
      },
      pricingFile: env.PRICING_FILE,
      providers: {
        openai: {
          apiKey: env.OPENAI_API_KEY,
          baseUrl: env.OPENAI_BASE_URL,
          defaultModel: env.OPENAI_DEFAULT_MODEL,
        },
        anthropic: {
          apiKey: env.ANTHROPIC_API_KEY,
          baseUrl: env.ANTHROPIC_BASE_URL,
          defaultModel: env.ANTHROPIC_DEFAULT_MODEL,
        },
      },
    };
    this.cache = {
      ttlSeconds: env.CACHE_TTL_SECONDS,
      maxEntries: env.CACHE_MAX_ENTRIES,
      maxBytes: env.CACHE_MAX_BYTES,
    };
    this.redis =
      env.REDIS_URL || env.REDIS_CLUSTER_NODES.length > 0
        ? {
            url: env.REDIS_URL,
            clusterNodes: env.REDIS_CLUSTER_NODES,
            keyPrefix: env.REDIS_KEY_PREFIX,
            commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
          }
        : undefined;
    this.qdrant = env.QDRANT_URL ? { url: env.QDRANT_URL, apiKey: env.QDRANT_API_KEY } : undefined;
    this.semantic = {
      enabled: env.SEMANTIC_CACHE,
      dataDir: env.DATA_DIR,
      threshold: env.SEMANTIC_THRESHOLD,
      candidates: env.SEMANTIC_CANDIDATES,
      quantization: env.SEMANTIC_INDEX_QUANTIZATION,
      cosineFloor: env.SEMANTIC_COSINE_FLOOR,
      vetoes: env.SEMANTIC_VETOES,
      verifier: {
        modelDir: env.SEMANTIC_VERIFIER_MODEL,
        workers: env.SEMANTIC_VERIFIER_WORKERS,
        sureScore: env.SEMANTIC_VERIFIER_SURE,
      },
      judge: {
        model: env.SEMANTIC_JUDGE_MODEL,
        band: env.SEMANTIC_JUDGE_BAND,
        timeoutMs: env.SEMANTIC_JUDGE_TIMEOUT_MS,
        cacheSize: env.SEMANTIC_JUDGE_CACHE_SIZE,
      },
      speculativeStreams: env.SEMANTIC_SPECULATIVE_STREAMS,
    };
    this.embedding = {
      provider: env.EMBEDDING_PROVIDER,
      model: env.EMBEDDING_MODEL,
      allowRemote: env.EMBEDDING_ALLOW_REMOTE,
      cacheSize: env.EMBEDDING_CACHE_SIZE,
      batchSize: env.EMBEDDING_BATCH_SIZE,
      batchWaitMs: env.EMBEDDING_BATCH_WAIT_MS,
      workers: env.EMBEDDING_WORKERS,
    };
    this.auth = {
      apiKeys: env.API_KEYS,
      adminKey: env.ADMIN_API_KEY,
      metricsKey: env.METRICS_API_KEY,
    };
    this.rateLimit = { rpm: env.RATE_LIMIT_RPM, overrides: env.RATE_LIMIT_OVERRIDES };
    this.corsOrigins = env.CORS_ORIGINS?.split(',').map((origin) => origin.trim());
    this.logging = { level: env.LOG_LEVEL, logPrompts: env.LOG_PROMPTS };
  }

  static fromEnvironment(env: Record<string, string | undefined>): AppConfig {
    return new AppConfig(parseEnvironment(env));
  }
}

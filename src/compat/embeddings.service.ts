import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deriveEntryKey, EntryKey } from '../../libs/cache-key';
import { callerOf, CallerAwareRequest } from '../auth/caller';
import { CachedAnswer } from '../cache/exact-cache.port';
import { ApiError } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { LlmService } from '../llm/llm.service';
import { CacheControls, cacheControlHeaders, readCacheControls } from '../query/cache-controls';
import { QueryService } from '../query/query.service';
import { requireModel, requireObject } from './request-shape';

const FORMAT = 'openai-embeddings';
/** Fields that say how the answer is delivered or who asked: not part of an item's key. */
const DELIVERY_FIELDS = ['input', 'encoding_format', 'user'];

interface UpstreamEmbeddings {
  data: { index: number; embedding: number[] }[];
  model?: string;
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

/**
 * `POST /v1/embeddings` with the exact cache per input item: a batch whose inputs are partly
 * cached sends only the new ones to OpenAI and answers in the caller's order, with the caller's
 * indices. Entries hold float vectors, and the answer is encoded as asked (`float`, or `base64`,
 * which the SDK asks for by default). Embeddings are not matched semantically: a vector is only
 * right for its own text.
 */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly queries: QueryService,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
  ) {}

  async serve(body: unknown, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const parsed = requireObject(body);
    const model = requireModel(parsed);
    const encoding = encodingOf(parsed);
    const inputs = textsOf(parsed.input);
    const controls = this.controls(request);
    if (inputs === undefined) {
      // Token arrays: passed through as they stand, uncached.
      const response = await this.llm.send('openai', { api: 'embeddings', body: parsed });
      reply.header('x-cache', 'BYPASS');
      await reply.status(200).send(await response.json());
      return;
    }
    const tenant = callerOf(request as CallerAwareRequest).tenant;
    const scope = Object.fromEntries(
      Object.entries(parsed).filter(([field]) => !DELIVERY_FIELDS.includes(field)),
    );
    const unique = [...new Set(inputs)];
    const keys = new Map(unique.map((text) => [text, itemKey(tenant, controls, scope, text)]));
    const vectors = new Map<string, number[]>();
    await Promise.all(
      unique.map(async (text) => {
        const found = await this.queries.lookup(keys.get(text)!, undefined, controls);
        const stored = found.hit?.answer.wire;
        if (stored?.format === FORMAT)
          vectors.set(text, (stored.body as { embedding: number[] }).embedding);
      }),
    );
    const missing = unique.filter((text) => !vectors.has(text));
    const upstream = missing.length > 0 ? await this.fetch(parsed, missing) : undefined;
    if (upstream) {
      const perItem = Math.round((upstream.usage?.prompt_tokens ?? 0) / missing.length);
      for (const [i, text] of missing.entries()) {
        const embedding = upstream.data.find((item) => item.index === i)?.embedding;
        if (!embedding)
          throw new ApiError(502, 'upstream_error', 'openai answered fewer embeddings than asked');
        vectors.set(text, embedding);
        if (controls.store) {
          await this.queries.remember(
            keys.get(text)!,
            this.entry(upstream.model ?? model, embedding, perItem),
            controls.ttlSeconds,
            undefined,
            undefined,
          );
        }
      }
    }
    const cached = inputs.filter((text) => !missing.includes(text)).length;
    reply.header('x-cache', controls.lookup ? (missing.length === 0 ? 'HIT' : 'MISS') : 'BYPASS');
    reply.header('x-cache-hits', String(cached));
    await reply.status(200).send({
      object: 'list',
      data: inputs.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: encode(vectors.get(text)!, encoding),
      })),
      model: upstream?.model ?? model,
      // What this call cost upstream: the inputs that were sent.
      usage: {
        prompt_tokens: upstream?.usage?.prompt_tokens ?? 0,
        total_tokens: upstream?.usage?.total_tokens ?? 0,
      },
    });
  }

  private controls(request: FastifyRequest): CacheControls {
    // No threshold: embeddings are never matched semantically, so the header is not read.
    return readCacheControls(
      { ...cacheControlHeaders(request.headers), thresholdHeader: undefined },
      this.config.cache.ttlSeconds,
    );
  }

  /** Floats from upstream whatever the caller asked, so that entries serve either encoding. */
  private async fetch(
    body: Record<string, unknown>,
    inputs: string[],
  ): Promise<UpstreamEmbeddings> {
    const response = await this.llm.send('openai', {
      api: 'embeddings',
      body: { ...body, input: inputs, encoding_format: 'float' },
    });
    return (await response.json()) as UpstreamEmbeddings;
  }

  private entry(model: string, embedding: number[], tokens: number): CachedAnswer {
    const usage = { promptTokens: tokens, completionTokens: 0, totalTokens: tokens };
    return {
      content: '',
      provider: 'openai',
      model,
      finishReason: null,
      usage,
      costUsd: this.llm.priceOf('openai', model, usage),
      createdAt: Date.now(),
      wire: { format: FORMAT, body: { embedding }, empty: false },
    };
  }
}

function itemKey(
  tenant: string,
  controls: CacheControls,
  scope: Record<string, unknown>,
  text: string,
): EntryKey {
  // The text goes in the scope as it stands: unlike a question's, an embedding changes with
  // every space, so the prompt normalisation of the key must not apply.
  return deriveEntryKey(
    {
      tenant,
      namespace: controls.namespace,
      provider: 'openai',
      model: String(scope.model),
      system: undefined,
      history: [],
      params: { wire: FORMAT, body: scope, input: text },
    },
    '',
  );
}

/** The inputs as texts; undefined for token arrays, which are not cached. */
function textsOf(input: unknown): string[] | undefined {
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0) {
    throw new ApiError(400, 'invalid_request', '`input` must be a string or a non-empty array');
  }
  if (texts.every((text) => typeof text === 'string')) {
    if (texts.some((text) => text === '')) {
      throw new ApiError(400, 'invalid_request', '`input` must not hold empty strings');
    }
    return texts as string[];
  }
  if (texts.every((item) => typeof item === 'number' || Array.isArray(item))) return undefined;
  throw new ApiError(400, 'invalid_request', '`input` must be strings or token arrays');
}

function encodingOf(body: Record<string, unknown>): 'float' | 'base64' {
  const { encoding_format: format } = body;
  if (format === undefined || format === 'float' || format === 'base64') return format ?? 'float';
  throw new ApiError(400, 'invalid_request', '`encoding_format` must be float or base64');
}

/** base64 is the vector's little-endian float32 bytes, which the SDK decodes. */
function encode(vector: number[], encoding: 'float' | 'base64'): number[] | string {
  return encoding === 'float'
    ? vector
    : Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { AppConfig } from '../config/app-config';
import { callerOf, CallerAwareRequest } from '../auth/caller';
import { LlmService } from '../llm/llm.service';
import { annotateRequestLog } from '../logging/request-log';
import { cacheControlHeaders, readCacheControls } from './cache-controls';
import { setCacheHeaders } from './cache-headers';
import { QueryRequestDto } from './dto/query-request.dto';
import { QueryResponseDto } from './dto/query-response.dto';
import { QueryService } from './query.service';

@ApiTags('query')
@Controller('api/v1')
export class QueryController {
  constructor(
    private readonly queries: QueryService,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
  ) {}

  @Post('query')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ask a question through the cache',
    description:
      'Answers from the exact cache when the same question was asked in the same scope (tenant, namespace, provider, model, system prompt, parameters); otherwise from the semantic cache when a stored question of the same scope means the same (x-cache: SEMANTIC, after look-alikes such as other numbers, names, negations or directions are rejected); otherwise calls the provider once (identical concurrent requests share the call) and stores the answer in both layers.',
  })
  @ApiHeader({
    name: 'cache-control',
    required: false,
    description:
      '`no-cache`: skip the lookup and refresh the entry; `no-store`: do not store the answer',
  })
  @ApiHeader({
    name: 'x-cache-ttl',
    required: false,
    description: 'Lifetime of the stored answer, 1–31536000 seconds',
  })
  @ApiHeader({
    name: 'x-cache-namespace',
    required: false,
    description: 'Cache space within the tenant ([A-Za-z0-9._-]{1,64})',
  })
  @ApiHeader({
    name: 'x-cache-threshold',
    required: false,
    description:
      'Confidence 0–1 a semantic hit needs for this request (default SEMANTIC_THRESHOLD; the body’s semantic_threshold wins)',
  })
  @ApiHeader({
    name: 'x-request-id',
    required: false,
    description: 'Echoed when 1–128 of [A-Za-z0-9._:-], otherwise replaced by a UUID',
  })
  @ApiOkResponse({
    type: QueryResponseDto,
    description: 'The answer',
    headers: {
      'x-cache': {
        description:
          'HIT (exact cache), SEMANTIC (semantic cache), MISS (provider called), BYPASS (lookup skipped)',
        schema: { type: 'string', enum: ['HIT', 'SEMANTIC', 'MISS', 'BYPASS'] },
      },
      'x-cache-similarity': {
        description: 'On SEMANTIC: cosine similarity of the question to the stored one',
        schema: { type: 'number' },
      },
      'x-cache-judge': {
        description:
          'When SEMANTIC_JUDGE_MODEL is set and a candidate scored inside SEMANTIC_JUDGE_BAND: the judge verdict (yes = served, no, error, timeout = not served), with ";cached" when the per-pair verdict cache answered',
        schema: { type: 'string', example: 'yes;cached' },
      },
      'x-request-id': { description: 'The request id', schema: { type: 'string' } },
      'server-timing': {
        description: 'app;dur=<ms>: the time from the request’s arrival until the answer was ready',
        schema: { type: 'string', example: 'app;dur=0.42' },
      },
      'x-ratelimit-limit': {
        description: 'Requests per minute allowed for the key (when RATE_LIMIT_RPM is set)',
        schema: { type: 'integer' },
      },
      'x-ratelimit-remaining': {
        description: 'Requests left in the current minute',
        schema: { type: 'integer' },
      },
      'x-ratelimit-reset': {
        description: 'Seconds until a request slot frees up',
        schema: { type: 'integer' },
      },
    },
  })
  @ApiErrors(400, 401, 413, 415, 429, 502, 503, 504)
  async query(
    @Body() body: QueryRequestDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<QueryResponseDto> {
    const controls = readCacheControls(
      {
        ...cacheControlHeaders(request.headers),
        useCache: body.use_cache,
        ttlSeconds: body.cache_ttl,
        namespace: body.namespace,
        threshold: body.semantic_threshold,
      },
      this.config.cache.ttlSeconds,
    );
    const route = this.llm.route(body.provider, body.model);
    const outcome = await this.queries.answer(
      callerOf(request as CallerAwareRequest).tenant,
      {
        ...route,
        system: body.system,
        messages: [{ role: 'user', content: body.query }],
        params: { temperature: body.temperature, max_tokens: body.max_tokens },
      },
      controls,
      request.id,
    );
    const { answer } = outcome;
    setCacheHeaders(reply, outcome.cacheStatus, outcome.similarity, outcome.judge);
    annotateRequestLog(request.raw, {
      cache: outcome.cacheStatus,
      provider: answer.provider,
      model: answer.model,
      tokens: answer.usage.totalTokens,
      prompt: body.query,
      answer: answer.content,
    });
    return {
      response: answer.content,
      provider: answer.provider,
      model: answer.model,
      cached: outcome.cacheType !== null,
      cache_type: outcome.cacheType,
      similarity: roundScore(outcome.similarity),
      match_score: roundScore(outcome.matchScore),
      usage: {
        prompt_tokens: answer.usage.promptTokens,
        completion_tokens: answer.usage.completionTokens,
        total_tokens: answer.usage.totalTokens,
      },
      cost_usd: outcome.costUsd,
      latency_ms: Math.round(reply.elapsedTime * 100) / 100,
      request_id: request.id,
    };
  }
}

function roundScore(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 10_000) / 10_000;
}

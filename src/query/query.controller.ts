import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { callerOf, CallerAwareRequest } from '../auth/caller';
import { LlmService } from '../llm/llm.service';
import { annotateRequestLog } from '../logging/request-log';
import { readCacheControls } from './cache-controls';
import { QueryRequestDto } from './dto/query-request.dto';
import { QueryResponseDto } from './dto/query-response.dto';
import { QueryService } from './query.service';

@Controller('api/v1')
export class QueryController {
  constructor(
    private readonly queries: QueryService,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
  ) {}

  @Post('query')
  @HttpCode(200)
  async query(
    @Body() body: QueryRequestDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<QueryResponseDto> {
    const headers = request.headers as Record<string, string | undefined>;
    const controls = readCacheControls(
      {
        cacheControl: headers['cache-control'],
        ttlHeader: headers['x-cache-ttl'],
        namespaceHeader: headers['x-cache-namespace'],
        useCache: body.use_cache,
        ttlSeconds: body.cache_ttl,
        namespace: body.namespace,
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
    );
    const { answer } = outcome;
    reply.header('x-cache', outcome.cacheStatus);
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

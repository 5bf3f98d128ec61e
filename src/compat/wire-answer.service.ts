import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deriveEntryKey, EntryKey } from '../../libs/cache-key';
import { IncompleteStreamError, SseParser, UntranslatableError } from '../../libs/wire';
import { callerOf, CallerAwareRequest } from '../auth/caller';
import { CachedAnswer } from '../cache/exact-cache.port';
import { ApiError } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { LlmService } from '../llm/llm.service';
import { Route } from '../llm/model-router';
import { annotateRequestLog } from '../logging/request-log';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { CacheControls, cacheControlHeaders, readCacheControls } from '../query/cache-controls';
import { setCacheHeaders } from '../query/cache-headers';
import { CacheLookup, CacheStatus, QueryOutcome, QueryService } from '../query/query.service';
import { SharedStream, StreamCoalescer } from './shared-stream';
import { UpstreamPlan, WireFormat } from './wire-format.port';

/** What one drop-in request is, once read: everything the pipeline needs to answer it. */
interface WireRequest<Request extends object, Answer extends object> {
  format: WireFormat<Request, Answer>;
  request: Request;
  plan: UpstreamPlan<Answer>;
  key: EntryKey;
  prompt: string | undefined;
  controls: CacheControls;
}

/**
 * The drop-in routes' pipeline: the same exact and semantic lookups and writes as
 * `/api/v1/query` (QueryService), with the answer kept and given back in the API format it was
 * asked in. A streamed miss is passed to the caller as it arrives, shared with identical streamed
 * requests that come while it runs, and stored only when it ended normally; a streamed hit is
 * replayed in the caller's format.
 */
@Injectable()
export class WireAnswerService {
  private readonly logger = new Logger(WireAnswerService.name);
  private readonly streams = new StreamCoalescer();

  constructor(
    private readonly queries: QueryService,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
    private readonly metrics: GatewayMetrics,
  ) {}

  async serve<Request extends object, Answer extends object>(
    format: WireFormat<Request, Answer>,
    body: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const wire = this.read(format, body, request);
    if (format.requestIdHeader) reply.header(format.requestIdHeader, request.id);
    if (!format.streaming(wire.request)) {
      const outcome = await this.queries.answerWith(
        wire.key.tenant,
        wire.key,
        wire.prompt,
        wire.controls,
        () => this.callForJson(wire),
        request.id,
      );
      this.annotate(request, outcome.cacheStatus, outcome.answer, wire.prompt);
      setCacheHeaders(reply, outcome.cacheStatus, outcome.similarity, outcome.judge);
      await reply.status(200).send(outcome.answer.wire?.body);
      return;
    }
    const coalescing = `${wire.key.tenant}/${wire.key.namespace}/${wire.key.hash}`;
    let resolveLookup!: (found: CacheLookup) => void;
    const lookupDone = new Promise<CacheLookup>((resolve) => (resolveLookup = resolve));
    let early: { stream: Promise<SharedStream>; cancel: AbortController } | undefined;
    // With speculative streams, the provider call starts as soon as the exact cache missed, so
    // the semantic lookup is not on the first byte's path; a semantic hit cancels it.
    const startEarly =
      this.config.semantic.speculativeStreams && !wire.controls.bypass
        ? () => {
            const cancel = new AbortController();
            const { stream } = this.streams.join(coalescing, () =>
              this.openStream(wire, lookupDone, cancel.signal),
            );
            // Cancelled or refused: each reader that awaits it reports that itself.
            stream.catch(() => undefined);
            early = { stream, cancel };
          }
        : undefined;
    const found: CacheLookup = wire.controls.bypass
      ? {}
      : await this.queries.lookup(wire.key, wire.prompt, wire.controls, request.id, startEarly);
    resolveLookup(found);
    const replayed = found.hit && this.replay(wire, found.hit);
    if (found.hit && replayed) {
      if (early) {
        // Left to the identical streamed requests reading it, if there are any.
        const cancelled = this.streams.leave(coalescing, early.stream);
        if (cancelled) early.cancel.abort();
        this.metrics.speculativeStream(cancelled ? 'cancelled' : 'used');
      }
      this.annotate(request, found.hit.cacheStatus, found.hit.answer, wire.prompt);
      setCacheHeaders(reply, found.hit.cacheStatus, found.hit.similarity, found.hit.judge);
      this.writeStream(reply, replayed);
      return;
    }
    if (early) this.metrics.speculativeStream('used');
    const status: CacheStatus = wire.controls.lookup ? 'MISS' : 'BYPASS';
    // Answers that are not cached (n > 1, stateful) are each their own, never shared.
    const stream =
      early?.stream ??
      (wire.controls.bypass
        ? this.openStream(wire, lookupDone)
        : this.streams.join(coalescing, () => this.openStream(wire, lookupDone)).stream);
    // A refusal before the stream starts (the provider's 4xx, an open circuit) is a plain error.
    const shared = await stream;
    setCacheHeaders(reply, status, undefined, found.judge);
    this.annotate(request, status, undefined, wire.prompt);
    await this.pipe(reply, shared, wire.format, wire.format.frameFilter(wire.request));
  }

  /** A hit as this request's stream; undefined when the stored answer cannot be streamed. */
  private replay<Request extends object, Answer extends object>(
    wire: WireRequest<Request, Answer>,
    hit: QueryOutcome,
  ): string[] | undefined {
    const stored = hit.answer.wire;
    if (stored?.format !== wire.format.name) return undefined;
    try {
      return wire.format.replay(stored.body as Answer, wire.request);
    } catch (error) {
      // A stored answer the replay cannot express (a custom tool call): fetched afresh instead.
      this.logger.warn(
        `a stored ${stored.format} answer cannot be replayed: ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  private read<Request extends object, Answer extends object>(
    format: WireFormat<Request, Answer>,
    body: unknown,
    request: FastifyRequest,
  ): WireRequest<Request, Answer> {
    const parsed = format.parse(body);
    const route = this.llm.route(undefined, format.model(parsed));
    let controls = readCacheControls(
      cacheControlHeaders(request.headers),
      this.config.cache.ttlSeconds,
    );
    const shape = format.shape(parsed);
    if (shape.bypass !== undefined) {
      controls = { ...controls, bypass: true, lookup: false, store: false };
    }
    const tenant = callerOf(request as CallerAwareRequest).tenant;
    const key = deriveEntryKey(
      {
        tenant,
        namespace: controls.namespace,
        provider: route.provider,
        model: route.model,
        system: undefined,
        history: [],
        params: {
          wire: format.name,
          // With a text-only last user turn, that text is the prompt and the rest the scope,
          // so a rewording of it can meet this entry; otherwise the whole body is the scope.
          body: shape.lastUserText === undefined ? shape.keyBody : format.scope(shape.keyBody),
          headers: format.keyHeaders(request.headers),
        },
      },
      shape.lastUserText ?? '',
    );
    return {
      format,
      request: parsed,
      plan: planFor(format, route, parsed, request),
      key,
      prompt: shape.lastUserText,
      controls,
    };
  }

  private async callForJson<Request extends object, Answer extends object>(
    wire: WireRequest<Request, Answer>,
  ): Promise<CachedAnswer> {
    const response = await this.llm.send(wire.plan.provider, wire.plan.call);
    let answer: Answer;
    try {
      answer = wire.plan.fromJson(await response.json());
    } catch (error) {
      // Not JSON, or an answer the translation cannot carry back: the provider's fault, not ours.
      throw new ApiError(
        502,
        'upstream_error',
        `${wire.plan.provider} answered what the gateway cannot read: ${(error as Error).message}`,
      );
    }
    return this.cached(wire, answer);
  }

  private cached<Request extends object, Answer extends object>(
    wire: WireRequest<Request, Answer>,
    answer: Answer,
  ): CachedAnswer {
    const summary = wire.format.summary(answer);
    return {
      content: summary.text,
      provider: wire.plan.provider,
      model: summary.model,
      finishReason: summary.finishReason,
      usage: summary.usage,
      costUsd: this.llm.priceOf(wire.plan.provider, summary.model, summary.usage),
      createdAt: Date.now(),
      wire: { format: wire.format.name, body: answer, empty: summary.empty },
    };
  }

  /**
   * Opens the provider's stream and starts reading it into a SharedStream, which every caller
   * of this key reads from. The stream is stored once, when it ended normally.
   */
  private async openStream<Request extends object, Answer extends object>(
    wire: WireRequest<Request, Answer>,
    lookup: Promise<CacheLookup>,
    cancel?: AbortSignal,
  ): Promise<SharedStream> {
    const response = await this.llm.send(wire.plan.provider, { ...wire.plan.call, signal: cancel });
    const shared = new SharedStream();
    void this.pump(wire, response, shared, lookup, cancel);
    return shared;
  }

  private async pump<Request extends object, Answer extends object>(
    wire: WireRequest<Request, Answer>,
    response: Response,
    shared: SharedStream,
    lookup: Promise<CacheLookup>,
    cancel?: AbortSignal,
  ): Promise<void> {
    const parser = new SseParser();
    const translation = wire.plan.stream();
    let answer: Answer;
    try {
      if (!response.body) throw new IncompleteStreamError('the provider sent no body');
      for await (const bytes of response.body) {
        for (const record of parser.push(bytes)) shared.push(translation.push(record));
      }
      answer = translation.result();
    } catch (error) {
      if (cancel?.aborted) {
        // A speculative start that the semantic cache answered: nobody reads it any more.
        shared.fail(new ApiError(499, 'cancelled', 'answered from the semantic cache'));
        return;
      }
      const reason =
        error instanceof IncompleteStreamError ? error.message : (error as Error).message;
      this.logger.warn(`${wire.plan.provider} stream broke off: ${reason}`);
      shared.fail(
        new ApiError(502, 'upstream_stream_broken', `${wire.plan.provider} stream broke off`),
      );
      return;
    }
    shared.end();
    if (!wire.controls.store) return;
    const found = await lookup;
    await this.queries.remember(
      wire.key,
      this.cached(wire, answer),
      wire.controls.ttlSeconds,
      wire.prompt,
      found.vector,
    );
  }

  /** Writes the frames as they come; a broken stream ends with the format's error frame. */
  private async pipe<Request extends object, Answer extends object>(
    reply: FastifyReply,
    shared: SharedStream,
    format: WireFormat<Request, Answer>,
    keep: (frame: string) => boolean,
  ): Promise<void> {
    const raw = this.startStream(reply);
    try {
      for await (const frame of shared.read()) {
        if (raw.destroyed) return;
        if (keep(frame)) raw.write(frame);
      }
    } catch (error) {
      const failure = error as ApiError;
      if (!raw.destroyed)
        raw.write(format.errorFrame(failure.getStatus?.() ?? 502, failure.message));
    }
    raw.end();
  }

  private writeStream(reply: FastifyReply, frames: readonly string[]): void {
    const raw = this.startStream(reply);
    for (const frame of frames) raw.write(frame);
    raw.end();
  }

  /**
   * Takes the response over from Fastify, headers included: the hooks' headers (request id, rate
   * limits) are already on the reply, and each frame must leave as soon as it is written.
   */
  private startStream(reply: FastifyReply) {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    raw.flushHeaders();
    return raw;
  }

  private annotate(
    request: FastifyRequest,
    cache: CacheStatus,
    answer: CachedAnswer | undefined,
    prompt: string | undefined,
  ): void {
    annotateRequestLog(request.raw, {
      cache,
      provider: answer?.provider,
      model: answer?.model,
      tokens: answer?.usage.totalTokens,
      prompt,
      answer: answer?.content,
    });
  }
}

/** A request the other provider's API cannot express is the caller's to change: a 400. */
function planFor<Request extends object, Answer extends object>(
  format: WireFormat<Request, Answer>,
  route: Route,
  request: Request,
  http: FastifyRequest,
): UpstreamPlan<Answer> {
  try {
    return format.plan(route, request, http.headers);
  } catch (error) {
    if (error instanceof UntranslatableError) {
      throw new ApiError(
        400,
        'untranslatable',
        `${route.model} is served by ${route.provider}: ${error.message}`,
      );
    }
    throw error;
  }
}

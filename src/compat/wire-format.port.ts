import type { IncomingHttpHeaders } from 'node:http';
import type { CacheShape, SseRecord } from '../../libs/wire';
import type { TokenUsage } from '../cache/exact-cache.port';
import type { ProviderName } from '../config/app-config';
import type { Route } from '../llm/model-router';
import type { WireCall } from '../llm/wire-call';

/** A streamed answer on its way: what the client is sent for each upstream event, and the whole. */
export interface StreamTranslation<Answer> {
  /** The client's frames for one upstream event (its own text when no translation is needed). */
  push(record: SseRecord): string[];
  /** The assembled answer; throws `IncompleteStreamError` when the stream did not end normally. */
  result(): Answer;
}

/** How the provider that routes a request's model is asked, and how its answer comes back. */
export interface UpstreamPlan<Answer> {
  provider: ProviderName;
  call: WireCall;
  /** The provider's JSON answer in the caller's format. */
  fromJson(json: unknown): Answer;
  /** A fresh translation for one stream. */
  stream(): StreamTranslation<Answer>;
}

/** What the gateway keeps of an answer besides its body: for the admin API, metrics and cost. */
export interface AnswerSummary {
  text: string;
  model: string;
  finishReason: string | null;
  usage: TokenUsage;
  /** Neither text nor a tool call. */
  empty: boolean;
}

/**
 * One API format the drop-in routes speak (OpenAI Chat Completions, Anthropic Messages): reading
 * a request, the cache's view of it, the upstream call, and replaying a stored answer as a
 * stream. One file per format; the translations themselves live in libs/wire.
 */
export interface WireFormat<Request extends object, Answer extends object> {
  readonly name: string;
  /** The body as this API's request; throws a 400 `ApiError` naming the field at fault. */
  parse(body: unknown): Request;
  model(request: Request): string;
  streaming(request: Request): boolean;
  shape(request: Request): CacheShape;
  /** The key body without its last user turn: what entries that may answer each other share. */
  scope(keyBody: Record<string, unknown>): Record<string, unknown>;
  plan(route: Route, request: Request, headers: IncomingHttpHeaders): UpstreamPlan<Answer>;
  /**
   * Which frames of a shared stream this request gets: readers of one upstream stream asked
   * differently (a usage chunk or not), so each reader picks its own.
   */
  frameFilter(request: Request): (frame: string) => boolean;
  /** Caller headers that change the answer (API version, betas): part of the key. */
  keyHeaders(headers: IncomingHttpHeaders): Record<string, string>;
  /** The header this API's SDK reads the request id from, besides `x-request-id`. */
  readonly requestIdHeader?: string;
  /** A stored answer as this API's stream, terminator included. */
  replay(answer: Answer, request: Request): string[];
  /** The frame that ends a broken stream with this API's error, which the SDK raises. */
  errorFrame(status: number, message: string): string;
  summary(answer: Answer): AnswerSummary;
}

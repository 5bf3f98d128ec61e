import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses';
import {
  OpenAIResponse,
  OpenAIResponseAssembler,
  openAIResponsesCacheShape,
  openAIResponseToSse,
  openAIStreamErrorFrame,
} from '../../libs/wire';
import { ApiError } from '../common/errors/api-error';
import { Route } from '../llm/model-router';
import { PassThroughStream } from './pass-through.stream';
import { optionalBoolean, requireModel, requireObject } from './request-shape';
import { AnswerSummary, UpstreamPlan, WireFormat } from './wire-format.port';

/**
 * `POST /v1/responses`, the OpenAI Responses API, answered by OpenAI. Claude models are refused:
 * no translation of the Responses items is written yet (the chat formats translate both ways).
 */
export class OpenAIResponsesFormat implements WireFormat<ResponseCreateParamsBase, OpenAIResponse> {
  readonly name = 'openai-responses';

  parse(body: unknown): ResponseCreateParamsBase {
    const request = requireObject(body);
    requireModel(request);
    optionalBoolean(request, 'stream');
    const { input } = request;
    if (typeof input !== 'string' && !Array.isArray(input)) {
      throw new ApiError(400, 'invalid_request', '`input` must be a string or an array of items');
    }
    return request as unknown as ResponseCreateParamsBase;
  }

  model(request: ResponseCreateParamsBase): string {
    return request.model as string;
  }

  streaming(request: ResponseCreateParamsBase): boolean {
    return request.stream === true;
  }

  shape(request: ResponseCreateParamsBase) {
    return openAIResponsesCacheShape(request);
  }

  scope(keyBody: Record<string, unknown>): Record<string, unknown> {
    const { input } = keyBody;
    return {
      ...keyBody,
      input: typeof input === 'string' ? null : (input as unknown[]).slice(0, -1),
    };
  }

  frameFilter(): (frame: string) => boolean {
    return () => true;
  }

  keyHeaders(): Record<string, string> {
    return {};
  }

  plan(route: Route, request: ResponseCreateParamsBase): UpstreamPlan<OpenAIResponse> {
    if (route.provider !== 'openai') {
      throw new ApiError(
        400,
        'unsupported_model',
        `The Responses API is served by OpenAI models here; ${route.model} is ${route.provider}'s: use /v1/chat/completions or /v1/messages`,
      );
    }
    return {
      provider: 'openai',
      call: { api: 'responses', body: request as unknown as Record<string, unknown> },
      fromJson: (json) => json as OpenAIResponse,
      stream: () => new PassThroughStream(new OpenAIResponseAssembler()),
    };
  }

  replay(answer: OpenAIResponse): string[] {
    return openAIResponseToSse(answer);
  }

  errorFrame(status: number, message: string): string {
    return openAIStreamErrorFrame(status, message);
  }

  summary(answer: OpenAIResponse): AnswerSummary {
    const text = answer.output
      .flatMap((item) => (item.type === 'message' ? item.content : []))
      .map((part) => (part.type === 'output_text' ? part.text : ''))
      .join('');
    const promptTokens = answer.usage?.input_tokens ?? 0;
    const completionTokens = answer.usage?.output_tokens ?? 0;
    return {
      text,
      empty: text === '' && !answer.output.some((item) => item.type === 'function_call'),
      model: answer.model,
      finishReason: answer.status ?? null,
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    };
  }
}

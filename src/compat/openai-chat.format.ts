import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import {
  AnthropicMessage,
  AnthropicStreamEvent,
  AnthropicToOpenAIChatStream,
  anthropicMessageToOpenAIChat,
  ChatCompletionAssembler,
  chatCompletionToSse,
  encodeSseEvent,
  openAIChatCacheShape,
  openAIChatRequestToAnthropic,
  openAIStreamErrorFrame,
  SSE_DONE,
  SseRecord,
} from '../../libs/wire';
import { Route } from '../llm/model-router';
import { PassThroughStream } from './pass-through.stream';
import { requireMessages, requireModel, requireObject, optionalBoolean } from './request-shape';
import { AnswerSummary, StreamTranslation, UpstreamPlan, WireFormat } from './wire-format.port';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];

/** `POST /v1/chat/completions`, answered by OpenAI as it stands or by Anthropic, translated. */
export class OpenAIChatFormat implements WireFormat<
  ChatCompletionCreateParamsBase,
  ChatCompletion
> {
  readonly name = 'openai-chat';

  parse(body: unknown): ChatCompletionCreateParamsBase {
    const request = requireObject(body);
    requireModel(request);
    requireMessages(request, ROLES);
    optionalBoolean(request, 'stream');
    return request as unknown as ChatCompletionCreateParamsBase;
  }

  model(request: ChatCompletionCreateParamsBase): string {
    return request.model;
  }

  streaming(request: ChatCompletionCreateParamsBase): boolean {
    return request.stream === true;
  }

  shape(request: ChatCompletionCreateParamsBase) {
    return openAIChatCacheShape(request);
  }

  scope(keyBody: Record<string, unknown>): Record<string, unknown> {
    return { ...keyBody, messages: (keyBody.messages as unknown[]).slice(0, -1) };
  }

  frameFilter(request: ChatCompletionCreateParamsBase): (frame: string) => boolean {
    if (request.stream_options?.include_usage === true) return () => true;
    return (frame) => !isUsageChunk(frame);
  }

  keyHeaders(): Record<string, string> {
    return {};
  }

  plan(route: Route, request: ChatCompletionCreateParamsBase): UpstreamPlan<ChatCompletion> {
    if (route.provider === 'anthropic') {
      return {
        provider: 'anthropic',
        call: {
          api: 'messages',
          body: {
            ...openAIChatRequestToAnthropic({ ...request, model: route.model }),
            ...(request.stream === true && { stream: true }),
          },
        },
        fromJson: (json) => anthropicMessageToOpenAIChat(json as AnthropicMessage),
        stream: () => new FromAnthropicStream(),
      };
    }
    // Usage is always asked for upstream, so a stored stream has its token counts (and cost);
    // callers that did not ask for the usage chunk do not get it (frameFilter).
    const body =
      request.stream === true
        ? { ...request, stream_options: { ...request.stream_options, include_usage: true } }
        : request;
    return {
      provider: 'openai',
      call: { api: 'chat.completions', body: body as unknown as Record<string, unknown> },
      fromJson: (json) => json as ChatCompletion,
      stream: () => new PassThroughStream(new ChatCompletionAssembler()),
    };
  }

  replay(answer: ChatCompletion, request: ChatCompletionCreateParamsBase): string[] {
    return chatCompletionToSse(answer, {
      includeUsage: request.stream_options?.include_usage === true,
    });
  }

  errorFrame(status: number, message: string): string {
    return openAIStreamErrorFrame(status, message);
  }

  summary(answer: ChatCompletion): AnswerSummary {
    const choice = answer.choices[0];
    const text = choice?.message?.content ?? '';
    return {
      text,
      empty: text === '' && !choice?.message?.tool_calls?.length,
      model: answer.model,
      finishReason: choice?.finish_reason ?? null,
      usage: {
        promptTokens: answer.usage?.prompt_tokens ?? 0,
        completionTokens: answer.usage?.completion_tokens ?? 0,
        totalTokens: answer.usage?.total_tokens ?? 0,
      },
    };
  }
}

/** A usage-only chunk (`choices: []`), which only callers that asked for it get. */
function isUsageChunk(frame: string): boolean {
  if (!frame.includes('"usage"') || frame === SSE_DONE) return false;
  const chunk = JSON.parse(frame.slice('data: '.length)) as ChatCompletionChunk;
  return chunk.choices?.length === 0 && Boolean(chunk.usage);
}

/** Anthropic's events as OpenAI chunks, assembled from the chunks the caller is sent. */
class FromAnthropicStream implements StreamTranslation<ChatCompletion> {
  // The usage chunk is always made, for the stored answer; the caller gets it only if asked.
  private readonly translator = new AnthropicToOpenAIChatStream({ includeUsage: true });
  private readonly assembler = new ChatCompletionAssembler();

  push(record: SseRecord): string[] {
    const event = JSON.parse(record.data) as AnthropicStreamEvent;
    const frames: string[] = [];
    for (const chunk of this.translator.push(event)) {
      this.assembler.push(chunk);
      frames.push(encodeSseEvent(chunk));
    }
    if (event.type === 'message_stop') frames.push(SSE_DONE);
    return frames;
  }

  result(): ChatCompletion {
    return this.assembler.result();
  }
}

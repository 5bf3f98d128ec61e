import type { IncomingHttpHeaders } from 'node:http';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import {
  AnthropicMessage,
  AnthropicMessageAssembler,
  AnthropicMessagesRequest,
  anthropicCacheShape,
  anthropicMessageToSse,
  anthropicRequestToOpenAIChat,
  anthropicStreamErrorFrame,
  encodeSseEvent,
  OpenAIChatToAnthropicStream,
  openAIChatToAnthropicMessage,
  SseRecord,
} from '../../libs/wire';
import { ApiError } from '../common/errors/api-error';
import { Route } from '../llm/model-router';
import { PassThroughStream } from './pass-through.stream';
import { optionalBoolean, requireMessages, requireModel, requireObject } from './request-shape';
import { AnswerSummary, StreamTranslation, UpstreamPlan, WireFormat } from './wire-format.port';

/** The headers of the Messages API that say which version and betas the caller speaks. */
const PASSED_HEADERS = ['anthropic-version', 'anthropic-beta'];

/** `POST /v1/messages`, answered by Anthropic as it stands or by OpenAI, translated. */
export class AnthropicMessagesFormat implements WireFormat<
  AnthropicMessagesRequest,
  AnthropicMessage
> {
  readonly name = 'anthropic-messages';
  readonly requestIdHeader = 'request-id';

  parse(body: unknown): AnthropicMessagesRequest {
    const request = requireObject(body);
    requireModel(request);
    requireMessages(request, ['user', 'assistant']);
    optionalBoolean(request, 'stream');
    const maxTokens = request.max_tokens;
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
      throw new ApiError(400, 'invalid_request', '`max_tokens` is required: a whole number ≥ 1');
    }
    return request as unknown as AnthropicMessagesRequest;
  }

  model(request: AnthropicMessagesRequest): string {
    return request.model;
  }

  streaming(request: AnthropicMessagesRequest): boolean {
    return request.stream === true;
  }

  shape(request: AnthropicMessagesRequest) {
    return anthropicCacheShape(request);
  }

  scope(keyBody: Record<string, unknown>): Record<string, unknown> {
    return { ...keyBody, messages: (keyBody.messages as unknown[]).slice(0, -1) };
  }

  frameFilter(): (frame: string) => boolean {
    return () => true;
  }

  keyHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    return passedHeaders(headers) ?? {};
  }

  plan(
    route: Route,
    request: AnthropicMessagesRequest,
    headers: IncomingHttpHeaders,
  ): UpstreamPlan<AnthropicMessage> {
    if (route.provider === 'openai') {
      const body = anthropicRequestToOpenAIChat({ ...request, model: route.model });
      return {
        provider: 'openai',
        call: {
          api: 'chat.completions',
          body: {
            ...body,
            ...(request.stream === true && {
              stream: true,
              stream_options: { include_usage: true },
            }),
          } as unknown as Record<string, unknown>,
        },
        fromJson: (json) => openAIChatToAnthropicMessage(json as ChatCompletion),
        stream: () => new FromOpenAIStream(),
      };
    }
    return {
      provider: 'anthropic',
      call: {
        api: 'messages',
        body: request as unknown as Record<string, unknown>,
        headers: passedHeaders(headers),
      },
      fromJson: (json) => json as AnthropicMessage,
      stream: () => new PassThroughStream(new AnthropicMessageAssembler()),
    };
  }

  replay(answer: AnthropicMessage): string[] {
    return anthropicMessageToSse(answer);
  }

  errorFrame(status: number, message: string): string {
    return anthropicStreamErrorFrame(status, message);
  }

  summary(answer: AnthropicMessage): AnswerSummary {
    const text = answer.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    const promptTokens = answer.usage?.input_tokens ?? 0;
    const completionTokens = answer.usage?.output_tokens ?? 0;
    return {
      text,
      empty: text === '' && !answer.content.some((block) => block.type === 'tool_use'),
      model: answer.model,
      finishReason: answer.stop_reason ?? null,
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    };
  }
}

function passedHeaders(headers: IncomingHttpHeaders): Record<string, string> | undefined {
  const passed = Object.fromEntries(
    PASSED_HEADERS.flatMap((name) => {
      const value = headers[name];
      return typeof value === 'string' ? [[name, value]] : [];
    }),
  );
  return Object.keys(passed).length > 0 ? passed : undefined;
}

/** OpenAI's chunks as Anthropic events, assembled from the events the caller is sent. */
class FromOpenAIStream implements StreamTranslation<AnthropicMessage> {
  private readonly translator = new OpenAIChatToAnthropicStream();
  private readonly assembler = new AnthropicMessageAssembler();

  push(record: SseRecord): string[] {
    // [DONE] closes the message when no usage chunk did.
    const events =
      record.data === '[DONE]'
        ? this.translator.end()
        : this.translator.push(JSON.parse(record.data) as ChatCompletionChunk);
    return events.map((event) => {
      this.assembler.push(event);
      return encodeSseEvent(event, event.type);
    });
  }

  result(): AnthropicMessage {
    return this.assembler.result();
  }
}

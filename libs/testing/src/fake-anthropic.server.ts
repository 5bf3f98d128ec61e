import {
  FakeProviderServer,
  countWords,
  isArray,
  isRecord,
  jsonPieces,
  randomId,
  textOf,
  wordPieces,
} from './fake-provider.server';
import type {
  Completion,
  FakeProviderOptions,
  ParsedRequest,
  SseEvent,
} from './fake-provider.server';

// Keeps input token counts in line with the OpenAI fake, so both providers cost alike in benchmarks.
const TOKENS_PER_MESSAGE = 3;

const ERROR_TYPES: Partial<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** Stands in for `POST /v1/messages` of the Anthropic API, streamed on `stream: true`. */
export class FakeAnthropicServer extends FakeProviderServer {
  protected override readonly basePath = '';
  protected override readonly completionPath = '/v1/messages';
  protected override readonly requestIdHeader = 'request-id';

  static start(opts: FakeProviderOptions = {}): Promise<FakeAnthropicServer> {
    return new FakeAnthropicServer(opts).listen(opts.port ?? 0);
  }

  protected override parseRequest(body: unknown): ParsedRequest {
    if (!isRecord(body)) {
      return { invalid: 'The request body must be a JSON object.' };
    }
    const { model, max_tokens: maxTokens, messages, system } = body;
    if (typeof model !== 'string' || model === '') {
      return { invalid: 'model: Field required' };
    }
    if (maxTokens === undefined) {
      return { invalid: 'max_tokens: Field required' };
    }
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
      return { invalid: 'max_tokens: Input should be an integer greater than or equal to 1' };
    }
    if (!isArray(messages) || messages.length === 0) {
      return { invalid: 'messages: Field required' };
    }
    const systemText = system === undefined ? undefined : textOf(system);
    let lastUserText = '';
    let promptTokens = systemText === undefined ? 0 : countWords(systemText);
    for (const [index, message] of messages.entries()) {
      if (!isRecord(message) || typeof message.role !== 'string') {
        return { invalid: `messages.${index}: expected an object with role and content` };
      }
      const text = textOf(message.content);
      promptTokens += countWords(text) + TOKENS_PER_MESSAGE;
      if (message.role === 'user') {
        lastUserText = text;
      }
    }
    // Client tools have no type or `custom`; the typed ones (web search, bash...) run elsewhere.
    const tools = isArray(body.tools)
      ? body.tools.flatMap((tool) =>
          isRecord(tool) &&
          (tool.type === undefined || tool.type === 'custom') &&
          typeof tool.name === 'string'
            ? [tool.name]
            : [],
        )
      : [];
    return { input: { model, system: systemText, lastUserText, tools, body }, promptTokens };
  }

  protected override successBody(completion: Completion): object {
    return messageBody(
      completion,
      contentBlocks(completion),
      stopReason(completion),
      completion.completionTokens,
    );
  }

  /**
   * The event sequence of the Messages API: `message_start`; each content block's start, deltas and
   * stop, with a `ping` after the first start; `message_delta` with the stop reason and output
   * tokens; `message_stop`.
   */
  protected override streamEvents(completion: Completion): SseEvent[] {
    const event = (fields: { type: string } & Record<string, unknown>): SseEvent => ({
      event: fields.type,
      data: JSON.stringify(fields),
    });
    // Anthropic starts with the output tokens counted so far: the first one.
    const events = [
      event({ type: 'message_start', message: messageBody(completion, [], null, 1) }),
    ];
    contentBlocks(completion).forEach((block, index) => {
      const start = block.type === 'text' ? { ...block, text: '' } : { ...block, input: {} };
      const deltas =
        block.type === 'text'
          ? wordPieces(block.text).map((text) => ({ type: 'text_delta', text }))
          : jsonPieces(JSON.stringify(block.input)).map((piece) => ({
              type: 'input_json_delta',
              partial_json: piece,
            }));
      events.push(event({ type: 'content_block_start', index, content_block: start }));
      if (index === 0) {
        events.push(event({ type: 'ping' }));
      }
      for (const delta of deltas) {
        events.push(event({ type: 'content_block_delta', index, delta }));
      }
      events.push(event({ type: 'content_block_stop', index }));
    });
    events.push(
      event({
        type: 'message_delta',
        delta: { stop_reason: stopReason(completion), stop_sequence: null, stop_details: null },
        usage: { output_tokens: completion.completionTokens },
      }),
      event({ type: 'message_stop' }),
    );
    return events;
  }

  protected override errorBody(status: number, message: string): object {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message } };
  }
}

type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** The answer's blocks: its text unless it is only tool calls, then a `tool_use` block per call. */
function contentBlocks({ text, toolCalls }: Completion): ContentBlock[] {
  const calls = toolCalls.map((call): ContentBlock => ({
    type: 'tool_use',
    id: `toolu_${randomId()}`,
    name: call.name,
    input: call.arguments,
  }));
  return text === '' && calls.length > 0 ? calls : [{ type: 'text', text }, ...calls];
}

function stopReason({ toolCalls }: Completion): string {
  return toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

function messageBody(
  { model, promptTokens }: Completion,
  content: ContentBlock[],
  stop: string | null,
  outputTokens: number,
): object {
  return {
    id: `msg_${randomId()}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    stop_details: null,
    usage: { input_tokens: promptTokens, output_tokens: outputTokens },
  };
}

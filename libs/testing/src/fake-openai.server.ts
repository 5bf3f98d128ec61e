import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
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
  Route,
  RouteAnswer,
  SseEvent,
} from './fake-provider.server';

// Per-message overhead of the chat format, as OpenAI counts it.
const TOKENS_PER_MESSAGE = 3;
// Small enough to keep test bodies short; `dimensions` in the request asks for another width.
const EMBEDDING_DIMENSIONS = 64;
// text-embedding-3-large's width, the most the real API returns.
const MAX_EMBEDDING_DIMENSIONS = 3072;

const ERRORS: Partial<Record<number, { type: string; code: string | null }>> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  404: { type: 'invalid_request_error', code: null },
  429: { type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
};

/**
 * Stands in for `POST /v1/chat/completions`, `POST /v1/responses` and `POST /v1/embeddings` of the
 * OpenAI API, the first two streamed on `stream: true`.
 */
export class FakeOpenAIServer extends FakeProviderServer {
  protected override readonly basePath = '/v1';
  protected override readonly completionPath = '/v1/chat/completions';
  protected override readonly requestIdHeader = 'x-request-id';
  protected override readonly routes = new Map<string, Route>([
    ['/v1/responses', (body) => this.responses(body)],
    ['/v1/embeddings', (body, headers) => embeddings(body, headers)],
  ]);

  static start(opts: FakeProviderOptions = {}): Promise<FakeOpenAIServer> {
    return new FakeOpenAIServer(opts).listen(opts.port ?? 0);
  }

  protected override parseRequest(body: unknown): ParsedRequest {
    if (!isRecord(body)) {
      return { invalid: 'The request body must be a JSON object.' };
    }
    const { model, messages } = body;
    if (typeof model !== 'string' || model === '') {
      return { invalid: 'you must provide a model parameter' };
    }
    if (!isArray(messages) || messages.length === 0) {
      return { invalid: "Missing required parameter: 'messages'." };
    }
    const system: string[] = [];
    let lastUserText = '';
    let promptTokens = 0;
    for (const [index, message] of messages.entries()) {
      if (!isRecord(message) || typeof message.role !== 'string') {
        return { invalid: `Invalid value for 'messages[${index}]': expected a role and content.` };
      }
      const text = textOf(message.content);
      promptTokens += countWords(text) + TOKENS_PER_MESSAGE;
      if (message.role === 'system' || message.role === 'developer') {
        system.push(text);
      } else if (message.role === 'user') {
        lastUserText = text;
      }
    }
    return {
      input: {
        model,
        system: system.length > 0 ? system.join('\n') : undefined,
        lastUserText,
        tools: toolNames(body.tools, (tool) => (isRecord(tool.function) ? tool.function.name : '')),
        body,
      },
      promptTokens,
    };
  }

  protected override successBody({
    model,
    text,
    toolCalls,
    promptTokens,
    completionTokens,
  }: Completion): object {
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: text === '' && toolCalls.length > 0 ? null : text,
      refusal: null,
    };
    if (toolCalls.length > 0) {
      message.tool_calls = toolCalls.map((call) => ({
        id: `call_${randomId()}`,
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.arguments) },
      }));
    }
    return {
      id: `chatcmpl-${randomId()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message,
          logprobs: null,
          finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
  }

  /**
   * `chat.completion.chunk`s: the role, the text word by word, each tool call's id and name then its
   * arguments in pieces, the finish reason, the usage when `stream_options.include_usage` asks, `[DONE]`.
   */
  protected override streamEvents(
    { model, text, toolCalls, promptTokens, completionTokens }: Completion,
    body: Record<string, unknown>,
  ): SseEvent[] {
    const includeUsage =
      isRecord(body.stream_options) && body.stream_options.include_usage === true;
    const base = {
      id: `chatcmpl-${randomId()}`,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_fake',
    };
    // As OpenAI does, every chunk carries `usage: null` when the last one is to carry the usage.
    const chunk = (choices: object[], usage: object | null = null): SseEvent => ({
      data: JSON.stringify(includeUsage ? { ...base, choices, usage } : { ...base, choices }),
    });
    const delta = (fields: object, finishReason: string | null = null): SseEvent =>
      chunk([{ index: 0, delta: fields, logprobs: null, finish_reason: finishReason }]);

    const onlyCalls = text === '' && toolCalls.length > 0;
    const events = [delta({ role: 'assistant', content: onlyCalls ? null : '', refusal: null })];
    for (const piece of wordPieces(text)) {
      events.push(delta({ content: piece }));
    }
    toolCalls.forEach((call, index) => {
      const id = `call_${randomId()}`;
      events.push(
        delta({
          tool_calls: [
            { index, id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        }),
      );
      for (const piece of jsonPieces(JSON.stringify(call.arguments))) {
        events.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
    events.push(delta({}, toolCalls.length > 0 ? 'tool_calls' : 'stop'));
    if (includeUsage) {
      events.push(
        chunk([], {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        }),
      );
    }
    events.push({ data: '[DONE]' });
    return events;
  }

  protected override errorBody(status: number, message: string): object {
    const { type, code } = ERRORS[status] ?? {
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code: null,
    };
    return { error: { message, type, param: null, code } };
  }

  /** The Responses API: `instructions` and system or developer items make the reply's system prompt. */
  private responses(body: unknown): RouteAnswer {
    const parsed = parseResponsesRequest(body);
    if ('invalid' in parsed) {
      return { status: 400, message: parsed.invalid };
    }
    // Parsing succeeds only for an object.
    const request = body as Record<string, unknown>;
    const completion = this.complete(parsed);
    const response = new ResponseBuilder(request, completion);
    return request.stream === true
      ? { events: response.events() }
      : { body: response.snapshot('completed', response.output()) };
  }
}

/** The names of the function tools in a request's `tools`, read with `nameOf` from each one. */
function toolNames(tools: unknown, nameOf: (tool: Record<string, unknown>) => unknown): string[] {
  if (!isArray(tools)) {
    return [];
  }
  return tools
    .filter((tool) => isRecord(tool) && tool.type === 'function')
    .map((tool) => nameOf(tool as Record<string, unknown>))
    .filter((name): name is string => typeof name === 'string');
}

function parseResponsesRequest(body: unknown): ParsedRequest {
  if (!isRecord(body)) {
    return { invalid: 'The request body must be a JSON object.' };
  }
  const { model, input, instructions } = body;
  if (typeof model !== 'string' || model === '') {
    return { invalid: "Missing required parameter: 'model'." };
  }
  if (instructions !== undefined && instructions !== null && typeof instructions !== 'string') {
    return { invalid: "Invalid type for 'instructions': expected a string." };
  }
  const items = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  if (!isArray(items) || items.length === 0) {
    return { invalid: "Missing required parameter: 'input'." };
  }
  const system = typeof instructions === 'string' ? [instructions] : [];
  let lastUserText = '';
  let promptTokens = typeof instructions === 'string' ? countWords(instructions) : 0;
  for (const [index, item] of items.entries()) {
    if (!isRecord(item)) {
      return { invalid: `Invalid value for 'input[${index}]': expected an object.` };
    }
    promptTokens += TOKENS_PER_MESSAGE;
    // Tool calls and their outputs count only their overhead; the reply reads the messages.
    if (item.type !== undefined && item.type !== 'message') {
      continue;
    }
    const text = inputText(item.content);
    promptTokens += countWords(text);
    if (item.role === 'system' || item.role === 'developer') {
      system.push(text);
    } else if (item.role === 'user') {
      lastUserText = text;
    }
  }
  return {
    input: {
      model,
      system: system.length > 0 ? system.join('\n') : undefined,
      lastUserText,
      tools: toolNames(body.tools, (tool) => tool.name),
      body,
    },
    promptTokens,
  };
}

/** Text of a Responses message's content: a string or `input_text` / `output_text` parts. */
function inputText(content: unknown): string {
  if (!isArray(content)) {
    return typeof content === 'string' ? content : '';
  }
  return content
    .filter(
      (part): part is { text: string } =>
        isRecord(part) &&
        (part.type === 'input_text' || part.type === 'output_text') &&
        typeof part.text === 'string',
    )
    .map((part) => part.text)
    .join('\n');
}

type OutputItem = Record<string, unknown>;

/** One Responses API answer, as a `response` object and as its stream of events; the ids stay fixed. */
class ResponseBuilder {
  private readonly id = `resp_${randomId()}`;
  private readonly createdAt = Math.floor(Date.now() / 1000);
  private readonly messageId = `msg_${randomId()}`;
  private readonly callIds: readonly { id: string; callId: string }[];

  constructor(
    private readonly request: Record<string, unknown>,
    private readonly completion: Completion,
  ) {
    this.callIds = completion.toolCalls.map(() => ({
      id: `fc_${randomId()}`,
      callId: `call_${randomId()}`,
    }));
  }

  /** The `response` object, echoing the request's settings as the real API does. */
  snapshot(status: 'in_progress' | 'completed', output: readonly OutputItem[]): object {
    const { request, completion } = this;
    const completed = status === 'completed';
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: request.instructions ?? null,
      max_output_tokens: request.max_output_tokens ?? null,
      model: completion.model,
      output,
      parallel_tool_calls: request.parallel_tool_calls ?? true,
      previous_response_id: request.previous_response_id ?? null,
      reasoning: { effort: null, summary: null },
      store: request.store ?? true,
      temperature: request.temperature ?? 1,
      text: request.text ?? { format: { type: 'text' } },
      tool_choice: request.tool_choice ?? 'auto',
      tools: request.tools ?? [],
      top_p: request.top_p ?? 1,
      truncation: 'disabled',
      usage: completed
        ? {
            input_tokens: completion.promptTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: completion.completionTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: completion.promptTokens + completion.completionTokens,
          }
        : null,
      user: null,
      metadata: request.metadata ?? {},
    };
  }

  /** The finished output: the message unless the answer is only tool calls, then the calls. */
  output(): OutputItem[] {
    const { text, toolCalls } = this.completion;
    const calls = toolCalls.map((_, index) => this.functionCall(index, 'completed'));
    return text === '' && calls.length > 0
      ? calls
      : [this.message('completed', [outputText(text)]), ...calls];
  }

  /** The event sequence of a streamed answer, from `response.created` to `response.completed`. */
  events(): SseEvent[] {
    const { text, toolCalls } = this.completion;
    const output = this.output();
    const events: SseEvent[] = [];
    const emit = (type: string, fields: object): void => {
      const data = JSON.stringify({ type, sequence_number: events.length, ...fields });
      events.push({ event: type, data });
    };
    const done = (outputIndex: number): void =>
      emit('response.output_item.done', { output_index: outputIndex, item: output[outputIndex] });

    emit('response.created', { response: this.snapshot('in_progress', []) });
    emit('response.in_progress', { response: this.snapshot('in_progress', []) });
    // The message, when there is one, comes before the calls.
    const firstCall = output.length - toolCalls.length;
    if (firstCall === 1) {
      const part = { item_id: this.messageId, output_index: 0, content_index: 0 };
      emit('response.output_item.added', {
        output_index: 0,
        item: this.message('in_progress', []),
      });
      emit('response.content_part.added', { ...part, part: outputText('') });
      for (const delta of wordPieces(text)) {
        emit('response.output_text.delta', { ...part, delta, logprobs: [] });
      }
      emit('response.output_text.done', { ...part, text, logprobs: [] });
      emit('response.content_part.done', { ...part, part: outputText(text) });
      done(0);
    }
    toolCalls.forEach((call, index) => {
      const outputIndex = firstCall + index;
      const at = { item_id: this.callIds[index].id, output_index: outputIndex };
      const args = JSON.stringify(call.arguments);
      emit('response.output_item.added', {
        output_index: outputIndex,
        item: this.functionCall(index, 'in_progress'),
      });
      for (const delta of jsonPieces(args)) {
        emit('response.function_call_arguments.delta', { ...at, delta });
      }
      emit('response.function_call_arguments.done', { ...at, name: call.name, arguments: args });
      done(outputIndex);
    });
    emit('response.completed', { response: this.snapshot('completed', output) });
    return events;
  }

  private message(status: 'in_progress' | 'completed', content: object[]): OutputItem {
    return { id: this.messageId, type: 'message', status, role: 'assistant', content };
  }

  /** A call as an output item; its arguments arrive by delta while it is in progress. */
  private functionCall(index: number, status: 'in_progress' | 'completed'): OutputItem {
    const call = this.completion.toolCalls[index];
    const { id, callId } = this.callIds[index];
    return {
      id,
      type: 'function_call',
      status,
      arguments: status === 'completed' ? JSON.stringify(call.arguments) : '',
      call_id: callId,
      name: call.name,
    };
  }
}

function outputText(text: string): object {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

/**
 * A deterministic stand-in for an embedding model: a hashed bag of lower-cased words, L2-normalised,
 * so texts that share words are close and the same text always gets the same vector.
 */
export function fakeEmbedding(text: string, dimensions = EMBEDDING_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const word of text.toLowerCase().match(/\w+/g) ?? [text]) {
    const hash = createHash('sha256').update(word).digest();
    vector[hash.readUInt32LE(0) % dimensions] += hash[4] & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

function embeddings(body: unknown, headers: IncomingHttpHeaders): RouteAnswer {
  if (!/^Bearer \S+/.test(headers.authorization ?? '')) {
    return {
      status: 401,
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    };
  }
  if (!isRecord(body)) {
    return { status: 400, message: 'The request body must be a JSON object.' };
  }
  const { model, input, dimensions = EMBEDDING_DIMENSIONS, encoding_format: encoding } = body;
  if (typeof model !== 'string' || model === '') {
    return { status: 400, message: 'you must provide a model parameter' };
  }
  // The real API also takes token arrays; nothing here sends them.
  const texts = typeof input === 'string' ? [input] : input;
  if (!isArray(texts) || texts.length === 0 || !texts.every(isNonEmptyString)) {
    return { status: 400, message: "'$.input' is invalid: expected non-empty strings." };
  }
  if (
    typeof dimensions !== 'number' ||
    !Number.isInteger(dimensions) ||
    dimensions < 1 ||
    dimensions > MAX_EMBEDDING_DIMENSIONS
  ) {
    return { status: 400, message: `Invalid value for 'dimensions': ${String(dimensions)}.` };
  }
  if (encoding !== undefined && encoding !== 'float' && encoding !== 'base64') {
    return {
      status: 400,
      message: "Invalid value for 'encoding_format': expected 'float' or 'base64'.",
    };
  }
  const promptTokens = texts.reduce((sum, text) => sum + countWords(text), 0);
  return {
    body: {
      object: 'list',
      data: texts.map((text, index) => {
        const vector = fakeEmbedding(text, dimensions);
        return {
          object: 'embedding',
          index,
          embedding: encoding === 'base64' ? toBase64(vector) : Array.from(vector),
        };
      }),
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
  };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** The wire form of `encoding_format: 'base64'`: little-endian float32s, whatever this machine's order. */
function toBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

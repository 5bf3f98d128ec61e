import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  FakeProviderServer,
  countWords,
  isArray,
  isRecord,
  randomId,
  textOf,
} from './fake-provider.server';
import type {
  Completion,
  FakeProviderOptions,
  ParsedRequest,
  Route,
  RouteAnswer,
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

/** Stands in for `POST /v1/chat/completions` and `POST /v1/embeddings` of the OpenAI API. */
export class FakeOpenAIServer extends FakeProviderServer {
  protected override readonly basePath = '/v1';
  protected override readonly completionPath = '/v1/chat/completions';
  protected override readonly requestIdHeader = 'x-request-id';
  protected override readonly routes = new Map<string, Route>([
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
        body,
      },
      promptTokens,
    };
  }

  protected override successBody({
    model,
    text,
    promptTokens,
    completionTokens,
  }: Completion): object {
    return {
      id: `chatcmpl-${randomId()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
  }

  protected override errorBody(status: number, message: string): object {
    const { type, code } = ERRORS[status] ?? {
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code: null,
    };
    return { error: { message, type, param: null, code } };
  }
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

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { FakeAnthropicServer } from './fake-anthropic.server';
import { FakeOpenAIServer, fakeEmbedding } from './fake-openai.server';
import type { FakeProviderOptions, FakeProviderServer } from './fake-provider.server';

interface ClientOptions {
  timeout?: number;
}

interface ApiErrorLike extends Error {
  status: number | undefined;
  headers: Headers | undefined;
}

interface ErrorClasses {
  APIError: abstract new (...args: never[]) => ApiErrorLike;
  APIConnectionError: abstract new (...args: never[]) => Error;
}

/** What the shared specs need from each provider: how to start it and how to ask it through its SDK. */
interface Harness {
  name: string;
  start: (opts?: FakeProviderOptions) => Promise<FakeProviderServer>;
  /** Where the SDK posts completions, relative to `baseUrl`. */
  completionPath: string;
  ask: (server: FakeProviderServer, text: string, opts?: ClientOptions) => Promise<string>;
  /** Asks with `stream: true`, calling `onEvent` with the text delta ('' if none) of each event the SDK yields. */
  askStreamed: (
    server: FakeProviderServer,
    text: string,
    onEvent?: (delta: string) => void,
  ) => Promise<string>;
  /** How many events the server sends before the first text delta. */
  eventsBeforeText: number;
  errors: ErrorClasses;
}

// Retries would hide the faults under test, so every client surfaces the first failure.
function openaiClient(server: FakeProviderServer, opts: ClientOptions = {}): OpenAI {
  return new OpenAI({ apiKey: 'sk-test', baseURL: server.baseUrl, maxRetries: 0, ...opts });
}

function anthropicClient(server: FakeProviderServer, opts: ClientOptions = {}): Anthropic {
  return new Anthropic({ apiKey: 'ak-test', baseURL: server.baseUrl, maxRetries: 0, ...opts });
}

const openaiHarness: Harness = {
  name: 'OpenAI',
  start: (opts) => FakeOpenAIServer.start(opts),
  completionPath: '/chat/completions',
  ask: async (server, text, opts) => {
    const completion = await openaiClient(server, opts).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: text }],
    });
    return completion.choices[0].message.content ?? '';
  },
  askStreamed: async (server, text, onEvent) => {
    const stream = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: text }],
    });
    let reply = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content ?? '';
      onEvent?.(delta);
      reply += delta;
    }
    return reply;
  },
  // The role chunk.
  eventsBeforeText: 1,
  errors: OpenAI,
};

const anthropicHarness: Harness = {
  name: 'Anthropic',
  start: (opts) => FakeAnthropicServer.start(opts),
  completionPath: '/v1/messages',
  ask: async (server, text, opts) => {
    const message = await anthropicClient(server, opts).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: [{ role: 'user', content: text }],
    });
    return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  },
  askStreamed: async (server, text, onEvent) => {
    const stream = await anthropicClient(server).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: text }],
    });
    let reply = '';
    for await (const event of stream) {
      const delta =
        event.type === 'content_block_delta' && event.delta.type === 'text_delta'
          ? event.delta.text
          : '';
      onEvent?.(delta);
      reply += delta;
    }
    return reply;
  },
  // message_start, content_block_start and a ping, which the SDK does not yield.
  eventsBeforeText: 3,
  errors: Anthropic,
};

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail');
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The frames of a server-sent event body, which must end with the blank line that closes the last. */
async function sseFrames(response: Response): Promise<string[]> {
  const frames = (await response.text()).split('\n\n');
  expect(frames.pop()).toBe('');
  return frames;
}

/** `event: <name>\ndata: <json>` frames as name and parsed data. */
function namedEvents(frames: string[]): { name: string; data: Record<string, unknown> }[] {
  return frames.map((frame) => {
    const [, name, data] = /^event: (\S+)\ndata: (.*)$/.exec(frame) ?? [];
    expect(name).toBeDefined();
    return { name, data: JSON.parse(data) as Record<string, unknown> };
  });
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) {
    items.push(item);
  }
  return items;
}

const weatherArguments = { city: 'Paris', unit: 'celsius' };
const callWeather = { name: 'get_weather', arguments: weatherArguments };
const weatherParameters = { type: 'object' as const, properties: { city: { type: 'string' } } };

// libuv rounds timer deadlines to whole milliseconds, so a timer can look early to performance.now().
const TIMER_SLACK_MS = 5;

describe.each([openaiHarness, anthropicHarness])('Fake $name server', (h) => {
  let server: FakeProviderServer;

  beforeEach(async () => {
    server = await h.start();
  });

  afterEach(async () => {
    await server.close();
  });

  it('answers through the SDK with text derived from the model and prompt', async () => {
    await expect(h.ask(server, 'hello')).resolves.toMatch(/^answer\(.+\): hello$/);
    await expect(h.ask(server, 'goodbye')).resolves.toMatch(/: goodbye$/);
    expect(server.calls).toBe(2);
  });

  it('uses the reply option when given', async () => {
    const custom = await h.start({ reply: ({ lastUserText }) => lastUserText.toUpperCase() });
    try {
      await expect(h.ask(custom, 'shout')).resolves.toBe('SHOUT');
    } finally {
      await custom.close();
    }
  });

  it('surfaces a 429 with retry-after to the SDK, then recovers', async () => {
    server.failNext({ kind: 'status', status: 429, retryAfterSeconds: 7 });

    const error = await rejectionOf(h.ask(server, 'hi'));

    expect(error).toBeInstanceOf(h.errors.APIError);
    const apiError = error as ApiErrorLike;
    expect(apiError.status).toBe(429);
    expect(apiError.headers?.get('retry-after')).toBe('7');
    await expect(h.ask(server, 'hi')).resolves.toMatch(/: hi$/);
    expect(server.calls).toBe(2);
  });

  it('surfaces a 500 with the given message', async () => {
    server.failNext({ kind: 'status', status: 500, message: 'boom' });

    const error = await rejectionOf(h.ask(server, 'hi'));

    expect(error).toBeInstanceOf(h.errors.APIError);
    expect(error).toMatchObject({ status: 500, message: expect.stringContaining('boom') });
  });

  it('applies queued faults in FIFO order, `times` each', async () => {
    server.failNext({ kind: 'status', status: 429 });
    server.failNext({ kind: 'status', status: 503 }, 2);

    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(((await rejectionOf(h.ask(server, 'hi'))) as ApiErrorLike).status);
    }

    expect(statuses).toEqual([429, 503, 503]);
    await expect(h.ask(server, 'hi')).resolves.toMatch(/: hi$/);
  });

  it('hangs until the SDK times out, without blocking later requests', async () => {
    server.failNext({ kind: 'hang' });

    let error: unknown;
    const elapsed = await timed(async () => {
      error = await rejectionOf(h.ask(server, 'hi', { timeout: 200 }));
    });

    // Under jest the OpenAI SDK cannot recognise the abort (it comes from another realm) and
    // reports a plain APIConnectionError, the parent of APIConnectionTimeoutError; the elapsed
    // time shows that the timeout is what ended the call.
    expect(error).toBeInstanceOf(h.errors.APIConnectionError);
    expect(elapsed).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);
    await expect(h.ask(server, 'again', { timeout: 200 })).resolves.toMatch(/: again$/);
    expect(server.calls).toBe(2);
  });

  it('ends hung requests on close', async () => {
    server.failNext({ kind: 'hang' });
    const pending = rejectionOf(h.ask(server, 'hi', { timeout: 30_000 }));
    await waitFor(() => server.calls === 1);

    const closing = await timed(() => server.close());

    expect(closing).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(h.errors.APIConnectionError);
  });

  it('drops the connection on a destroy fault', async () => {
    server.failNext({ kind: 'destroy' });

    const error = await rejectionOf(h.ask(server, 'hi'));

    expect(error).toBeInstanceOf(h.errors.APIConnectionError);
    expect(server.calls).toBe(1);
  });

  it('delays answers and status faults alike', async () => {
    server.delayMs = 150;

    expect(await timed(() => h.ask(server, 'hi'))).toBeGreaterThanOrEqual(150 - TIMER_SLACK_MS);
    server.failNext({ kind: 'status', status: 500 });
    expect(await timed(() => rejectionOf(h.ask(server, 'hi')))).toBeGreaterThanOrEqual(
      150 - TIMER_SLACK_MS,
    );
  });

  it('records when each request was read and when its answer began, the delay between them', async () => {
    server.delayMs = 100;
    const before = performance.now();
    await h.ask(server, 'hi');
    const [record] = server.requests;
    expect(record.receivedAt).toBeGreaterThanOrEqual(before);
    expect(record.answeredAt).toBeGreaterThanOrEqual(record.receivedAt + 100 - TIMER_SLACK_MS);
    expect(record.answeredAt).toBeLessThanOrEqual(performance.now());
  });

  it('resets requests, faults and delay to the options', async () => {
    const delayed = await h.start({ delayMs: 100 });
    try {
      delayed.delayMs = 0;
      delayed.failNext({ kind: 'hang' }, 3);
      await expect(h.ask(delayed, 'hi', { timeout: 50 })).rejects.toThrow();

      delayed.reset();

      expect(delayed.requests).toEqual([]);
      expect(delayed.delayMs).toBe(100);
      await expect(h.ask(delayed, 'hi')).resolves.toMatch(/: hi$/);
      expect(delayed.calls).toBe(1);
    } finally {
      await delayed.close();
    }
  });

  it('streams the answer it gives whole, and records the request', async () => {
    const deltas: string[] = [];

    const streamed = await h.askStreamed(server, 'hello there', (delta) => deltas.push(delta));

    expect(streamed).toBe(await h.ask(server, 'hello there'));
    expect(deltas.filter((delta) => delta !== '').length).toBeGreaterThan(1);
    expect(server.requests[0].body).toMatchObject({ stream: true });
  });

  it('uses the reply set on the server until reset', async () => {
    server.reply = ({ lastUserText }) => `set: ${lastUserText}`;

    await expect(h.ask(server, 'hi')).resolves.toBe('set: hi');
    await expect(h.askStreamed(server, 'hi')).resolves.toBe('set: hi');
    server.reset();
    await expect(h.ask(server, 'hi')).resolves.toMatch(/^answer\(/);
  });

  it('sends the first event after delayMs, then one every streamDelayMs', async () => {
    const paced = await h.start({ delayMs: 50, streamDelayMs: 100, reply: () => 'one two' });
    try {
      const started = performance.now();
      const arrivals: number[] = [];

      await h.askStreamed(paced, 'hi', () => arrivals.push(performance.now() - started));

      // The first event is not held back for the rest: it comes before the first pause ends.
      expect(arrivals[0]).toBeGreaterThanOrEqual(50 - TIMER_SLACK_MS);
      expect(arrivals[0]).toBeLessThan(50 + 100);
      // Event i leaves 50 + 100·i ms after the request. Gaps between arrivals are not bounded
      // (an event read late shortens the gap to the next one), the time since the request is.
      for (let i = 1; i < arrivals.length; i++) {
        expect(arrivals[i]).toBeGreaterThanOrEqual(50 + 100 * i - TIMER_SLACK_MS);
      }
    } finally {
      await paced.close();
    }
  });

  it('breaks a stream after `afterEvents` events, failing the SDK iteration once', async () => {
    server.failNext({ kind: 'break-stream', afterEvents: h.eventsBeforeText + 1 });
    const deltas: string[] = [];

    const error = await rejectionOf(h.askStreamed(server, 'hello there', (d) => deltas.push(d)));

    // fetch's own error for a body cut short, which the SDKs pass on as it is.
    expect(error).toMatchObject({ message: 'terminated' });
    // The last event before the break: the first word.
    expect(deltas.filter((delta) => delta !== '')).toEqual([
      expect.stringMatching(/^answer\(.+\): $/),
    ]);
    await expect(h.askStreamed(server, 'hello there')).resolves.toMatch(/: hello there$/);
    expect(server.calls).toBe(2);
  });

  it('withholds the end of a stream however many events the break allows', async () => {
    server.failNext({ kind: 'break-stream', afterEvents: 1000 });
    let received = '';

    const error = await rejectionOf(h.askStreamed(server, 'hi', (delta) => (received += delta)));

    expect(error).toMatchObject({ message: 'terminated' });
    expect(received).toBe(await h.ask(server, 'hi'));
  });

  it('cuts a JSON answer half-way on a break-stream fault', async () => {
    server.failNext({ kind: 'break-stream', afterEvents: 0 });

    await expect(h.ask(server, 'hi')).rejects.toThrow('terminated');
    await expect(h.ask(server, 'hi')).resolves.toMatch(/: hi$/);
  });

  it('applies a fault queued Infinity times to every request until reset', async () => {
    server.failNext({ kind: 'status', status: 503 }, Infinity);

    for (let i = 0; i < 3; i++) {
      expect(await rejectionOf(h.ask(server, 'hi'))).toMatchObject({ status: 503 });
    }
    server.reset();
    await expect(h.ask(server, 'hi')).resolves.toMatch(/: hi$/);
  });

  it('answers a non-JSON body with a 400 and records the raw text', async () => {
    const response = await fetch(`${server.baseUrl}${h.completionPath}`, {
      method: 'POST',
      body: 'not json',
    });

    expect(response.status).toBe(400);
    expect(server.requests[0].body).toBe('not json');
  });

  it('answers unknown paths with a 404 and does not count them', async () => {
    const response = await fetch(`${server.baseUrl}/v1/unknown`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(404);
    expect(server.calls).toBe(0);
  });
});

describe('FakeOpenAIServer wire format', () => {
  let server: FakeOpenAIServer;

  beforeEach(async () => {
    server = await FakeOpenAIServer.start();
  });

  afterEach(async () => {
    await server.close();
  });

  it('maps a chat completion, reading system and developer messages and text parts', async () => {
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      temperature: 0,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'developer', content: [{ type: 'text', text: 'no jokes' }] },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: [{ type: 'text', text: 'second question' }] },
      ],
    });

    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4o-mini',
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'answer(gpt-4o-mini, be brief\nno jokes): second question',
            refusal: null,
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      // 10 words in 5 messages at 3 tokens each; the answer has 7 words.
      usage: { prompt_tokens: 25, completion_tokens: 7, total_tokens: 32 },
    });
  });

  it('records method, path, headers and parsed body', async () => {
    await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      max_completion_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });

    expect(server.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/chat/completions',
        receivedAt: expect.any(Number),
        answeredAt: expect.any(Number),
        headers: expect.objectContaining({ authorization: 'Bearer sk-test' }),
        body: {
          model: 'gpt-4o-mini',
          max_completion_tokens: 10,
          messages: [{ role: 'user', content: 'hi' }],
        },
      },
    ]);
  });

  it('sends errors in the OpenAI shape with a request id', async () => {
    server.failNext({ kind: 'status', status: 429, message: 'slow down' });

    const error = await rejectionOf(openaiClient(server).models.list());
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);

    const rateLimited = await rejectionOf(
      openaiClient(server).chat.completions.create({ model: 'm', messages: [] }),
    );
    expect(rateLimited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(rateLimited).toMatchObject({
      error: { message: 'slow down', type: 'rate_limit_exceeded', param: null },
      code: 'rate_limit_exceeded',
      requestID: expect.stringMatching(/^req_/),
    });
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'hi' }] }, 'model'],
    [{ model: 'gpt-4o-mini' }, 'messages'],
  ])('rejects %j with a 400 naming %s', async (body, missing) => {
    const error = await rejectionOf(
      openaiClient(server).post('/chat/completions', { body: body as Record<string, unknown> }),
    );

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining(missing),
    });
  });
});

describe('FakeOpenAIServer embeddings', () => {
  let server: FakeOpenAIServer;

  beforeEach(async () => {
    server = await FakeOpenAIServer.start();
  });

  afterEach(async () => {
    await server.close();
  });

  function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
    return dot;
  }

  async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${server.baseUrl}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...headers },
      body: JSON.stringify(body),
    });
  }

  it('answers the SDK in base64, which it decodes to the same vectors as the float format', async () => {
    const input = ['the cat sat on the mat', 'Stock prices fell today'];
    const client = openaiClient(server);

    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input });
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input,
      encoding_format: 'float',
    });

    expect(server.requests.map((request) => request.body)).toEqual([
      { model: 'text-embedding-3-small', input, encoding_format: 'base64' },
      { model: 'text-embedding-3-small', input, encoding_format: 'float' },
    ]);
    expect(floats).toEqual({
      object: 'list',
      data: input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: Array.from(fakeEmbedding(text)),
      })),
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 10, total_tokens: 10 },
    });
    expect(decoded).toEqual(floats);
  });

  it('gives unit vectors that are closer for texts sharing words, `dimensions` wide', async () => {
    const { data } = await openaiClient(server).embeddings.create({
      model: 'text-embedding-3-small',
      input: ['how do I reset my password', 'reset my password please', 'the weather in Paris'],
      dimensions: 16,
    });

    const [question, paraphrase, unrelated] = data.map((item) => item.embedding);
    expect(question).toHaveLength(16);
    expect(cosine(question, question)).toBeCloseTo(1, 5);
    expect(cosine(question, paraphrase)).toBeGreaterThan(cosine(question, unrelated));
    expect(question).toEqual(Array.from(fakeEmbedding('how do I reset my password', 16)));
  });

  it('refuses a request without an API key with a 401', async () => {
    const response = await post({ model: 'm', input: 'hi' }, { authorization: '' });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        message: expect.stringContaining("didn't provide an API key"),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it.each([
    [{ input: 'hi' }, 'model'],
    [{ model: 'm', input: [] }, 'input'],
    [{ model: 'm', input: ['hi', ''] }, 'input'],
    [{ model: 'm', input: [1, 2, 3] }, 'input'],
    [{ model: 'm', input: 'hi', dimensions: 0 }, 'dimensions'],
    [{ model: 'm', input: 'hi', dimensions: 1_000_000 }, 'dimensions'],
    [{ model: 'm', input: 'hi', encoding_format: 'hex' }, 'encoding_format'],
  ])('rejects %j with a 400 naming %s', async (body, field) => {
    const error = await rejectionOf(
      openaiClient(server).post('/embeddings', { body: body as Record<string, unknown> }),
    );

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining(field),
    });
  });

  it('applies faults to embeddings as to completions', async () => {
    server.failNext({ kind: 'status', status: 429, retryAfterSeconds: 3 });

    const error = await rejectionOf(
      openaiClient(server).embeddings.create({ model: 'm', input: 'hi' }),
    );

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as ApiErrorLike).headers?.get('retry-after')).toBe('3');
    expect(server.requests[0].path).toBe('/v1/embeddings');
  });
});

describe('FakeOpenAIServer chat streaming and tools', () => {
  let server: FakeOpenAIServer;
  let client: OpenAI;
  const messages = [{ role: 'user' as const, content: 'hello there' }];
  const weatherTool = {
    type: 'function' as const,
    function: { name: 'get_weather', parameters: weatherParameters },
  };

  beforeEach(async () => {
    server = await FakeOpenAIServer.start();
    client = openaiClient(server);
  });

  afterEach(async () => {
    await server.close();
  });

  it('streams data-only chunks: the role, the text word by word, the finish reason, [DONE]', async () => {
    const response = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages }),
    });

    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const frames = await sseFrames(response);
    expect(frames.pop()).toBe('data: [DONE]');
    const chunks = frames.map((frame) => {
      expect(frame).toMatch(/^data: /);
      return JSON.parse(frame.slice('data: '.length)) as OpenAI.Chat.ChatCompletionChunk;
    });
    expect(chunks[0]).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion.chunk',
      created: expect.any(Number),
      model: 'gpt-4o-mini',
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ],
    });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.slice(1, -1).map((chunk) => chunk.choices[0].delta)).toEqual([
      { content: 'answer(gpt-4o-mini): ' },
      { content: 'hello ' },
      { content: 'there' },
    ]);
    expect(chunks.at(-1)?.choices).toEqual([
      { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
    ]);
  });

  it('ends with a usage chunk, the whole answer usage, when stream_options.include_usage', async () => {
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages,
      }),
    );
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });

    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: whole.usage });
    expect(chunks.slice(0, -1).map((chunk) => chunk.usage)).toEqual(
      chunks.slice(1).map(() => null),
    );
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
  });

  it('streams what the SDK stream helper assembles into the whole answer', async () => {
    const final = await client.chat.completions
      .stream({ model: 'gpt-4o-mini', messages })
      .finalChatCompletion();
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });

    expect(final.choices[0]).toMatchObject({
      message: { role: 'assistant', content: whole.choices[0].message.content },
      finish_reason: 'stop',
    });
  });

  it('answers tool calls when the request offers the tool, and tells the reply what it offers', async () => {
    const offered: (readonly string[])[] = [];
    server.reply = ({ tools }) => {
      offered.push(tools);
      return { toolCalls: [callWeather] };
    };

    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [weatherTool],
      messages,
    });

    expect(offered).toEqual([['get_weather']]);
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            {
              id: expect.stringMatching(/^call_/),
              type: 'function',
              function: { name: 'get_weather', arguments: JSON.stringify(weatherArguments) },
            },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    // One token per word of the call's name and of its arguments.
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it('streams tool calls: id and name first, then the arguments in pieces', async () => {
    const timeArguments = { zone: 'Europe/Paris' };
    server.reply = () => ({
      text: 'Let me look.',
      toolCalls: [callWeather, { name: 'get_time', arguments: timeArguments }],
    });
    const tools = [weatherTool, { ...weatherTool, function: { name: 'get_time' } }];

    const chunks = await collect(
      await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, tools, messages }),
    );
    const final = await client.chat.completions
      .stream({ model: 'gpt-4o-mini', tools, messages })
      .finalChatCompletion();

    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toEqual({
      index: 0,
      id: expect.stringMatching(/^call_/),
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    const pieces = calls.filter((call) => call.index === 0).slice(1);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((call) => call.id === undefined && call.function?.name === undefined)).toBe(
      true,
    );
    expect(JSON.parse(pieces.map((call) => call.function?.arguments).join(''))).toEqual(
      weatherArguments,
    );
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
    expect(final.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: 'Let me look.',
        tool_calls: [
          {
            type: 'function',
            function: { name: 'get_weather', arguments: JSON.stringify(weatherArguments) },
          },
          {
            type: 'function',
            function: { name: 'get_time', arguments: JSON.stringify(timeArguments) },
          },
        ],
      },
    });
  });

  it('drops calls to tools the request does not offer', async () => {
    server.reply = () => ({ text: 'no tools here', toolCalls: [callWeather] });
    const otherTool = { ...weatherTool, function: { name: 'get_time' } };

    for (const tools of [undefined, [otherTool]]) {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        tools,
        messages,
      });
      expect(completion.choices[0]).toMatchObject({
        message: { content: 'no tools here' },
        finish_reason: 'stop',
      });
      expect(completion.choices[0].message.tool_calls).toBeUndefined();
    }
  });
});

describe('FakeOpenAIServer responses', () => {
  let server: FakeOpenAIServer;
  let client: OpenAI;
  const functionTool = {
    type: 'function' as const,
    name: 'get_weather',
    parameters: weatherParameters,
    strict: false,
  };

  beforeEach(async () => {
    server = await FakeOpenAIServer.start();
    client = openaiClient(server);
  });

  afterEach(async () => {
    await server.close();
  });

  it('answers a completed response with one output_text message and its usage', async () => {
    const response = await client.responses.create({
      model: 'gpt-4.1-mini',
      instructions: 'be brief',
      input: 'hello there',
    });

    expect(response).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: 'response',
      created_at: expect.any(Number),
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: 'be brief',
      model: 'gpt-4.1-mini',
      output: [
        {
          id: expect.stringMatching(/^msg_/),
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [
            {
              type: 'output_text',
              text: 'answer(gpt-4.1-mini, be brief): hello there',
              annotations: [],
            },
          ],
        },
      ],
      tools: [],
      // 2 words of instructions, then 2 words and 3 tokens of overhead; the answer has 5 words.
      usage: { input_tokens: 7, output_tokens: 5, total_tokens: 12 },
    });
    // Derived by the SDK from the output, as it is from OpenAI's.
    expect(response.output_text).toBe('answer(gpt-4.1-mini, be brief): hello there');
    expect(server.requests[0].path).toBe('/v1/responses');
  });

  it('reads input items: system and developer messages, text parts, the last user turn', async () => {
    const response = await client.responses.create({
      model: 'gpt-4.1-mini',
      instructions: 'be brief',
      input: [
        { role: 'developer', content: 'no jokes' },
        { role: 'user', content: 'first question' },
        {
          type: 'message',
          role: 'assistant',
          id: 'msg_1',
          status: 'completed',
          content: [{ type: 'output_text', text: 'first answer', annotations: [] }],
        },
        { role: 'user', content: [{ type: 'input_text', text: 'second question' }] },
      ],
    });

    expect(response.output_text).toBe('answer(gpt-4.1-mini, be brief\nno jokes): second question');
  });

  it('streams the Responses events in order, numbered from 0', async () => {
    const events = await collect(
      await client.responses.create({ model: 'gpt-4.1-mini', input: 'hello there', stream: true }),
    );
    const whole = await client.responses.create({ model: 'gpt-4.1-mini', input: 'hello there' });

    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]).toMatchObject({
      response: { status: 'in_progress', output: [], usage: null },
    });
    const deltas = events.flatMap((event) =>
      event.type === 'response.output_text.delta' ? [event.delta] : [],
    );
    expect(deltas.join('')).toBe(whole.output_text);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response).toMatchObject({
      status: 'completed',
      output: [{ type: 'message', content: [{ type: 'output_text', text: whole.output_text }] }],
      usage: whole.usage,
    });
    expect(events[2]).toMatchObject({ item: { id: completed.response.output[0].id, content: [] } });
  });

  it('frames each event with its type as the event name', async () => {
    const response = await fetch(`${server.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-mini', input: 'hi', stream: true }),
    });

    const events = namedEvents(await sseFrames(response));
    expect(events.every(({ name, data }) => data.type === name)).toBe(true);
    expect(events.at(-1)?.name).toBe('response.completed');
  });

  it('streams what responses.stream assembles into the whole response', async () => {
    const final = await client.responses
      .stream({ model: 'gpt-4.1-mini', instructions: 'be brief', input: 'hello there' })
      .finalResponse();

    expect(final.output_text).toBe('answer(gpt-4.1-mini, be brief): hello there');
    expect(final.status).toBe('completed');
  });

  it('answers function calls as function_call items, streamed by argument deltas', async () => {
    server.reply = () => ({ toolCalls: [callWeather] });
    const request = { model: 'gpt-4.1-mini', input: 'weather in Paris?', tools: [functionTool] };

    const whole = await client.responses.create(request);
    const events = await collect(await client.responses.create({ ...request, stream: true }));
    const final = await client.responses.stream(request).finalResponse();

    const call = {
      type: 'function_call',
      status: 'completed',
      arguments: JSON.stringify(weatherArguments),
      name: 'get_weather',
    };
    expect(whole.output).toEqual([
      { ...call, id: expect.stringMatching(/^fc_/), call_id: expect.stringMatching(/^call_/) },
    ]);
    expect(whole.tools).toEqual([functionTool]);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      ...events.slice(3, -3).map(() => 'response.function_call_arguments.delta'),
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.length - 6).toBeGreaterThan(1);
    expect(events[2]).toMatchObject({ item: { ...call, status: 'in_progress', arguments: '' } });
    const deltas = events.flatMap((event) =>
      event.type === 'response.function_call_arguments.delta' ? [event.delta] : [],
    );
    expect(JSON.parse(deltas.join(''))).toEqual(weatherArguments);
    expect(final.output).toMatchObject([call]);
  });

  it.each([
    [{ input: 'hi' }, 'model'],
    [{ model: 'gpt-4.1-mini' }, 'input'],
    [{ model: 'gpt-4.1-mini', input: [] }, 'input'],
    [{ model: 'gpt-4.1-mini', input: 'hi', instructions: 7 }, 'instructions'],
  ])('rejects %j with a 400 naming %s', async (body, field) => {
    const error = await rejectionOf(
      client.post('/responses', { body: body as Record<string, unknown> }),
    );

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining(field),
    });
  });

  it('breaks a Responses stream after `afterEvents` events', async () => {
    server.failNext({ kind: 'break-stream', afterEvents: 3 });
    const types: string[] = [];

    const error = await rejectionOf(
      (async () => {
        const stream = await client.responses.create({
          model: 'gpt-4.1-mini',
          input: 'hi',
          stream: true,
        });
        for await (const event of stream) {
          types.push(event.type);
        }
      })(),
    );

    expect(error).toMatchObject({ message: 'terminated' });
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
    ]);
  });
});

describe('FakeAnthropicServer wire format', () => {
  let server: FakeAnthropicServer;

  beforeEach(async () => {
    server = await FakeAnthropicServer.start();
  });

  afterEach(async () => {
    await server.close();
  });

  it('maps a message, reading the system blocks and the last user turn', async () => {
    const message = await anthropicClient(server).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      system: [{ type: 'text', text: 'be brief' }],
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: [{ type: 'text', text: 'second question' }] },
      ],
    });

    expect(message).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'answer(claude-sonnet-4-6, be brief): second question' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      stop_details: null,
      // 2 system words, then 6 words in 3 messages at 3 tokens each; the answer has 5 words.
      usage: { input_tokens: 17, output_tokens: 5 },
    });
  });

  it('records method, path, headers and parsed body', async () => {
    await anthropicClient(server).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      system: 'sys',
      messages: [{ role: 'user', content: 'hi' }],
    });

    expect(server.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/messages',
        receivedAt: expect.any(Number),
        answeredAt: expect.any(Number),
        headers: expect.objectContaining({
          authorization: 'Bearer ak-test',
          'anthropic-version': expect.any(String),
        }),
        body: {
          model: 'claude-sonnet-4-6',
          max_tokens: 10,
          system: 'sys',
          messages: [{ role: 'user', content: 'hi' }],
        },
      },
    ]);
  });

  it.each([
    { status: 429, errorClass: Anthropic.RateLimitError, type: 'rate_limit_error' },
    { status: 500, errorClass: Anthropic.InternalServerError, type: 'api_error' },
    { status: 529, errorClass: Anthropic.OverloadedError, type: 'overloaded_error' },
    { status: 401, errorClass: Anthropic.AuthenticationError, type: 'authentication_error' },
  ])('sends a $status as $type with a request id', async ({ status, errorClass, type }) => {
    server.failNext({ kind: 'status', status });

    const error = await rejectionOf(
      anthropicClient(server).messages.create({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );

    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({
      status,
      type,
      error: { type: 'error', error: { type } },
      requestID: expect.stringMatching(/^req_/),
    });
  });

  it('rejects a request without max_tokens as Anthropic does', async () => {
    const error = await rejectionOf(
      anthropicClient(server).post('/v1/messages', {
        body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
      }),
    );

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining('max_tokens'),
    });
  });
});

describe('FakeAnthropicServer streaming and tools', () => {
  let server: FakeAnthropicServer;
  let client: Anthropic;
  const params = {
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [{ role: 'user' as const, content: 'hello there' }],
  };
  const weatherTool = { name: 'get_weather', input_schema: weatherParameters };

  beforeEach(async () => {
    server = await FakeAnthropicServer.start();
    client = anthropicClient(server);
  });

  afterEach(async () => {
    await server.close();
  });

  it('streams named events: message_start, a text block with a ping, message_delta, message_stop', async () => {
    const response = await fetch(`${server.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, stream: true }),
    });

    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const events = namedEvents(await sseFrames(response));
    expect(events.every(({ name, data }) => data.type === name)).toBe(true);
    expect(events.map(({ data }) => data)).toEqual([
      {
        type: 'message_start',
        message: {
          id: expect.stringMatching(/^msg_/),
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-6',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      ...['answer(claude-sonnet-4-6): ', 'hello ', 'there'].map((text) => ({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      })),
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null, stop_details: null },
        usage: { output_tokens: 3 },
      },
      { type: 'message_stop' },
    ]);
  });

  it('streams what messages.stream assembles into the message messages.create gives', async () => {
    const final = await client.messages.stream(params).finalMessage();
    const whole = await client.messages.create(params);

    // The helper adds `parsed_output` for structured outputs; the rest is the message as sent.
    expect(final).toEqual({ ...whole, id: expect.stringMatching(/^msg_/), parsed_output: null });
  });

  it('answers tool_use blocks after the text when the request offers the tool', async () => {
    const offered: (readonly string[])[] = [];
    server.reply = ({ tools }) => {
      offered.push(tools);
      return { text: 'Let me check.', toolCalls: [callWeather] };
    };

    const message = await client.messages.create({ ...params, tools: [weatherTool] });

    expect(offered).toEqual([['get_weather']]);
    expect(message).toMatchObject({
      content: [
        { type: 'text', text: 'Let me check.' },
        {
          type: 'tool_use',
          id: expect.stringMatching(/^toolu_/),
          name: 'get_weather',
          input: weatherArguments,
        },
      ],
      stop_reason: 'tool_use',
      // 3 words of text, then 2 for the call's name and arguments.
      usage: { output_tokens: 5 },
    });
  });

  it('streams tool_use input as input_json_delta pieces', async () => {
    server.reply = () => ({ toolCalls: [callWeather] });
    const request = { ...params, tools: [weatherTool] };

    const events = await collect(await client.messages.create({ ...request, stream: true }));
    const final = await client.messages.stream(request).finalMessage();

    expect(events[1]).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_/),
        name: 'get_weather',
        input: {},
      },
    });
    const pieces = events.flatMap((event) =>
      event.type === 'content_block_delta' && event.delta.type === 'input_json_delta'
        ? [event.delta.partial_json]
        : [],
    );
    expect(pieces.length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(''))).toEqual(weatherArguments);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'tool_use' } });
    expect(final).toMatchObject({
      content: [{ type: 'tool_use', name: 'get_weather', input: weatherArguments }],
      stop_reason: 'tool_use',
    });
  });

  it('answers no tool_use for tools it is not given or that run on the server', async () => {
    server.reply = () => ({
      text: 'no tools here',
      toolCalls: [{ name: 'web_search', arguments: {} }],
    });

    for (const tools of [
      undefined,
      [{ type: 'web_search_20250305' as const, name: 'web_search' as const }],
    ]) {
      const message = await client.messages.create({ ...params, tools });
      expect(message).toMatchObject({
        content: [{ type: 'text', text: 'no tools here' }],
        stop_reason: 'end_turn',
      });
    }
  });

  it('breaks a stream so that messages.stream(...).finalMessage() rejects', async () => {
    server.failNext({ kind: 'break-stream', afterEvents: 4 });

    await expect(client.messages.stream(params).finalMessage()).rejects.toThrow('terminated');
    await expect(client.messages.stream(params).finalMessage()).resolves.toMatchObject({
      stop_reason: 'end_turn',
    });
  });
});

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

  it('refuses stream: true with a 400 and records the request', async () => {
    const response = await fetch(`${server.baseUrl}${h.completionPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    });

    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('stream: true is not supported');
    expect(server.calls).toBe(1);
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

  it('refuses stream: true through the SDK', async () => {
    const error = await rejectionOf(
      openaiClient(server).chat.completions.create({
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
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

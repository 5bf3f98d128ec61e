import { FakeAnthropicServer, FakeOpenAIServer } from '../../libs/testing';
import { ApiError } from '../common/errors/api-error';
import { AnthropicProvider, ANTHROPIC_DEFAULT_MAX_TOKENS } from './anthropic.provider';
import { ChatRequest } from './chat.types';
import { LlmProvider } from './llm-provider.port';
import { OpenAIProvider } from './openai.provider';
import { ProviderFetch } from './provider-fetch';

const transport = new ProviderFetch(5_000);
afterAll(() => transport.onModuleDestroy());

const conversation = (provider: ChatRequest['provider'], model: string): ChatRequest => ({
  provider,
  model,
  system: 'Be brief.',
  messages: [
    { role: 'user', content: 'Name a colour.' },
    { role: 'assistant', content: 'Blue.' },
    { role: 'user', content: 'Another one?' },
  ],
  params: { temperature: 0.3, top_p: 0.9, max_tokens: 50, stop: ['END'], seed: 4 },
});

async function failureOf(provider: LlmProvider, request: ChatRequest): Promise<ApiError> {
  try {
    await provider.complete(request);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected the call to fail');
}

describe('OpenAIProvider through the real SDK', () => {
  let server: FakeOpenAIServer;
  let provider: OpenAIProvider;

  beforeAll(async () => {
    server = await FakeOpenAIServer.start();
    provider = new OpenAIProvider(
      {
        apiKey: 'sk-unit',
        baseUrl: server.baseUrl,
        timeoutMs: 300,
        maxRetries: 0,
      },
      transport,
    );
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('sends the system prompt, the conversation and the parameters in OpenAI’s format', async () => {
    const completion = await provider.complete(conversation('openai', 'gpt-4o-mini'));
    expect(completion).toMatchObject({
      content: 'answer(gpt-4o-mini, Be brief.): Another one?',
      model: 'gpt-4o-mini',
      finishReason: 'stop',
    });
    expect(completion.usage.totalTokens).toBeGreaterThan(0);
    const sent = server.requests[0];
    expect(sent.headers.authorization).toBe('Bearer sk-unit');
    expect(sent.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: 'Blue.' },
        { role: 'user', content: 'Another one?' },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 50,
      stop: ['END'],
      seed: 4,
    });
  });

  it('sends max_completion_tokens to reasoning models', async () => {
    await provider.complete(conversation('openai', 'o3-mini'));
    expect(server.requests[0].body).toMatchObject({ max_completion_tokens: 50 });
    expect(server.requests[0].body).not.toHaveProperty('max_tokens');
  });

  it.each([
    [{ kind: 'status', status: 429, retryAfterSeconds: 3 } as const, 429, 'upstream_rate_limited'],
    [
      { kind: 'status', status: 400, message: 'bad model' } as const,
      400,
      'upstream_rejected_request',
    ],
    [{ kind: 'status', status: 403 } as const, 502, 'upstream_auth_failed'],
    [{ kind: 'status', status: 503 } as const, 502, 'upstream_error'],
    [{ kind: 'destroy' } as const, 502, 'upstream_unreachable'],
    [{ kind: 'hang' } as const, 504, 'upstream_timeout'],
  ])('maps %j to %i %s', async (fault, status, code) => {
    server.failNext(fault);
    const error = await failureOf(provider, conversation('openai', 'gpt-4o'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.getStatus()).toBe(status);
    expect(error.code).toBe(code);
    if (status === 429) expect(error.headers['retry-after']).toBe('3');
    if (status === 400) expect(error.message).toContain('bad model');
  });

  it('retries a 500 when retries are configured', async () => {
    const retrying = new OpenAIProvider(
      {
        apiKey: 'sk-unit',
        baseUrl: server.baseUrl,
        timeoutMs: 5_000,
        maxRetries: 1,
      },
      transport,
    );
    server.failNext({ kind: 'status', status: 500, retryAfterSeconds: 0 });
    const completion = await retrying.complete(conversation('openai', 'gpt-4o'));
    expect(completion.content).toContain('Another one?');
    expect(server.calls).toBe(2);
  });

  it('counts as configured with a key or a base URL only', () => {
    const settings = { timeoutMs: 1_000, maxRetries: 0 };
    expect(
      new OpenAIProvider({ ...settings, apiKey: undefined, baseUrl: undefined }, transport)
        .configured,
    ).toBe(false);
    expect(
      new OpenAIProvider({ ...settings, apiKey: undefined, baseUrl: server.baseUrl }, transport)
        .configured,
    ).toBe(true);
  });
});

describe('AnthropicProvider through the real SDK', () => {
  let server: FakeAnthropicServer;
  let provider: AnthropicProvider;

  beforeAll(async () => {
    server = await FakeAnthropicServer.start();
    provider = new AnthropicProvider(
      {
        apiKey: 'sk-ant-unit',
        baseUrl: server.baseUrl,
        timeoutMs: 300,
        maxRetries: 0,
      },
      transport,
    );
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('sends the system prompt separately and maps stop sequences and usage', async () => {
    const completion = await provider.complete(conversation('anthropic', 'claude-haiku-4-5'));
    expect(completion).toMatchObject({
      content: 'answer(claude-haiku-4-5, Be brief.): Another one?',
      finishReason: 'end_turn',
    });
    expect(completion.usage.totalTokens).toBe(
      completion.usage.promptTokens + completion.usage.completionTokens,
    );
    expect(server.requests[0].body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: 'Blue.' },
        { role: 'user', content: 'Another one?' },
      ],
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ['END'],
    });
  });

  it('sends a fixed max_tokens when the caller sets none', async () => {
    const request = conversation('anthropic', 'claude-haiku-4-5');
    request.params = {};
    request.system = undefined;
    await provider.complete(request);
    expect(server.requests[0].body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: request.messages,
    });
  });

  it.each([
    [{ kind: 'status', status: 529 } as const, 502, 'upstream_error'],
    [{ kind: 'status', status: 429, retryAfterSeconds: 2 } as const, 429, 'upstream_rate_limited'],
    [{ kind: 'hang' } as const, 504, 'upstream_timeout'],
  ])('maps %j to %i %s', async (fault, status, code) => {
    server.failNext(fault);
    const error = await failureOf(provider, conversation('anthropic', 'claude-haiku-4-5'));
    expect(error.getStatus()).toBe(status);
    expect(error.code).toBe(code);
  });
});

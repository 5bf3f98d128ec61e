import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  anthropicErrorBody,
  anthropicErrorType,
  anthropicStreamErrorFrame,
  openAIErrorBody,
  openAIErrorType,
  openAIStreamErrorFrame,
} from './error-bodies';
import { chatCompletionToSse } from './openai-chat-replay';
import { anthropicAnswering, openAIAnswering } from './sdk-clients.fixture';
import { encodeSseEvent } from './sse';

describe('error types', () => {
  it.each([
    [400, 'invalid_request_error', 'invalid_request_error'],
    [401, 'authentication_error', 'authentication_error'],
    [402, 'invalid_request_error', 'billing_error'],
    [403, 'permission_error', 'permission_error'],
    [404, 'not_found_error', 'not_found_error'],
    [413, 'invalid_request_error', 'request_too_large'],
    [422, 'invalid_request_error', 'invalid_request_error'],
    [429, 'rate_limit_error', 'rate_limit_error'],
    [500, 'server_error', 'api_error'],
    [502, 'server_error', 'api_error'],
    [504, 'server_error', 'timeout_error'],
    [529, 'server_error', 'overloaded_error'],
  ])('status %i is %s for OpenAI and %s for Anthropic', (status, openai, anthropic) => {
    expect(openAIErrorType(status)).toBe(openai);
    expect(anthropicErrorType(status)).toBe(anthropic);
  });
});

describe('error bodies', () => {
  it('have the shape each API sends', () => {
    expect(
      openAIErrorBody(400, 'messages is required', { param: 'messages', code: 'missing' }),
    ).toEqual({
      error: {
        message: 'messages is required',
        type: 'invalid_request_error',
        param: 'messages',
        code: 'missing',
      },
    });
    expect(openAIErrorBody(500, 'boom')).toEqual({
      error: { message: 'boom', type: 'server_error', param: null, code: null },
    });
    expect(anthropicErrorBody(529, 'Overloaded')).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('make the OpenAI SDK raise its own error class with the message', async () => {
    const client = openAIAnswering({
      status: 400,
      body: JSON.stringify(openAIErrorBody(400, 'messages is required', { param: 'messages' })),
      contentType: 'application/json',
    });
    const error = await client.chat.completions
      .create({ model: 'm', messages: [] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('messages is required');
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe('messages');
  });

  it('make the Anthropic SDK raise its own error class with the message', async () => {
    const client = anthropicAnswering({
      status: 429,
      body: JSON.stringify(anthropicErrorBody(429, 'slow down')),
      contentType: 'application/json',
    });
    const error = await client.messages
      .create({ model: 'm', max_tokens: 1, messages: [] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.message).toContain('slow down');
    expect(error.error).toEqual(anthropicErrorBody(429, 'slow down'));
  });
});

describe('stream error frames', () => {
  it('make the OpenAI SDK raise mid-stream, after the chunks before them', async () => {
    const [first] = chatCompletionToSse({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
    });
    expect(openAIStreamErrorFrame(502, 'upstream broke')).toBe(
      encodeSseEvent({
        error: { message: 'upstream broke', type: 'server_error', param: null, code: null },
      }),
    );
    const client = openAIAnswering({ body: first + openAIStreamErrorFrame(502, 'upstream broke') });
    const seen: unknown[] = [];
    const consume = async () => {
      for await (const chunk of await client.chat.completions.create({
        model: 'm',
        messages: [],
        stream: true,
      })) {
        seen.push(chunk);
      }
    };
    const error = await consume().catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.message).toContain('upstream broke');
    expect(seen).toHaveLength(1);
  });

  it('make the Anthropic SDK raise mid-stream', async () => {
    const frame = anthropicStreamErrorFrame(529, 'Overloaded');
    expect(frame.startsWith('event: error\n')).toBe(true);
    const client = anthropicAnswering({ body: frame });
    const error = await client.messages
      .stream({ model: 'm', max_tokens: 1, messages: [] })
      .finalMessage()
      .catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.message).toContain('Overloaded');
  });
});

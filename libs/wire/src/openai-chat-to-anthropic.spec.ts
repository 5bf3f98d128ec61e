import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { anthropicMessageToEvents } from './anthropic-message-replay';
import type { AnthropicMessage, AnthropicStreamEvent } from './anthropic.types';
import { ChatCompletionAssembler } from './openai-chat-assembler';
import {
  anthropicMessageToOpenAIChat,
  AnthropicToOpenAIChatStream,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  openAIChatRequestToAnthropic,
} from './openai-chat-to-anthropic';
import { randomAnthropicMessage, seededRandom } from './samples.fixture';
import { openAIAnswering } from './sdk-clients.fixture';
import { encodeSseEvent, SSE_DONE } from './sse';
import { UntranslatableError } from './untranslatable.error';

const base: ChatCompletionCreateParamsBase = {
  model: 'claude-sonnet-5-5',
  messages: [{ role: 'user', content: 'Hi' }],
};

const translate = (changes: Partial<ChatCompletionCreateParamsBase>) =>
  openAIChatRequestToAnthropic({ ...base, ...changes });

describe('openAIChatRequestToAnthropic', () => {
  it('maps a conversation with images, tool calls and tool results', () => {
    const request = translate({
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather where these are?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
            { type: 'image_url', image_url: { url: 'https://example.com/b.jpg', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'unknown' }] },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
    expect(request.system).toEqual([
      { type: 'text', text: 'Be terse.' },
      { type: 'text', text: 'Use metric units.' },
    ]);
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather where these are?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/b.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
          {
            type: 'tool_result',
            tool_use_id: 'call_2',
            content: [{ type: 'text', text: 'unknown' }],
          },
          { type: 'text', text: 'And tomorrow?' },
        ],
      },
    ]);
  });

  it('sends one system message and lone text turns as strings, assistant text and refusals as text', () => {
    const request = translate({
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Hello' },
            { type: 'refusal', refusal: 'but no.' },
          ],
        },
      ],
    });
    expect(request.system).toBe('Be terse.');
    expect(request.messages).toEqual([
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Hello' },
          { type: 'text', text: 'but no.' },
        ],
      },
    ]);
    expect(translate({})).not.toHaveProperty('system');
  });

  it('maps the generation parameters and leaves out the ones Anthropic lacks', () => {
    const request = translate({
      max_completion_tokens: 300,
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true },
      seed: 7,
      frequency_penalty: 0.5,
      store: true,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'out', schema: { type: 'object' } },
      },
    });
    expect(request).toEqual({
      model: 'claude-sonnet-5-5',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
      output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
      metadata: { user_id: 'u-1' },
      stream: true,
    });
    expect(translate({ stop: ['a', 'b'], safety_identifier: 's-1', user: 'u-1' })).toMatchObject({
      stop_sequences: ['a', 'b'],
      metadata: { user_id: 's-1' },
    });
    expect(translate({ response_format: { type: 'json_object' } })).not.toHaveProperty(
      'output_config',
    );
  });

  it('falls back to max_tokens, then to a default, since Anthropic requires one', () => {
    expect(translate({ max_tokens: 50 }).max_tokens).toBe(50);
    expect(translate({}).max_tokens).toBe(DEFAULT_ANTHROPIC_MAX_TOKENS);
    expect(openAIChatRequestToAnthropic(base, { defaultMaxTokens: 1000 }).max_tokens).toBe(1000);
  });

  it('maps function tools to input_schema tools', () => {
    const parameters = { type: 'object', properties: { city: { type: 'string' } } };
    const request = translate({
      tools: [
        {
          type: 'function',
          function: { name: 'weather', description: 'Weather', parameters, strict: true },
        },
        { type: 'function', function: { name: 'now' } },
      ],
    });
    expect(request.tools).toEqual([
      { name: 'weather', description: 'Weather', input_schema: parameters, strict: true },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  it.each<[Partial<ChatCompletionCreateParamsBase>, unknown]>([
    [{ tool_choice: 'auto' }, { type: 'auto' }],
    [{ tool_choice: 'none' }, { type: 'none' }],
    [{ tool_choice: 'required' }, { type: 'any' }],
    [
      { tool_choice: { type: 'function', function: { name: 'weather' } } },
      { type: 'tool', name: 'weather' },
    ],
    [
      { tool_choice: 'required', parallel_tool_calls: false },
      { type: 'any', disable_parallel_tool_use: true },
    ],
    [{ parallel_tool_calls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    [{ parallel_tool_calls: true }, undefined],
  ])('maps tool choice %j to %j', (changes, expected) => {
    expect(translate(changes).tool_choice).toEqual(expected);
  });

  it.each<[string, Partial<ChatCompletionCreateParamsBase>]>([
    ['n > 1', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 2 }],
    ['audio output', { modalities: ['text', 'audio'] }],
    ['functions', { functions: [{ name: 'f' }] }],
    ['function messages', { messages: [{ role: 'function', name: 'f', content: 'x' }] }],
    [
      'audio parts',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }],
          },
        ],
      },
    ],
    [
      'svg images',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml;base64,x' } }],
          },
        ],
      },
    ],
    [
      'file-id images',
      {
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'file-123' } }] },
        ],
      },
    ],
    ['custom tools', { tools: [{ type: 'custom', custom: { name: 'sql' } }] }],
    [
      'allowed_tools',
      { tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } },
    ],
    [
      'tool call arguments that are not JSON',
      {
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }],
          },
        ],
      },
    ],
    [
      'custom tool calls',
      {
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'f', input: '' } }],
          },
        ],
      },
    ],
  ])('refuses %s instead of weakening the request', (_, changes) => {
    expect(() => translate(changes)).toThrow(UntranslatableError);
  });
});

const message: AnthropicMessage = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-5-5',
  content: [
    { type: 'thinking', thinking: 'hmm', signature: 's' },
    { type: 'text', text: 'Checking ' },
    { type: 'text', text: 'now.' },
    { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 10,
    output_tokens: 5,
    cache_read_input_tokens: 90,
    cache_creation_input_tokens: 3,
  },
};

describe('anthropicMessageToOpenAIChat', () => {
  it('joins text, turns tool_use into tool_calls and counts cached tokens into the prompt', () => {
    expect(anthropicMessageToOpenAIChat(message, 1700)).toEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1700,
      model: 'claude-sonnet-5-5',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking now.',
            refusal: null,
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 103,
        completion_tokens: 5,
        total_tokens: 108,
        prompt_tokens_details: { cached_tokens: 90 },
      },
    });
  });

  it('answers null content when Claude wrote no text', () => {
    const silent = { ...message, content: [], usage: { input_tokens: 1, output_tokens: 0 } };
    const completion = anthropicMessageToOpenAIChat(silent);
    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
    });
    expect(completion.usage).toEqual({ prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 });
    expect(completion.created).toBeCloseTo(Date.now() / 1000, -1);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    [null, 'stop'],
  ] as const)('maps stop reason %s to finish_reason %s', (stop, finish) => {
    const completion = anthropicMessageToOpenAIChat({ ...message, stop_reason: stop });
    expect(completion.choices[0].finish_reason).toBe(finish);
  });
});

function translateStream(events: AnthropicStreamEvent[], includeUsage = true) {
  const stream = new AnthropicToOpenAIChatStream({ includeUsage, created: 1700 });
  return events.flatMap((event) => stream.push(event));
}

describe('AnthropicToOpenAIChatStream', () => {
  it('streams what anthropicMessageToOpenAIChat answers', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const sample = randomAnthropicMessage(seededRandom(seed));
      const assembler = new ChatCompletionAssembler();
      for (const chunk of translateStream(anthropicMessageToEvents(sample))) assembler.push(chunk);
      expect(assembler.result()).toEqual(anthropicMessageToOpenAIChat(sample, 1700));
    }
  });

  it('holds the finish_reason back until message_stop', () => {
    const events = anthropicMessageToEvents(message);
    const chunks = translateStream(events.slice(0, -1));
    expect(chunks.some((c) => c.choices.some((choice) => choice.finish_reason))).toBe(false);
    const assembler = new ChatCompletionAssembler();
    for (const chunk of chunks) assembler.push(chunk);
    expect(assembler.complete).toBe(false);
  });

  it('sends the usage chunk only when asked, and nothing for pings, errors and server tool input', () => {
    const events = anthropicMessageToEvents(message);
    expect(translateStream(events, false).some((c) => c.usage)).toBe(false);
    const quiet = translateStream([
      events[0],
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use' } },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{}' },
      },
      { type: 'error', error: { type: 'api_error', message: 'x' } },
    ]);
    expect(quiet).toHaveLength(1);
  });

  it('sends "{}" as the arguments of a tool called without any', () => {
    const start = anthropicMessageToEvents(message)[0];
    const chunks = translateStream([
      start,
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 't', name: 'now', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '' },
      },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 1 },
      },
      { type: 'message_stop' },
    ]);
    const assembler = new ChatCompletionAssembler();
    for (const chunk of chunks) assembler.push(chunk);
    expect(assembler.result().choices[0].message.tool_calls).toEqual([
      { id: 't', type: 'function', function: { name: 'now', arguments: '{}' } },
    ]);
  });

  it('is a stream the official SDK folds into the translated completion', async () => {
    const frames = translateStream(anthropicMessageToEvents(message)).map((c) => encodeSseEvent(c));
    const client = openAIAnswering({ body: [...frames, SSE_DONE].join('') });
    const final = await client.chat.completions
      .stream({ model: 'claude-sonnet-5-5', messages: [] })
      .finalChatCompletion();
    const expected = anthropicMessageToOpenAIChat(message, 1700);
    expect(final.choices[0].message).toMatchObject(expected.choices[0].message);
    expect(final.usage).toEqual(expected.usage);
  });
});

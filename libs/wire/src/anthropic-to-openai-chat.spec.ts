import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { AnthropicMessageAssembler } from './anthropic-message-assembler';
import {
  anthropicRequestToOpenAIChat,
  OpenAIChatToAnthropicStream,
  openAIChatToAnthropicMessage,
} from './anthropic-to-openai-chat';
import type { AnthropicMessagesRequest, AnthropicStreamEvent } from './anthropic.types';
import { chatCompletionToChunks } from './openai-chat-replay';
import { randomChatCompletion, seededRandom } from './samples.fixture';
import { anthropicAnswering } from './sdk-clients.fixture';
import { encodeSseEvent } from './sse';
import { UntranslatableError } from './untranslatable.error';

const base: AnthropicMessagesRequest = {
  model: 'gpt-4o-mini',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hi' }],
};

const translate = (changes: Partial<AnthropicMessagesRequest>) =>
  anthropicRequestToOpenAIChat({ ...base, ...changes });

describe('anthropicRequestToOpenAIChat', () => {
  it('maps a conversation with images, tool use and tool results', () => {
    const request = translate({
      system: [{ type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather where these are?' },
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' },
            },
            { type: 'image', source: { type: 'url', url: 'https://example.com/b.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              content: [{ type: 'text', text: '25C' }],
              is_error: false,
            },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
        { role: 'assistant', content: 'Let me see.' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather where these are?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
          { type: 'image_url', image_url: { url: 'https://example.com/b.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Paris"}' },
          },
          {
            id: 'toolu_2',
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Rome"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '25C' }] },
      { role: 'user', content: 'And tomorrow?' },
      { role: 'assistant', content: 'Let me see.' },
    ]);
  });

  it('maps a system string, system-role turns, and tool-only assistant turns with null content', () => {
    const request = translate({
      system: 'Be terse.',
      messages: [
        { role: 'system', content: 'Mid-conversation note.' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'now', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'system', content: 'Mid-conversation note.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't', type: 'function', function: { name: 'now', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 't', content: '' },
    ]);
    expect(translate({ system: '' }).messages).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('maps the generation parameters, drops top_k and thinking, and asks a stream for usage', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(
      translate({
        temperature: 0.3,
        top_p: 0.8,
        top_k: 40,
        stop_sequences: ['END'],
        metadata: { user_id: 'u-1' },
        stream: true,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        output_config: { format: { type: 'json_schema', schema } },
      }),
    ).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 256,
      temperature: 0.3,
      top_p: 0.8,
      stop: ['END'],
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema } },
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('maps input_schema tools to function tools', () => {
    const input_schema = { type: 'object' as const, properties: { city: { type: 'string' } } };
    expect(
      translate({
        tools: [
          { name: 'weather', description: 'Weather', input_schema, strict: true },
          { name: 'now', input_schema: { type: 'object' } },
        ],
      }).tools,
    ).toEqual([
      {
        type: 'function',
        function: {
          name: 'weather',
          description: 'Weather',
          parameters: input_schema,
          strict: true,
        },
      },
      { type: 'function', function: { name: 'now', parameters: { type: 'object' } } },
    ]);
  });

  it.each<[AnthropicMessagesRequest['tool_choice'], Record<string, unknown>]>([
    [{ type: 'auto' }, { tool_choice: 'auto' }],
    [{ type: 'none' }, { tool_choice: 'none' }],
    [{ type: 'any' }, { tool_choice: 'required' }],
    [
      { type: 'tool', name: 'weather' },
      { tool_choice: { type: 'function', function: { name: 'weather' } } },
    ],
    [
      { type: 'any', disable_parallel_tool_use: true },
      { tool_choice: 'required', parallel_tool_calls: false },
    ],
  ])('maps tool_choice %j', (tool_choice, expected) => {
    const request = translate({ tool_choice });
    expect({
      tool_choice: request.tool_choice,
      parallel_tool_calls: request.parallel_tool_calls,
    }).toEqual({
      parallel_tool_calls: undefined,
      ...expected,
    });
  });

  it.each<[string, Partial<AnthropicMessagesRequest>]>([
    ['server tools', { tools: [{ type: 'web_search_20250305', name: 'web_search' }] }],
    [
      'documents',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } },
            ],
          },
        ],
      },
    ],
    [
      'images inside tool results',
      {
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 't',
                content: [
                  { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
                ],
              },
            ],
          },
        ],
      },
    ],
    [
      'images given by file id',
      {
        messages: [
          { role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] },
        ],
      },
    ],
    [
      'server tool blocks in assistant turns',
      {
        messages: [
          {
            role: 'assistant',
            content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }],
          },
        ],
      },
    ],
  ])('refuses %s', (_, changes) => {
    expect(() => translate(changes)).toThrow(UntranslatableError);
  });
});

const completion: ChatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Checking.',
        refusal: null,
        tool_calls: [
          {
            id: 'call_1',
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
    prompt_tokens: 100,
    completion_tokens: 7,
    total_tokens: 107,
    prompt_tokens_details: { cached_tokens: 60 },
  },
};

describe('openAIChatToAnthropicMessage', () => {
  it('turns content and tool calls into blocks and splits cached tokens out of the input', () => {
    expect(openAIChatToAnthropicMessage(completion)).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 40,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 60,
      },
    });
  });

  it('answers a refusal as text and no usage as zeros', () => {
    const refused = structuredClone(completion);
    refused.choices[0] = {
      ...refused.choices[0],
      message: { role: 'assistant', content: null, refusal: 'No.' },
      finish_reason: 'content_filter',
    };
    delete refused.usage;
    expect(openAIChatToAnthropicMessage(refused)).toMatchObject({
      content: [{ type: 'text', text: 'No.' }],
      stop_reason: 'refusal',
      usage: { input_tokens: 0, output_tokens: 0 },
    });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
  ] as const)('maps finish_reason %s to stop reason %s', (finish, stop) => {
    const done = structuredClone(completion);
    done.choices[0].finish_reason = finish;
    expect(openAIChatToAnthropicMessage(done).stop_reason).toBe(stop);
  });

  it.each<[string, (c: ChatCompletion) => void]>([
    ['no choice', (c) => (c.choices = [])],
    [
      'arguments that are not JSON',
      (c) =>
        (c.choices[0].message.tool_calls = [
          { id: 'c', type: 'function', function: { name: 'f', arguments: '{' } },
        ]),
    ],
    [
      'custom tool calls',
      (c) =>
        (c.choices[0].message.tool_calls = [
          { id: 'c', type: 'custom', custom: { name: 'f', input: '' } },
        ]),
    ],
  ])('refuses a completion with %s', (_, change) => {
    const odd = structuredClone(completion);
    change(odd);
    expect(() => openAIChatToAnthropicMessage(odd)).toThrow(UntranslatableError);
  });

  it('reads empty arguments as no input', () => {
    const bare = structuredClone(completion);
    bare.choices[0].message.tool_calls = [
      { id: 'c', type: 'function', function: { name: 'now', arguments: '' } },
    ];
    expect(openAIChatToAnthropicMessage(bare).content[1]).toEqual({
      type: 'tool_use',
      id: 'c',
      name: 'now',
      input: {},
    });
  });
});

function translateStream(chunks: ChatCompletionChunk[]): AnthropicStreamEvent[] {
  const stream = new OpenAIChatToAnthropicStream();
  return [...chunks.flatMap((chunk) => stream.push(chunk)), ...stream.end()];
}

function assemble(events: AnthropicStreamEvent[]) {
  const assembler = new AnthropicMessageAssembler();
  for (const event of events) assembler.push(event);
  return assembler;
}

describe('OpenAIChatToAnthropicStream', () => {
  it('streams what openAIChatToAnthropicMessage answers', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const sample = randomChatCompletion(seededRandom(seed));
      const events = translateStream(chatCompletionToChunks(sample, { includeUsage: true }));
      expect(assemble(events).result()).toEqual(openAIChatToAnthropicMessage(sample));
    }
  });

  it('ends as soon as the usage chunk follows the finish_reason, and takes nothing after', () => {
    const stream = new OpenAIChatToAnthropicStream();
    const events = chatCompletionToChunks(completion, { includeUsage: true }).flatMap((c) =>
      stream.push(c),
    );
    expect(events.slice(-2).map((e) => e.type)).toEqual(['message_delta', 'message_stop']);
    expect(stream.end()).toEqual([]);
    expect(stream.push(chatCompletionToChunks(completion)[1])).toEqual([]);
  });

  it('without a usage chunk, ends only when told the upstream stream ended', () => {
    const stream = new OpenAIChatToAnthropicStream();
    const events = chatCompletionToChunks(completion).flatMap((c) => stream.push(c));
    expect(events.map((e) => e.type)).not.toContain('message_stop');
    expect(stream.end().map((e) => e.type)).toEqual(['message_delta', 'message_stop']);
  });

  it('never sends message_stop for a stream cut before its finish_reason', () => {
    const chunks = chatCompletionToChunks(completion, { includeUsage: true });
    const events = translateStream(chunks.slice(0, 3));
    expect(events.map((e) => e.type)).not.toContain('message_stop');
    expect(assemble(events).complete).toBe(false);
  });

  it('is a stream the official SDK folds into the translated message', async () => {
    const events = translateStream(chatCompletionToChunks(completion, { includeUsage: true }));
    const client = anthropicAnswering({
      body: events.map((e) => encodeSseEvent(e, e.type)).join(''),
    });
    const final = await client.messages
      .stream({ model: 'gpt-4o-mini', max_tokens: 10, messages: [] })
      .finalMessage();
    expect(final).toMatchObject(openAIChatToAnthropicMessage(completion));
  });
});

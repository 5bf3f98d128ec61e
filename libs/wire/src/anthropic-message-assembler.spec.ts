import type { Message } from '@anthropic-ai/sdk/resources/messages';
import { AnthropicMessageAssembler } from './anthropic-message-assembler';
import type { AnthropicMessage, AnthropicStreamEvent } from './anthropic.types';
import { IncompleteStreamError } from './incomplete-stream.error';

const start: AnthropicStreamEvent = {
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 25, output_tokens: 1, cache_read_input_tokens: 5 },
  },
};

const stop = (usage: Record<string, unknown> = {}): AnthropicStreamEvent[] => [
  {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 40, ...usage },
  },
  { type: 'message_stop' },
];

function assemble(events: AnthropicStreamEvent[]) {
  const assembler = new AnthropicMessageAssembler();
  for (const event of events) assembler.push(event);
  return assembler;
}

describe('AnthropicMessageAssembler', () => {
  it('folds text, thinking and tool_use blocks, stop reason and usage into one message', () => {
    const assembler = assemble([
      start,
      { type: 'ping' },
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'Let me ' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'look.' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'signature_delta', signature: 'sig' },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking ' } },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'text_delta', text: 'the weather.' },
      },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' },
      },
      {
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: 'ris", "days": [1,2]}' },
      },
      { type: 'content_block_stop', index: 2 },
      ...stop(),
    ]);
    expect(assembler.complete).toBe(true);
    expect(assembler.result()).toEqual({
      ...start.message,
      content: [
        { type: 'thinking', thinking: 'Let me look.', signature: 'sig' },
        { type: 'text', text: 'Checking the weather.' },
        {
          type: 'tool_use',
          id: 'toolu_1',
          name: 'weather',
          input: { city: 'Paris', days: [1, 2] },
        },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 25, output_tokens: 40, cache_read_input_tokens: 5 },
    });
  });

  it('reads tool input as {} when none streamed, and keeps a block that started whole', () => {
    const result = assemble([
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
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'redacted_thinking', data: 'opaque' },
      },
      { type: 'content_block_stop', index: 1 },
      ...stop(),
    ]).result();
    expect(result.content).toEqual([
      { type: 'tool_use', id: 't', name: 'now', input: {} },
      { type: 'redacted_thinking', data: 'opaque' },
    ]);
  });

  it('appends citations to their text block', () => {
    const citation = { type: 'char_location', cited_text: 'x' };
    const result = assemble([
      start,
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '', citations: [] },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'cited' } },
      { type: 'content_block_stop', index: 0 },
      ...stop(),
    ]).result();
    expect(result.content).toEqual([{ type: 'text', text: 'cited', citations: [citation] }]);
  });

  it('takes the whole-message counters of message_delta over those of message_start', () => {
    const result = assemble([
      start,
      ...stop({ input_tokens: 30, cache_read_input_tokens: null, cache_creation_input_tokens: 7 }),
    ]).result();
    expect(result.usage).toEqual({
      input_tokens: 30,
      output_tokens: 40,
      cache_read_input_tokens: 5,
      cache_creation_input_tokens: 7,
    });
  });

  const text = (index: number): AnthropicStreamEvent => ({
    type: 'content_block_start',
    index,
    content_block: { type: 'text', text: '' },
  });

  it.each<[string, AnthropicStreamEvent[], string]>([
    ['no event', [], 'no message_start'],
    [
      'a stream cut before message_stop',
      [start, text(0), { type: 'content_block_stop', index: 0 }],
      'no message_stop',
    ],
    [
      'an error event',
      [
        start,
        { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
        ...stop(),
      ],
      'overloaded_error: Overloaded',
    ],
    [
      'an event before message_start',
      [text(0), start, ...stop()],
      'content_block_start before message_start',
    ],
    ['a second message_start', [start, start, ...stop()], 'a second message_start'],
    ['a block never stopped', [start, text(0), ...stop()], 'block 0 was never stopped'],
    [
      'a stop for no open block',
      [start, { type: 'content_block_stop', index: 3 }, ...stop()],
      'no open block',
    ],
    [
      'a delta that does not fit its block',
      [
        start,
        text(0),
        { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'x' } },
      ],
      'thinking_delta for a text block at 0',
    ],
    [
      'a delta for no block',
      [start, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } }],
      'text_delta for no open block at 0',
    ],
    [
      'tool input that is not JSON',
      [
        start,
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't', name: 'n', input: {} },
        },
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '{"cut' },
        },
        { type: 'content_block_stop', index: 0 },
        ...stop(),
      ],
      'the input of block 0 is not JSON',
    ],
  ])('reports %s as incomplete', (_, events, reason) => {
    const assembler = assemble(events);
    expect(assembler.complete).toBe(false);
    expect(() => assembler.result()).toThrow(IncompleteStreamError);
    expect(() => assembler.result()).toThrow(reason);
  });

  it('takes the messages the SDK types describe', () => {
    // Compile-time: an SDK Message is an AnthropicMessage, so SDK-shaped bodies can be fed in.
    const fromSdk = (message: Message): AnthropicMessage => message;
    expect(fromSdk).toBeInstanceOf(Function);
  });
});

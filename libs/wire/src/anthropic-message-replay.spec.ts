import { AnthropicMessageAssembler } from './anthropic-message-assembler';
import { anthropicMessageToEvents, anthropicMessageToSse } from './anthropic-message-replay';
import type { AnthropicMessage } from './anthropic.types';
import { randomAnthropicMessage, seededRandom } from './samples.fixture';
import { anthropicAnswering } from './sdk-clients.fixture';
import { SseParser } from './sse';

const message: AnthropicMessage = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-5-5',
  content: [
    { type: 'thinking', thinking: 'The user wants weather.', signature: 'sig_1' },
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris', days: 2 } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 30, output_tokens: 12, cache_read_input_tokens: 0 },
};

function assemble(events: ReturnType<typeof anthropicMessageToEvents>): AnthropicMessage {
  const assembler = new AnthropicMessageAssembler();
  for (const event of events) assembler.push(event);
  return assembler.result();
}

describe('anthropicMessageToEvents', () => {
  it('starts the message empty, streams each block, and ends with message_delta and message_stop', () => {
    const events = anthropicMessageToEvents(message);
    expect(events.map((e) => ('delta' in e && 'type' in e.delta ? e.delta.type : e.type))).toEqual([
      'message_start',
      'content_block_start',
      'thinking_delta',
      'signature_delta',
      'content_block_stop',
      'content_block_start',
      'text_delta',
      'content_block_stop',
      'content_block_start',
      'input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]).toEqual({
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...message.usage, output_tokens: 0 },
      },
    });
    expect(events[8]).toEqual({
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} },
    });
    expect(events[11]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 12 },
    });
  });

  it('starts blocks it does not know whole', () => {
    const search = {
      type: 'server_tool_use',
      id: 'srvtoolu_1',
      name: 'web_search',
      input: { query: 'x' },
    };
    const events = anthropicMessageToEvents({ ...message, content: [search as never] });
    expect(events.slice(1, 3)).toEqual([
      { type: 'content_block_start', index: 0, content_block: search },
      { type: 'content_block_stop', index: 0 },
    ]);
    expect(assemble(events).content).toEqual([search]);
  });

  it('assembles back to the message it came from', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const sample = randomAnthropicMessage(seededRandom(seed));
      expect(assemble(anthropicMessageToEvents(sample))).toEqual(sample);
    }
  });

  it('keeps citations through the round trip', () => {
    const cited: AnthropicMessage = {
      ...message,
      content: [
        {
          type: 'text',
          text: 'Paris.',
          citations: [{ type: 'char_location', cited_text: 'Paris' }],
        },
      ],
    };
    expect(assemble(anthropicMessageToEvents(cited))).toEqual(cited);
  });
});

describe('anthropicMessageToSse', () => {
  it('names each frame after its event type', () => {
    const records = new SseParser().push(anthropicMessageToSse(message).join(''));
    expect(records.map((r) => r.event)).toEqual(
      anthropicMessageToEvents(message).map((e) => e.type),
    );
    expect(records.map((r) => JSON.parse(r.data))).toEqual(anthropicMessageToEvents(message));
  });

  it('is what the official SDK folds back into the message', async () => {
    const client = anthropicAnswering({ body: anthropicMessageToSse(message).join('') });
    const final = await client.messages
      .stream({ model: 'claude-sonnet-5-5', max_tokens: 100, messages: [] })
      .finalMessage();
    expect(final).toMatchObject(message);
  });
});

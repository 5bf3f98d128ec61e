import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicStreamEvent,
} from './anthropic.types';
import { encodeSseEvent } from './sse';

/**
 * The events the Messages API would have streamed for a message: each block started empty, filled
 * by one delta per kind and stopped; stop reason and output tokens in message_delta, as upstream
 * sends them. Blocks this does not know (server tool calls, redacted thinking) start whole.
 */
export function anthropicMessageToEvents(message: AnthropicMessage): AnthropicStreamEvent[] {
  const { content, usage, stop_reason, stop_sequence } = message;
  const events: AnthropicStreamEvent[] = [
    {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 0 },
      },
    },
  ];
  content.forEach((block, index) => {
    events.push(...blockEvents(block, index), { type: 'content_block_stop', index });
  });
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason, stop_sequence },
      usage: { output_tokens: usage.output_tokens },
    },
    { type: 'message_stop' },
  );
  return events;
}

/** The SSE frames of anthropicMessageToEvents, each named after its type as the SDK requires. */
export function anthropicMessageToSse(message: AnthropicMessage): string[] {
  return anthropicMessageToEvents(message).map((event) => encodeSseEvent(event, event.type));
}

function blockEvents(block: AnthropicContentBlock, index: number): AnthropicStreamEvent[] {
  const start = (content_block: AnthropicContentBlock): AnthropicStreamEvent => ({
    type: 'content_block_start',
    index,
    content_block,
  });
  switch (block.type) {
    case 'text': {
      const citations = Array.isArray(block.citations) ? block.citations : undefined;
      return [
        start({ ...block, text: '', ...(citations && { citations: [] }) }),
        ...(block.text ? [delta(index, { type: 'text_delta', text: block.text })] : []),
        ...(citations ?? []).map((citation) => delta(index, { type: 'citations_delta', citation })),
      ];
    }
    case 'tool_use':
      return [
        start({ ...block, input: {} }),
        delta(index, { type: 'input_json_delta', partial_json: JSON.stringify(block.input) }),
      ];
    case 'thinking':
      return [
        start({ ...block, thinking: '', signature: '' }),
        ...(block.thinking
          ? [delta(index, { type: 'thinking_delta', thinking: block.thinking })]
          : []),
        delta(index, { type: 'signature_delta', signature: block.signature }),
      ];
    default:
      return [start(block)];
  }
}

function delta(
  index: number,
  d: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>['delta'],
): AnthropicStreamEvent {
  return { type: 'content_block_delta', index, delta: d };
}

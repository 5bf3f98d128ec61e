import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { AnthropicContentBlock, AnthropicMessage } from './anthropic.types';
import type { OpenAIResponse, OpenAIResponseItem } from './openai-responses.types';

/** Seeded, so a failing case is rerun from its seed. */
export { seededRandom } from '../../../scripts/lib/seeded-random';

type Random = () => number;

const WORDS = [
  'Paris',
  'is',
  'the',
  'capital',
  '"quoted"',
  'line\nbreak',
  'ünïcødé',
  '🚀',
  '{',
  '}',
  '\\',
];

const int = (random: Random, max: number) => Math.floor(random() * (max + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length - 1)];
const times = <T>(random: Random, max: number, make: (i: number) => T): T[] =>
  Array.from({ length: int(random, max) }, (_, i) => make(i));

export function randomText(random: Random): string {
  return times(random, 12, () => pick(random, WORDS)).join(' ');
}

function randomJson(random: Random, depth = 0): unknown {
  const kind = depth > 2 ? int(random, 2) : int(random, 4);
  if (kind === 0) return randomText(random);
  if (kind === 1) return int(random, 1000) - 500;
  if (kind === 2) return pick(random, [true, false, null]);
  if (kind === 3) return times(random, 3, () => randomJson(random, depth + 1));
  return Object.fromEntries(times(random, 3, (i) => [`k${i}`, randomJson(random, depth + 1)]));
}

function randomObject(random: Random): Record<string, unknown> {
  return Object.fromEntries(times(random, 4, (i) => [`arg${i}`, randomJson(random, 1)]));
}

export function randomChatCompletion(random: Random): ChatCompletion {
  const toolCalls = times(random, 3, (i) => ({
    id: `call_${i}_${int(random, 1e6)}`,
    type: 'function' as const,
    function: { name: `tool_${i}`, arguments: JSON.stringify(randomObject(random)) },
  }));
  const content = toolCalls.length > 0 && random() < 0.5 ? null : randomText(random);
  const prompt = int(random, 500);
  const completion = int(random, 500);
  return {
    id: `chatcmpl-${int(random, 1e9)}`,
    object: 'chat.completion',
    created: 1_700_000_000 + int(random, 1e6),
    model: 'gpt-4o-mini',
    system_fingerprint: `fp_${int(random, 1e6)}`,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          refusal: null,
          ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
        },
        finish_reason:
          toolCalls.length > 0 ? 'tool_calls' : pick(random, ['stop', 'length'] as const),
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    },
  };
}

function randomAnthropicBlock(random: Random, i: number): AnthropicContentBlock {
  switch (int(random, 3)) {
    case 0:
      return { type: 'text', text: randomText(random) || 'x' };
    case 1:
      return { type: 'tool_use', id: `toolu_${i}`, name: `tool_${i}`, input: randomObject(random) };
    case 2:
      return {
        type: 'thinking',
        thinking: randomText(random),
        signature: `sig${int(random, 1e6)}`,
      };
    default:
      return { type: 'redacted_thinking', data: `opaque${int(random, 1e6)}` };
  }
}

export function randomAnthropicMessage(random: Random): AnthropicMessage {
  const content = times(random, 4, (i) => randomAnthropicBlock(random, i));
  const usesTools = content.some((block) => block.type === 'tool_use');
  return {
    id: `msg_${int(random, 1e9)}`,
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content,
    stop_reason: usesTools ? 'tool_use' : pick(random, ['end_turn', 'max_tokens'] as const),
    stop_sequence: null,
    usage: {
      input_tokens: int(random, 500),
      output_tokens: int(random, 500),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: int(random, 100),
    },
  };
}

function randomResponseItem(random: Random, i: number): OpenAIResponseItem {
  switch (int(random, 2)) {
    case 0:
      return {
        type: 'message',
        id: `msg_${i}`,
        role: 'assistant',
        status: 'completed',
        content: times(random, 2, () =>
          random() < 0.8
            ? { type: 'output_text' as const, text: randomText(random), annotations: [] }
            : { type: 'refusal' as const, refusal: randomText(random) },
        ),
      };
    case 1:
      return {
        type: 'function_call',
        id: `fc_${i}`,
        call_id: `call_${i}`,
        name: `tool_${i}`,
        arguments: JSON.stringify(randomObject(random)),
        status: 'completed',
      };
    default:
      return { type: 'reasoning', id: `rs_${i}`, summary: [] } as OpenAIResponseItem;
  }
}

export function randomOpenAIResponse(random: Random): OpenAIResponse {
  const input = int(random, 500);
  const output = int(random, 500);
  return {
    id: `resp_${int(random, 1e9)}`,
    object: 'response',
    created_at: 1_700_000_000 + int(random, 1e6),
    model: 'gpt-4.1-mini',
    status: random() < 0.8 ? 'completed' : 'incomplete',
    output: times(random, 3, (i) => randomResponseItem(random, i)),
    usage: {
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
    error: null,
    incomplete_details: null,
  };
}

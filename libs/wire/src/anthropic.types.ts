import type {
  ContentBlock,
  MessageCreateParamsBase,
  StopReason,
} from '@anthropic-ai/sdk/resources/messages';

/*
 * The Anthropic answer and its stream events, typed by what libs/wire reads and writes. The SDK's
 * own types mark every newer field required (container, diagnostics, stop_details, caller...),
 * which upstreams on older API versions and stored entries do not carry; other fields ride along
 * untouched at run time. Requests use the SDK's parameter types, which are optional where it counts.
 */

/**
 * The installed SDK no longer declares the sampling parameters, which the API still takes for the
 * models that have them.
 */
export interface AnthropicMessagesRequest extends MessageCreateParamsBase {
  temperature?: number;
  top_p?: number;
  top_k?: number;
}

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  citations?: unknown[] | null;
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

/** Server-side tool calls, their results and the like: stored and replayed whole, never edited. */
export interface AnthropicOpaqueBlock {
  type: Exclude<ContentBlock['type'], 'text' | 'tool_use' | 'thinking' | 'redacted_thinking'>;
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicToolUseBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicOpaqueBlock;

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export type AnthropicStopReason = StopReason;

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'citations_delta'; citation: unknown };

/** Counters in a message_delta are whole-message totals; absent or null ones did not change. */
export interface AnthropicDeltaUsage {
  output_tokens: number;
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface AnthropicErrorObject {
  type: string;
  message: string;
}

export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | { type: 'content_block_start'; index: number; content_block: AnthropicContentBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
      usage: AnthropicDeltaUsage;
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: AnthropicErrorObject };

import type { ResponseOutputItem } from 'openai/resources/responses/responses';

/*
 * The Responses API answer and stream events, typed by what libs/wire reads and writes. The SDK's
 * `Response` adds `output_text`, a convenience it computes and the wire never carries, and asks
 * for a dozen echoed request fields; other fields ride along untouched at run time.
 */

export interface OpenAIResponseOutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs?: unknown[];
}

export interface OpenAIResponseRefusal {
  type: 'refusal';
  refusal: string;
}

export interface OpenAIResponseMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: Array<OpenAIResponseOutputText | OpenAIResponseRefusal>;
}

export interface OpenAIResponseFunctionCall {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** Reasoning, built-in tool calls and the like: stored and replayed whole, never edited. */
export interface OpenAIResponseOpaqueItem {
  type: Exclude<ResponseOutputItem['type'], 'message' | 'function_call'>;
  id?: string;
}

export type OpenAIResponseItem =
  OpenAIResponseMessage | OpenAIResponseFunctionCall | OpenAIResponseOpaqueItem;

export interface OpenAIResponseUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_tokens_details?: { cached_tokens: number };
  output_tokens_details?: { reasoning_tokens: number };
}

export type OpenAIResponseStatus =
  'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';

export interface OpenAIResponse {
  id: string;
  object: 'response';
  created_at: number;
  model: string;
  status?: OpenAIResponseStatus;
  output: OpenAIResponseItem[];
  usage?: OpenAIResponseUsage | null;
  error?: { code: string; message: string } | null;
  incomplete_details?: { reason?: string } | null;
}

type ResponseLifecycleEvent =
  | 'response.created'
  | 'response.in_progress'
  | 'response.completed'
  | 'response.incomplete'
  | 'response.failed';

type Sequenced<T> = T & { sequence_number: number };

type ContentPart = OpenAIResponseOutputText | OpenAIResponseRefusal;

interface ItemEvent {
  output_index: number;
  item_id: string;
}

interface ContentEvent extends ItemEvent {
  content_index: number;
}

/** The events libs/wire reads or writes; a stream carries more kinds, which pass through. */
export type OpenAIResponseEvent = Sequenced<
  | { type: ResponseLifecycleEvent; response: OpenAIResponse }
  | {
      type: 'response.output_item.added' | 'response.output_item.done';
      output_index: number;
      item: OpenAIResponseItem;
    }
  | ({
      type: 'response.content_part.added' | 'response.content_part.done';
      part: ContentPart;
    } & ContentEvent)
  | ({ type: 'response.output_text.delta'; delta: string; logprobs: unknown[] } & ContentEvent)
  | ({ type: 'response.output_text.done'; text: string; logprobs: unknown[] } & ContentEvent)
  | ({ type: 'response.refusal.delta'; delta: string } & ContentEvent)
  | ({ type: 'response.refusal.done'; refusal: string } & ContentEvent)
  | ({ type: 'response.function_call_arguments.delta'; delta: string } & ItemEvent)
  | ({ type: 'response.function_call_arguments.done'; arguments: string; name: string } & ItemEvent)
  | { type: 'error'; code: string | null; message: string; param: string | null }
>;

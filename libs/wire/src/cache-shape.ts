import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses';
import type { AnthropicMessagesRequest } from './anthropic.types';

/** How a request meets the cache. */
export interface CacheShape {
  /** Why the request cannot be answered with one stored answer; undefined when it can. */
  bypass: string | undefined;
  /**
   * The request without the fields that cannot change the answer: what the exact key hashes.
   * Every other field stays, unknown ones included, since a field the gateway does not know may
   * well change what the provider answers.
   */
  keyBody: Record<string, unknown>;
  /** The last user turn when it is text alone: the only prompts the semantic layer matches. */
  lastUserText: string | undefined;
}

/** How the answer is delivered, who asked, and what is kept on the side: never what is answered. */
const DELIVERY_FIELDS = ['stream', 'stream_options', 'user', 'metadata'];

/**
 * OpenAI-side bookkeeping: `safety_identifier` names the end user for abuse monitoring, and the
 * prompt_cache_* fields steer OpenAI's own prefix cache. `store` is not among them although the
 * text of the answer does not depend on it: the answer's id does. A stored Responses answer can be
 * continued with previous_response_id (and a stored chat completion fetched by id), which fails
 * for an id that came from a request with store: false; Responses stores by default.
 */
const OPENAI_BOOKKEEPING = ['safety_identifier', 'prompt_cache_key', 'prompt_cache_retention'];

export function openAIChatCacheShape(request: ChatCompletionCreateParamsBase): CacheShape {
  const last = request.messages.at(-1);
  return {
    bypass: chatBypass(request),
    keyBody: without(request, [...DELIVERY_FIELDS, ...OPENAI_BOOKKEEPING]),
    lastUserText: last?.role === 'user' ? textOnly(last.content, 'text') : undefined,
  };
}

function chatBypass(request: ChatCompletionCreateParamsBase): string | undefined {
  if (request.n != null && request.n > 1) return 'n > 1 asks for several answers';
  // Token probabilities describe one sampling; callers asking for them want a fresh one.
  if (request.logprobs || request.top_logprobs != null) return 'logprobs describe one sampling';
  return undefined;
}

/**
 * Top-level cache_control only switches on Anthropic's own prompt caching. Breakpoints inside
 * blocks stay in the key: stripping them would mean walking tool schemas, where a property may
 * well be named cache_control.
 */
export function anthropicCacheShape(request: AnthropicMessagesRequest): CacheShape {
  const last = request.messages.at(-1);
  return {
    bypass: undefined,
    keyBody: without(request, [...DELIVERY_FIELDS, 'cache_control']),
    lastUserText: last?.role === 'user' ? textOnly(last.content, 'text') : undefined,
  };
}

export function openAIResponsesCacheShape(request: ResponseCreateParamsBase): CacheShape {
  return {
    bypass: responsesBypass(request),
    keyBody: without(request, [...DELIVERY_FIELDS, ...OPENAI_BOOKKEEPING]),
    lastUserText: responsesLastUserText(request.input),
  };
}

/** Requests whose answer depends on state kept at OpenAI, which the key cannot see. */
function responsesBypass(request: ResponseCreateParamsBase): string | undefined {
  if (request.previous_response_id) return 'previous_response_id continues a stored response';
  if (request.conversation) return 'conversation continues a stored conversation';
  if (request.background) return 'background answers with a handle to poll, not an answer';
  if (request.prompt && request.prompt.version == null) {
    return 'a prompt template without a version follows its latest edit';
  }
  const input = typeof request.input === 'string' ? [] : (request.input ?? []);
  if (input.some(isItemReference)) return 'an item_reference points at stored items';
  if (request.top_logprobs != null || request.include?.includes('message.output_text.logprobs')) {
    return 'logprobs describe one sampling';
  }
  return undefined;
}

/** An item reference may leave out its type: then it is the one item with neither type nor role. */
function isItemReference(item: object): boolean {
  return 'type' in item ? item.type === 'item_reference' : !('role' in item);
}

function responsesLastUserText(input: ResponseCreateParamsBase['input']): string | undefined {
  if (typeof input === 'string') return input;
  const last = input?.at(-1);
  if (!last || !('role' in last) || last.role !== 'user') return undefined;
  if (last.type !== undefined && last.type !== 'message') return undefined;
  return textOnly(last.content, 'input_text');
}

/** The text of content that is a string or only text parts; undefined when anything else is in it. */
function textOnly(content: unknown, textType: string): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || content.length === 0) return undefined;
  const texts: string[] = [];
  for (const part of content as Array<{ type?: unknown; text?: unknown }>) {
    if (part.type !== textType || typeof part.text !== 'string') return undefined;
    texts.push(part.text);
  }
  return texts.join('\n');
}

function without(request: object, fields: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request };
  for (const field of fields) delete body[field];
  return body;
}

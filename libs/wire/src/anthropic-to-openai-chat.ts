import type {
  ContentBlockParam,
  TextBlockParam,
  ToolChoice,
  ToolResultBlockParam,
  ToolUnion,
} from '@anthropic-ai/sdk/resources/messages';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionCreateParamsBase,
  ChatCompletionFunctionTool,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicMessagesRequest,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicUsage,
} from './anthropic.types';
import { parseToolArguments } from './tool-arguments';
import { UntranslatableError } from './untranslatable.error';

/**
 * An Anthropic Messages request as an OpenAI chat request. top_k and thinking have no chat
 * counterpart and are dropped, as are thinking blocks in earlier assistant turns (OpenAI cannot
 * take them back) and a tool result's is_error flag; server-side tools, documents and images
 * inside tool results raise UntranslatableError. A stream asks for the usage chunk, without which
 * the Anthropic message_delta would have no token counts.
 */
export function anthropicRequestToOpenAIChat(
  request: AnthropicMessagesRequest,
): ChatCompletionCreateParamsBase {
  const tools = request.tools?.map(toOpenAITool);
  const format = request.output_config?.format;
  const userId = request.metadata?.user_id;
  return {
    model: request.model,
    messages: [...systemMessages(request.system), ...request.messages.flatMap(toOpenAIMessages)],
    max_completion_tokens: request.max_tokens,
    ...(request.temperature != null && { temperature: request.temperature }),
    ...(request.top_p != null && { top_p: request.top_p }),
    ...(request.stop_sequences?.length && { stop: request.stop_sequences }),
    ...(tools?.length && { tools }),
    ...toOpenAIToolChoice(request.tool_choice),
    ...(format && {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'output', schema: format.schema },
      },
    }),
    ...(userId && { user: userId }),
    ...(request.stream && { stream: true, stream_options: { include_usage: true } }),
  };
}

function refuse(what: string): never {
  throw new UntranslatableError(`OpenAI chat models do not support ${what}`);
}

function systemMessages(system: AnthropicMessagesRequest['system']): ChatCompletionMessageParam[] {
  if (system === undefined || system.length === 0) return [];
  return [{ role: 'system', content: typeof system === 'string' ? system : textParts(system) }];
}

function textParts(blocks: TextBlockParam[]): ChatCompletionContentPartText[] {
  return blocks.map((block) => ({ type: 'text', text: block.text }));
}

/**
 * One Anthropic turn may hold what OpenAI spreads over several messages: tool results become
 * `tool` messages ahead of the user's own words in that turn.
 */
function toOpenAIMessages(
  message: AnthropicMessagesRequest['messages'][number],
): ChatCompletionMessageParam[] {
  if (message.role === 'system') {
    return [{ role: 'system', content: message.content }];
  }
  if (typeof message.content === 'string') {
    return [{ role: message.role, content: message.content }];
  }
  return message.role === 'user'
    ? userMessages(message.content)
    : [assistantMessage(message.content)];
}

function userMessages(blocks: ContentBlockParam[]): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  const parts: ChatCompletionContentPart[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'tool_result':
        messages.push(toolMessage(block));
        break;
      case 'text':
        parts.push({ type: 'text', text: block.text });
        break;
      case 'image':
        parts.push({ type: 'image_url', image_url: { url: imageUrl(block.source) } });
        break;
      default:
        refuse(`${block.type} blocks`);
    }
  }
  if (parts.length === 1 && parts[0].type === 'text') {
    messages.push({ role: 'user', content: parts[0].text });
  } else if (parts.length > 0) {
    messages.push({ role: 'user', content: parts });
  }
  return messages;
}

function imageUrl(source: Extract<ContentBlockParam, { type: 'image' }>['source']): string {
  if (source.type === 'base64') return `data:${source.media_type};base64,${source.data}`;
  if (source.type === 'url') return source.url;
  return refuse('images given by file id');
}

function toolMessage(block: ToolResultBlockParam): ChatCompletionMessageParam {
  const { content = '' } = block;
  if (typeof content === 'string') {
    return { role: 'tool', tool_call_id: block.tool_use_id, content };
  }
  return {
    role: 'tool',
    tool_call_id: block.tool_use_id,
    content: content.map((part) =>
      part.type === 'text'
        ? { type: 'text', text: part.text }
        : refuse(`${part.type} tool results`),
    ),
  };
}

function assistantMessage(blocks: ContentBlockParam[]): ChatCompletionMessageParam {
  const texts: string[] = [];
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  for (const block of blocks) {
    if (block.type === 'text') {
      texts.push(block.text);
    } else if (block.type === 'tool_use') {
      const { id, name, input } = block;
      toolCalls.push({
        id,
        type: 'function',
        function: { name, arguments: JSON.stringify(input) },
      });
    } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
      refuse(`${block.type} blocks`);
    }
  }
  return {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
    ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
  };
}

function toOpenAITool(tool: ToolUnion): ChatCompletionFunctionTool {
  if (!('input_schema' in tool)) return refuse(`the ${tool.type} tool`);
  const { name, description, input_schema, strict } = tool;
  return {
    type: 'function',
    function: {
      name,
      ...(description !== undefined && { description }),
      parameters: input_schema,
      ...(strict !== undefined && { strict }),
    },
  };
}

function toOpenAIToolChoice(choice: ToolChoice | undefined): {
  tool_choice?: ChatCompletionToolChoiceOption;
  parallel_tool_calls?: boolean;
} {
  if (choice === undefined) return {};
  const serial = 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use;
  const parallel = serial ? { parallel_tool_calls: false } : {};
  switch (choice.type) {
    case 'none':
      return { tool_choice: 'none' };
    case 'auto':
      return { tool_choice: 'auto', ...parallel };
    case 'any':
      return { tool_choice: 'required', ...parallel };
    case 'tool':
      return { tool_choice: { type: 'function', function: { name: choice.name } }, ...parallel };
  }
}

const STOP_REASONS: Record<ChatCompletion.Choice['finish_reason'], AnthropicStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** Anthropic counts cached prompt tokens apart from input_tokens; OpenAI counts them inside. */
function toAnthropicUsage(usage: CompletionUsage | undefined): AnthropicUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: (usage?.prompt_tokens ?? 0) - cached,
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/** A chat.completion (its first choice) as an Anthropic message. */
export function openAIChatToAnthropicMessage(completion: ChatCompletion): AnthropicMessage {
  const choice = completion.choices.find((c) => c.index === 0);
  if (!choice) throw new UntranslatableError('the completion has no choice');
  const { content, refusal, tool_calls = [] } = choice.message;
  const blocks: AnthropicContentBlock[] = [];
  const text = content || refusal;
  if (text) blocks.push({ type: 'text', text });
  for (const call of tool_calls) {
    if (call.type !== 'function') refuse(`${call.type} tool calls`);
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments, call.function.name),
    });
  }
  return {
    id: completion.id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content: blocks,
    stop_reason: STOP_REASONS[choice.finish_reason],
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage),
  };
}

interface OpenBlock {
  kind: 'text' | 'tool';
  index: number;
}

/**
 * Translates a chat.completion.chunk stream (choice 0) into Anthropic events as they arrive:
 * text and each tool call become blocks in the order they stream. message_delta and message_stop
 * wait for the usage chunk that follows the finish_reason, or for end() when the stream carries
 * none. A stream cut before its finish_reason never gets message_stop, so the caller's SDK and
 * AnthropicMessageAssembler see it unfinished; error chunks yield nothing (the gateway writes the
 * Anthropic error event).
 */
export class OpenAIChatToAnthropicStream {
  private started = false;
  private ended = false;
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  /** OpenAI tool call index -> Anthropic block index. */
  private readonly toolBlocks = new Map<number, number>();
  private finishReason: ChatCompletion.Choice['finish_reason'] | undefined;
  private usage: CompletionUsage | undefined;

  push(chunk: ChatCompletionChunk): AnthropicStreamEvent[] {
    if (this.ended) return [];
    const events: AnthropicStreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      events.push({
        type: 'message_start',
        message: {
          id: chunk.id,
          type: 'message',
          role: 'assistant',
          model: chunk.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      });
    }
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices.find((c) => c.index === 0);
    if (choice) this.applyDelta(choice, events);
    if (this.finishReason && this.usage) events.push(...this.end());
    return events;
  }

  /** Call when the upstream stream has ended; emits the end of a stream that finished. */
  end(): AnthropicStreamEvent[] {
    if (this.ended || !this.finishReason) return [];
    this.ended = true;
    const usage = toAnthropicUsage(this.usage);
    return [
      {
        type: 'message_delta',
        delta: { stop_reason: STOP_REASONS[this.finishReason], stop_sequence: null },
        usage,
      },
      { type: 'message_stop' },
    ];
  }

  private applyDelta(choice: ChatCompletionChunk.Choice, events: AnthropicStreamEvent[]): void {
    const text = choice.delta.content || choice.delta.refusal;
    if (text) {
      const index =
        this.open?.kind === 'text'
          ? this.open.index
          : this.startBlock('text', { type: 'text', text: '' }, events);
      events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    }
    for (const call of choice.delta.tool_calls ?? []) {
      let index = this.toolBlocks.get(call.index);
      if (index === undefined) {
        const name = call.function?.name ?? '';
        const block = { type: 'tool_use' as const, id: call.id ?? '', name, input: {} };
        index = this.startBlock('tool', block, events);
        this.toolBlocks.set(call.index, index);
      }
      const partial_json = call.function?.arguments;
      if (partial_json) {
        const delta = { type: 'input_json_delta' as const, partial_json };
        events.push({ type: 'content_block_delta', index, delta });
      }
    }
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      this.closeBlock(events);
    }
  }

  private startBlock(
    kind: OpenBlock['kind'],
    block: AnthropicContentBlock,
    events: AnthropicStreamEvent[],
  ): number {
    this.closeBlock(events);
    this.open = { kind, index: this.nextIndex++ };
    events.push({ type: 'content_block_start', index: this.open.index, content_block: block });
    return this.open.index;
  }

  private closeBlock(events: AnthropicStreamEvent[]): void {
    if (!this.open) return;
    events.push({ type: 'content_block_stop', index: this.open.index });
    this.open = undefined;
  }
}

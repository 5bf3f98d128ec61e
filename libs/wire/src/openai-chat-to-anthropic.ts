import type {
  ContentBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolChoice,
} from '@anthropic-ai/sdk/resources/messages';
import type {
  ChatCompletion,
  ChatCompletionAssistantMessageParam,
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionCreateParamsBase,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type {
  AnthropicMessage,
  AnthropicMessagesRequest,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicUsage,
} from './anthropic.types';
import { addDeltaUsage } from './anthropic-usage';
import { parseToolArguments } from './tool-arguments';
import { UntranslatableError } from './untranslatable.error';

/** Anthropic requires max_tokens and OpenAI does not; this is what a request without one gets. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

export interface OpenAIChatToAnthropicOptions {
  defaultMaxTokens?: number;
}

/**
 * An OpenAI chat request as an Anthropic Messages request. Fields that would change what kind of
 * answer comes back (n > 1, logprobs, audio, custom tools) raise UntranslatableError; sampling
 * knobs Anthropic lacks (seed, frequency/presence penalties, logit_bias) and OpenAI-side storage
 * fields (store, metadata, prompt_cache_key, service_tier) are dropped. response_format
 * json_object has no counterpart either and is dropped; json_schema becomes output_config.format.
 */
export function openAIChatRequestToAnthropic(
  request: ChatCompletionCreateParamsBase,
  options: OpenAIChatToAnthropicOptions = {},
): AnthropicMessagesRequest {
  refuseUntranslatable(request);
  const { system, messages } = toAnthropicMessages(request.messages);
  const tools = request.tools?.map(toAnthropicTool);
  const toolChoice = toAnthropicToolChoice(request.tool_choice, request.parallel_tool_calls);
  const stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
  const userId = request.safety_identifier ?? request.user;
  const format = request.response_format;
  return {
    model: request.model,
    max_tokens:
      request.max_completion_tokens ??
      request.max_tokens ??
      options.defaultMaxTokens ??
      DEFAULT_ANTHROPIC_MAX_TOKENS,
    ...(system && { system }),
    messages,
    ...(request.temperature != null && { temperature: request.temperature }),
    ...(request.top_p != null && { top_p: request.top_p }),
    ...(stop && stop.length > 0 && { stop_sequences: stop }),
    ...(tools && tools.length > 0 && { tools }),
    ...(toolChoice && { tool_choice: toolChoice }),
    ...(format?.type === 'json_schema' &&
      format.json_schema.schema && {
        output_config: { format: { type: 'json_schema', schema: format.json_schema.schema } },
      }),
    ...(userId && { metadata: { user_id: userId } }),
    ...(request.stream && { stream: true }),
  };
}

function refuseUntranslatable(request: ChatCompletionCreateParamsBase): void {
  if (request.n != null && request.n > 1) refuse('n > 1 (Anthropic answers one choice)');
  if (request.logprobs || request.top_logprobs != null) refuse('logprobs');
  if (request.audio || request.modalities?.includes('audio')) refuse('audio output');
  if (request.functions || request.function_call) refuse('functions (use tools)');
}

function refuse(what: string): never {
  throw new UntranslatableError(`Anthropic models do not support ${what}`);
}

type Turn = { role: 'user' | 'assistant'; content: ContentBlockParam[] };

/**
 * System and developer messages become the system prompt wherever they stand, since Anthropic has
 * no mid-conversation system turn. Tool results become user turns; consecutive turns of one role
 * are merged, as Anthropic wants tool results and the user's next words in one turn.
 */
function toAnthropicMessages(messages: ChatCompletionCreateParamsBase['messages']): {
  system: string | TextBlockParam[] | undefined;
  messages: MessageParam[];
} {
  const system: TextBlockParam[] = [];
  const turns: Turn[] = [];
  const append = (role: Turn['role'], content: ContentBlockParam[]) => {
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content));
        break;
      case 'user':
        append('user', userBlocks(message.content));
        break;
      case 'assistant':
        append('assistant', assistantBlocks(message));
        break;
      case 'tool':
        append('user', [
          {
            type: 'tool_result',
            tool_use_id: message.tool_call_id,
            content:
              typeof message.content === 'string' ? message.content : textBlocks(message.content),
          },
        ]);
        break;
      default:
        refuse(`${message.role} messages`);
    }
  }
  return {
    system: system.length === 1 ? system[0].text : system.length > 1 ? system : undefined,
    messages: turns.map(({ role, content }) => ({ role, content: simplify(content) })),
  };
}

/** A lone text block is sent as a string, as a native Anthropic caller would write it. */
function simplify(content: ContentBlockParam[]): string | ContentBlockParam[] {
  return content.length === 1 && content[0].type === 'text' ? content[0].text : content;
}

function textBlocks(content: string | ChatCompletionContentPartText[]): TextBlockParam[] {
  return typeof content === 'string'
    ? [{ type: 'text', text: content }]
    : content.map((part) => ({ type: 'text', text: part.text }));
}

function userBlocks(content: string | ChatCompletionContentPart[]): ContentBlockParam[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    if (part.type === 'image_url') return imageBlock(part.image_url.url);
    return refuse(`${part.type} content parts`);
  });
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
type ImageType = (typeof IMAGE_TYPES)[number];

function imageBlock(url: string): ImageBlockParam {
  const data = DATA_URL.exec(url);
  if (data) {
    const mediaType = data[1] as ImageType;
    if (!IMAGE_TYPES.includes(mediaType)) refuse(`${data[1]} images`);
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: data[2] } };
  }
  if (/^https?:\/\//.test(url)) return { type: 'image', source: { type: 'url', url } };
  return refuse('images that are neither data: nor http(s) URLs');
}

function assistantBlocks(message: ChatCompletionAssistantMessageParam): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = [];
  const parts = typeof message.content === 'string' ? [message.content] : (message.content ?? []);
  for (const part of parts) {
    const text = typeof part === 'string' ? part : part.type === 'text' ? part.text : part.refusal;
    // Anthropic rejects empty text blocks; an assistant turn with only tool calls often has one.
    if (text) blocks.push({ type: 'text', text });
  }
  for (const call of message.tool_calls ?? []) {
    if (call.type !== 'function') refuse(`${call.type} tool calls`);
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments, call.function.name),
    });
  }
  return blocks;
}

function toAnthropicTool(tool: ChatCompletionTool): Tool {
  if (tool.type !== 'function') refuse(`${tool.type} tools`);
  const { name, description, parameters, strict } = tool.function;
  return {
    name,
    ...(description !== undefined && { description }),
    input_schema: (parameters ?? { type: 'object', properties: {} }) as Tool.InputSchema,
    ...(strict != null && { strict }),
  };
}

function toAnthropicToolChoice(
  choice: ChatCompletionToolChoiceOption | undefined,
  parallel: boolean | undefined,
): ToolChoice | undefined {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...serial } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...serial };
  if (choice === 'required') return { type: 'any', ...serial };
  if (choice.type === 'function') return { type: 'tool', name: choice.function.name, ...serial };
  return refuse(`a tool_choice of type ${choice.type}`);
}

const FINISH_REASONS: Record<AnthropicStopReason, ChatCompletion.Choice['finish_reason']> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

function finishReason(stop: AnthropicStopReason | null): ChatCompletion.Choice['finish_reason'] {
  return (stop && FINISH_REASONS[stop]) ?? 'stop';
}

/** OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic counts them apart. */
function toOpenAIUsage(usage: AnthropicUsage): CompletionUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const prompt = usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + cacheRead;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output_tokens,
    total_tokens: prompt + usage.output_tokens,
    ...(cacheRead > 0 && { prompt_tokens_details: { cached_tokens: cacheRead } }),
  };
}

/**
 * An Anthropic message as a chat.completion. Text blocks are joined; tool_use blocks become
 * tool_calls; thinking and server-tool blocks have no chat counterpart and are left out.
 */
export function anthropicMessageToOpenAIChat(
  message: AnthropicMessage,
  created: number = Math.floor(Date.now() / 1000),
): ChatCompletion {
  const texts: string[] = [];
  const toolCalls: ChatCompletion.Choice['message']['tool_calls'] = [];
  for (const block of message.content) {
    if (block.type === 'text') texts.push(block.text);
    if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input) },
      });
    }
  }
  return {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // Null, not '', when Claude wrote nothing: what the streamed form assembles to as well.
          content: texts.join('') || null,
          refusal: null,
          ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
        },
        finish_reason: finishReason(message.stop_reason),
        logprobs: null,
      },
    ],
    usage: toOpenAIUsage(message.usage),
  };
}

export interface AnthropicToOpenAIChatStreamOptions {
  /** The request's stream_options.include_usage. */
  includeUsage?: boolean;
  created?: number;
}

/**
 * Translates an Anthropic event stream into chat.completion.chunks as they arrive. The
 * finish_reason is held back until message_stop, so a stream cut between its last delta and
 * message_stop never looks finished to the caller's SDK or to ChatCompletionAssembler. An error
 * event yields nothing: the gateway ends the caller's stream with the OpenAI error frame.
 */
export class AnthropicToOpenAIChatStream {
  private readonly created: number;
  private id = '';
  private model = '';
  private usage: AnthropicUsage = { input_tokens: 0, output_tokens: 0 };
  private stopReason: AnthropicStopReason | null = null;
  /** By Anthropic block index; server-side tool blocks are not in it. */
  private readonly toolCalls = new Map<number, { index: number; sentArguments: boolean }>();

  constructor(private readonly options: AnthropicToOpenAIChatStreamOptions = {}) {
    this.created = options.created ?? Math.floor(Date.now() / 1000);
  }

  push(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    switch (event.type) {
      case 'message_start':
        this.id = event.message.id;
        this.model = event.message.model;
        this.usage = { ...event.message.usage };
        return [this.chunk({ role: 'assistant' })];
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type !== 'tool_use') return [];
        const index = this.toolCalls.size;
        this.toolCalls.set(event.index, { index, sentArguments: false });
        const call = { index, id: block.id, type: 'function' as const };
        return [
          this.chunk({ tool_calls: [{ ...call, function: { name: block.name, arguments: '' } }] }),
        ];
      }
      case 'content_block_delta': {
        const { delta } = event;
        if (delta.type === 'text_delta') return [this.chunk({ content: delta.text })];
        const call = this.toolCalls.get(event.index);
        if (delta.type !== 'input_json_delta' || !call || delta.partial_json === '') return [];
        call.sentArguments = true;
        return [this.arguments(call.index, delta.partial_json)];
      }
      case 'content_block_stop': {
        // A tool called without arguments streams no JSON; OpenAI callers parse "{}", never "".
        const call = this.toolCalls.get(event.index);
        return call && !call.sentArguments ? [this.arguments(call.index, '{}')] : [];
      }
      case 'message_delta':
        this.stopReason = event.delta.stop_reason;
        this.usage = addDeltaUsage(this.usage, event.usage);
        return [];
      case 'message_stop':
        return this.finish();
      default:
        return [];
    }
  }

  private finish(): ChatCompletionChunk[] {
    const last: ChatCompletionChunk = {
      ...this.chunk({}),
      choices: [
        { index: 0, delta: {}, finish_reason: finishReason(this.stopReason), logprobs: null },
      ],
    };
    if (!this.options.includeUsage) return [last];
    return [last, { ...this.chunk({}), choices: [], usage: toOpenAIUsage(this.usage) }];
  }

  private arguments(index: number, json: string): ChatCompletionChunk {
    return this.chunk({ tool_calls: [{ index, function: { arguments: json } }] });
  }

  private chunk(delta: ChatCompletionChunk.Choice.Delta): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: null, logprobs: null }],
    };
  }
}

import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageFunctionToolCall,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { IncompleteStreamError } from './incomplete-stream.error';

/** What an OpenAI stream carries in place of a chunk when it fails half-way. */
export interface OpenAIStreamError {
  error: { message: string; type?: string; param?: string | null; code?: string | null };
}

type FinishReason = ChatCompletion.Choice['finish_reason'];

interface ChoiceState {
  content: string | null;
  refusal: string | null;
  toolCalls: Map<number, ChatCompletionMessageFunctionToolCall>;
  finishReason: FinishReason | null;
}

/**
 * Folds a chat.completion.chunk stream into the chat.completion the same request would have got
 * without streaming. Every choice is assembled (n > 1 streams are not cached, but must not break
 * the pass-through); the stream counts as complete once every choice has a finish_reason.
 */
export class ChatCompletionAssembler {
  private head: ChatCompletionChunk | undefined;
  private systemFingerprint: string | undefined;
  private readonly choices = new Map<number, ChoiceState>();
  private usage: CompletionUsage | undefined;
  private failure: string | undefined;

  push(chunk: ChatCompletionChunk | OpenAIStreamError): void {
    if ('error' in chunk) {
      this.failure ??= `error chunk: ${chunk.error.message}`;
      return;
    }
    this.head ??= chunk;
    if (chunk.system_fingerprint) this.systemFingerprint = chunk.system_fingerprint;
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices) this.apply(choice);
  }

  get complete(): boolean {
    return this.incompleteReason() === undefined;
  }

  result(): ChatCompletion {
    const reason = this.incompleteReason();
    if (reason !== undefined || !this.head) {
      throw new IncompleteStreamError(reason ?? 'no chunk arrived');
    }
    const { id, created, model, service_tier } = this.head;
    const choices = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, state]) => toChoice(index, state));
    return {
      id,
      object: 'chat.completion',
      created,
      model,
      choices,
      ...(service_tier != null && { service_tier }),
      ...(this.systemFingerprint !== undefined && { system_fingerprint: this.systemFingerprint }),
      ...(this.usage && { usage: this.usage }),
    };
  }

  private apply(choice: ChatCompletionChunk.Choice): void {
    let state = this.choices.get(choice.index);
    if (!state) {
      state = { content: null, refusal: null, toolCalls: new Map(), finishReason: null };
      this.choices.set(choice.index, state);
    }
    const { delta } = choice;
    if (typeof delta.content === 'string') state.content = (state.content ?? '') + delta.content;
    if (typeof delta.refusal === 'string') state.refusal = (state.refusal ?? '') + delta.refusal;
    for (const call of delta.tool_calls ?? []) {
      let assembled = state.toolCalls.get(call.index);
      if (!assembled) {
        assembled = { id: '', type: 'function', function: { name: '', arguments: '' } };
        state.toolCalls.set(call.index, assembled);
      }
      if (call.id) assembled.id = call.id;
      assembled.function.name += call.function?.name ?? '';
      assembled.function.arguments += call.function?.arguments ?? '';
    }
    if (choice.finish_reason) state.finishReason = choice.finish_reason;
  }

  private incompleteReason(): string | undefined {
    if (this.failure !== undefined) return this.failure;
    if (this.choices.size === 0) return 'no choice arrived';
    for (const [index, state] of this.choices) {
      if (state.finishReason === null) return `choice ${index} has no finish_reason`;
    }
    return undefined;
  }
}

function toChoice(index: number, state: ChoiceState): ChatCompletion.Choice {
  const toolCalls = [...state.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
  return {
    index,
    message: {
      role: 'assistant',
      content: state.content,
      refusal: state.refusal,
      ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
    },
    // incompleteReason() has checked every choice has one.
    finish_reason: state.finishReason as FinishReason,
    logprobs: null,
  };
}

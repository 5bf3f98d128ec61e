import type {
  AnthropicContentBlock,
  AnthropicDelta,
  AnthropicMessage,
  AnthropicStreamEvent,
} from './anthropic.types';
import { addDeltaUsage } from './anthropic-usage';
import { IncompleteStreamError } from './incomplete-stream.error';

/**
 * Folds a Messages stream into the message the same request would have got without streaming.
 * Complete only after message_stop with every block stopped; an error event, an event out of
 * order or a tool input that is not JSON makes it incomplete for good.
 */
export class AnthropicMessageAssembler {
  private message: AnthropicMessage | undefined;
  /** Tool input arrives as JSON text in pieces; it is parsed when its block stops. */
  private readonly partialJson = new Map<number, string>();
  private readonly openBlocks = new Set<number>();
  private stopped = false;
  private failure: string | undefined;

  push(event: AnthropicStreamEvent): void {
    if (event.type === 'error') {
      this.fail(`${event.error.type}: ${event.error.message}`);
    } else if (event.type === 'message_start') {
      if (this.message) this.fail('a second message_start');
      const { message } = event;
      this.message = { ...message, content: [...message.content], usage: { ...message.usage } };
    } else if (event.type !== 'ping') {
      this.apply(event);
    }
  }

  get complete(): boolean {
    return this.incompleteReason() === undefined;
  }

  result(): AnthropicMessage {
    const reason = this.incompleteReason();
    if (reason !== undefined || !this.message) {
      throw new IncompleteStreamError(reason ?? 'no message_start');
    }
    return this.message;
  }

  private apply(
    event: Exclude<AnthropicStreamEvent, { type: 'error' | 'message_start' | 'ping' }>,
  ) {
    const message = this.message;
    if (!message) return this.fail(`${event.type} before message_start`);
    switch (event.type) {
      case 'content_block_start':
        message.content[event.index] = { ...event.content_block };
        this.openBlocks.add(event.index);
        return;
      case 'content_block_delta':
        return this.applyDelta(message, event.index, event.delta);
      case 'content_block_stop':
        return this.stopBlock(message, event.index);
      case 'message_delta':
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        message.usage = addDeltaUsage(message.usage, event.usage);
        return;
      case 'message_stop':
        this.stopped = true;
        return;
    }
  }

  private applyDelta(message: AnthropicMessage, index: number, delta: AnthropicDelta): void {
    const block = this.openBlocks.has(index) ? message.content[index] : undefined;
    if (delta.type === 'input_json_delta' && block && 'input' in block) {
      this.partialJson.set(index, (this.partialJson.get(index) ?? '') + delta.partial_json);
    } else if (delta.type === 'text_delta' && block?.type === 'text') {
      block.text += delta.text;
    } else if (delta.type === 'citations_delta' && block?.type === 'text') {
      block.citations = [...(block.citations ?? []), delta.citation];
    } else if (delta.type === 'thinking_delta' && block?.type === 'thinking') {
      block.thinking += delta.thinking;
    } else if (delta.type === 'signature_delta' && block?.type === 'thinking') {
      block.signature = delta.signature;
    } else {
      this.fail(`${delta.type} for ${block ? `a ${block.type}` : 'no open'} block at ${index}`);
    }
  }

  private stopBlock(message: AnthropicMessage, index: number): void {
    if (!this.openBlocks.delete(index)) return this.fail(`content_block_stop for no open block`);
    const json = this.partialJson.get(index);
    if (json === undefined) return;
    try {
      // A tool called without arguments may stream no JSON at all.
      const input: unknown = json === '' ? {} : JSON.parse(json);
      message.content[index] = { ...message.content[index], input } as AnthropicContentBlock;
    } catch {
      this.fail(`the input of block ${index} is not JSON`);
    }
  }

  private fail(reason: string): void {
    this.failure ??= reason;
  }

  private incompleteReason(): string | undefined {
    if (this.failure !== undefined) return this.failure;
    if (!this.message) return 'no message_start';
    if (!this.stopped) return 'no message_stop';
    if (this.openBlocks.size > 0) return `block ${[...this.openBlocks][0]} was never stopped`;
    return undefined;
  }
}

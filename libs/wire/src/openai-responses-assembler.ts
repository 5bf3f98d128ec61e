import { IncompleteStreamError } from './incomplete-stream.error';
import type { OpenAIResponse, OpenAIResponseEvent } from './openai-responses.types';

/**
 * Keeps the final response of a Responses API stream. response.completed carries the whole answer,
 * so the deltas before it need no folding. response.incomplete (max_output_tokens reached, content
 * filtered) also ends the stream normally, as finish_reason "length" does in chat completions, and
 * its answer is kept; response.failed, an error event or a stream cut before either is not.
 */
export class OpenAIResponseAssembler {
  private final: OpenAIResponse | undefined;
  private failure: string | undefined;

  push(event: OpenAIResponseEvent): void {
    switch (event.type) {
      case 'response.completed':
      case 'response.incomplete':
        this.final = event.response;
        return;
      case 'response.failed':
        this.failure ??= `response.failed: ${event.response.error?.message ?? 'no error given'}`;
        return;
      case 'error':
        this.failure ??= `error event: ${event.message}`;
        return;
    }
  }

  get complete(): boolean {
    return this.failure === undefined && this.final !== undefined;
  }

  result(): OpenAIResponse {
    if (this.failure !== undefined) throw new IncompleteStreamError(this.failure);
    if (!this.final) throw new IncompleteStreamError('no response.completed');
    return this.final;
  }
}

import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { encodeSseEvent, SSE_DONE } from './sse';
import { UntranslatableError } from './untranslatable.error';

export interface ChatReplayOptions {
  /** The request's stream_options.include_usage: only then does a usage chunk end the stream. */
  includeUsage?: boolean;
}

/**
 * The chunks OpenAI would have streamed for a completion: per choice a role chunk, the content,
 * the refusal and each tool call in one delta each, then the finish_reason; the usage chunk last.
 * Fewer, larger deltas than upstream sends, which the SDK folds the same way.
 */
export function chatCompletionToChunks(
  completion: ChatCompletion,
  options: ChatReplayOptions = {},
): ChatCompletionChunk[] {
  const { id, created, model, service_tier, system_fingerprint } = completion;
  const chunk = (choices: ChatCompletionChunk.Choice[]): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    ...(service_tier != null && { service_tier }),
    ...(system_fingerprint !== undefined && { system_fingerprint }),
    choices,
  });
  const chunks: ChatCompletionChunk[] = [];
  for (const choice of completion.choices) {
    const delta = (d: ChatCompletionChunk.Choice.Delta) =>
      chunk([{ index: choice.index, delta: d, finish_reason: null, logprobs: null }]);
    const { content, refusal, tool_calls = [] } = choice.message;
    chunks.push(delta({ role: 'assistant', content: content === null ? null : '', refusal: null }));
    if (content) chunks.push(delta({ content }));
    if (refusal !== null) chunks.push(delta({ refusal }));
    tool_calls.forEach((call, index) => {
      if (call.type !== 'function') {
        throw new UntranslatableError(`a ${call.type} tool call cannot be streamed as chunks`);
      }
      chunks.push(
        delta({ tool_calls: [{ index, id: call.id, type: 'function', function: call.function }] }),
      );
    });
    chunks.push(
      chunk([
        { index: choice.index, delta: {}, finish_reason: choice.finish_reason, logprobs: null },
      ]),
    );
  }
  if (options.includeUsage && completion.usage) {
    chunks.push({ ...chunk([]), usage: completion.usage });
  }
  return chunks;
}

/** The SSE frames of chatCompletionToChunks, [DONE] last. */
export function chatCompletionToSse(
  completion: ChatCompletion,
  options: ChatReplayOptions = {},
): string[] {
  return [...chatCompletionToChunks(completion, options).map((c) => encodeSseEvent(c)), SSE_DONE];
}

import type {
  OpenAIResponse,
  OpenAIResponseEvent,
  OpenAIResponseItem,
} from './openai-responses.types';
import { encodeSseEvent } from './sse';

type Unnumbered<E> = E extends unknown ? Omit<E, 'sequence_number'> : never;
type Emit = (event: Unnumbered<OpenAIResponseEvent>) => void;

/**
 * The events the Responses API would have streamed for a response: created and in_progress with
 * no output yet, each item added, filled (one delta per part or argument string) and done, then
 * response.completed carrying the whole response (response.incomplete for one that stopped early).
 */
export function openAIResponseToEvents(response: OpenAIResponse): OpenAIResponseEvent[] {
  const events: OpenAIResponseEvent[] = [];
  const emit: Emit = (event) => events.push({ ...event, sequence_number: events.length });
  const pending: OpenAIResponse = { ...response, status: 'in_progress', output: [], usage: null };
  emit({ type: 'response.created', response: pending });
  emit({ type: 'response.in_progress', response: pending });
  response.output.forEach((item, outputIndex) => itemEvents(item, outputIndex, emit));
  const end = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
  emit({ type: end, response });
  return events;
}

/** The SSE frames of openAIResponseToEvents, each named after its type as upstream sends them. */
export function openAIResponseToSse(response: OpenAIResponse): string[] {
  return openAIResponseToEvents(response).map((event) => encodeSseEvent(event, event.type));
}

function itemEvents(item: OpenAIResponseItem, output_index: number, emit: Emit): void {
  if (item.type === 'message') {
    emit({
      type: 'response.output_item.added',
      output_index,
      item: { ...item, status: 'in_progress', content: [] },
    });
    const item_id = item.id;
    item.content.forEach((part, content_index) => {
      const at = { item_id, output_index, content_index };
      if (part.type === 'output_text') {
        const logprobs = part.logprobs ?? [];
        emit({ type: 'response.content_part.added', ...at, part: { ...part, text: '' } });
        if (part.text)
          emit({ type: 'response.output_text.delta', ...at, delta: part.text, logprobs });
        emit({ type: 'response.output_text.done', ...at, text: part.text, logprobs });
      } else {
        emit({ type: 'response.content_part.added', ...at, part: { ...part, refusal: '' } });
        emit({ type: 'response.refusal.delta', ...at, delta: part.refusal });
        emit({ type: 'response.refusal.done', ...at, refusal: part.refusal });
      }
      emit({ type: 'response.content_part.done', ...at, part });
    });
  } else if (item.type === 'function_call') {
    emit({
      type: 'response.output_item.added',
      output_index,
      item: { ...item, arguments: '', status: 'in_progress' },
    });
    const at = { item_id: item.id ?? item.call_id, output_index };
    emit({ type: 'response.function_call_arguments.delta', ...at, delta: item.arguments });
    emit({
      type: 'response.function_call_arguments.done',
      ...at,
      arguments: item.arguments,
      name: item.name,
    });
  } else {
    emit({ type: 'response.output_item.added', output_index, item });
  }
  emit({ type: 'response.output_item.done', output_index, item });
}

import { OpenAIResponseAssembler } from './openai-responses-assembler';
import { openAIResponseToEvents, openAIResponseToSse } from './openai-responses-replay';
import type { OpenAIResponse } from './openai-responses.types';
import { randomOpenAIResponse, seededRandom } from './samples.fixture';
import { openAIAnswering } from './sdk-clients.fixture';
import { SseParser } from './sse';

const response: OpenAIResponse = {
  id: 'resp_1',
  object: 'response',
  created_at: 1700,
  model: 'gpt-4.1-mini',
  status: 'completed',
  output: [
    {
      type: 'message',
      id: 'msg_1',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Checking.', annotations: [] }],
    },
    {
      type: 'function_call',
      id: 'fc_1',
      call_id: 'call_1',
      name: 'weather',
      arguments: '{"city":"Paris"}',
      status: 'completed',
    },
  ],
  usage: { input_tokens: 20, output_tokens: 8, total_tokens: 28 },
};

function assemble(events: ReturnType<typeof openAIResponseToEvents>): OpenAIResponse {
  const assembler = new OpenAIResponseAssembler();
  for (const event of events) assembler.push(event);
  return assembler.result();
}

describe('openAIResponseToEvents', () => {
  it('streams the lifecycle and each item, numbering every event in order', () => {
    const events = openAIResponseToEvents(response);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]).toMatchObject({
      response: { status: 'in_progress', output: [], usage: null },
    });
    expect(events[4]).toMatchObject({
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'Checking.',
    });
    expect(events[8]).toMatchObject({
      item: { type: 'function_call', arguments: '', status: 'in_progress' },
    });
    expect(events[10]).toMatchObject({
      item_id: 'fc_1',
      output_index: 1,
      arguments: '{"city":"Paris"}',
      name: 'weather',
    });
    expect(events.at(-1)).toEqual({ type: 'response.completed', response, sequence_number: 12 });
  });

  it('streams a refusal part, and items it does not know as added then done', () => {
    const refused: OpenAIResponse = {
      ...response,
      output: [
        { type: 'reasoning', id: 'rs_1' },
        {
          type: 'message',
          id: 'm',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'refusal', refusal: 'No.' }],
        },
      ],
    };
    const types = openAIResponseToEvents(refused).map((e) => e.type);
    expect(types.slice(2, 4)).toEqual(['response.output_item.added', 'response.output_item.done']);
    expect(types).toContain('response.refusal.delta');
    expect(types).toContain('response.refusal.done');
  });

  it('ends a response that stopped early with response.incomplete', () => {
    const cut = {
      ...response,
      status: 'incomplete' as const,
      incomplete_details: { reason: 'max_output_tokens' },
    };
    expect(openAIResponseToEvents(cut).at(-1)?.type).toBe('response.incomplete');
  });

  it('assembles back to the response it came from', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const sample = randomOpenAIResponse(seededRandom(seed));
      expect(assemble(openAIResponseToEvents(sample))).toEqual(sample);
    }
  });
});

describe('openAIResponseToSse', () => {
  it('names each frame after its event type', () => {
    const records = new SseParser().push(openAIResponseToSse(response).join(''));
    expect(records.map((r) => r.event)).toEqual(
      openAIResponseToEvents(response).map((e) => e.type),
    );
  });

  it('is what the official SDK folds back into the response, deltas and all', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sample = randomOpenAIResponse(seededRandom(seed));
      const client = openAIAnswering({ body: openAIResponseToSse(sample).join('') });
      const stream = client.responses.stream({ model: 'gpt-4.1-mini', input: 'x' });
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
      const final = await stream.finalResponse();
      expect(final).toMatchObject(sample);
      const texts = sample.output.flatMap((item) =>
        item.type === 'message'
          ? item.content.map((p) => (p.type === 'output_text' ? p.text : ''))
          : [],
      );
      expect(deltas.join('')).toBe(texts.join(''));
    }
  });
});

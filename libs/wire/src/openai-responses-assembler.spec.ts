import { IncompleteStreamError } from './incomplete-stream.error';
import { OpenAIResponseAssembler } from './openai-responses-assembler';
import type { OpenAIResponse, OpenAIResponseEvent } from './openai-responses.types';

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
      content: [{ type: 'output_text', text: 'Paris.', annotations: [] }],
    },
  ],
  usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
};

const pending = { ...response, status: 'in_progress' as const, output: [], usage: null };

const lead: OpenAIResponseEvent[] = [
  { type: 'response.created', response: pending, sequence_number: 0 },
  { type: 'response.in_progress', response: pending, sequence_number: 1 },
  {
    type: 'response.output_text.delta',
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    delta: 'Paris.',
    logprobs: [],
    sequence_number: 2,
  },
];

function assemble(events: OpenAIResponseEvent[]) {
  const assembler = new OpenAIResponseAssembler();
  for (const event of events) assembler.push(event);
  return assembler;
}

describe('OpenAIResponseAssembler', () => {
  it('keeps the response that response.completed carries', () => {
    const assembler = assemble([
      ...lead,
      { type: 'response.completed', response, sequence_number: 3 },
    ]);
    expect(assembler.complete).toBe(true);
    expect(assembler.result()).toBe(response);
  });

  it('counts response.incomplete (max_output_tokens reached) as a normal end', () => {
    const cut = {
      ...response,
      status: 'incomplete' as const,
      incomplete_details: { reason: 'max_output_tokens' },
    };
    const assembler = assemble([
      ...lead,
      { type: 'response.incomplete', response: cut, sequence_number: 3 },
    ]);
    expect(assembler.result()).toBe(cut);
  });

  it.each<[string, OpenAIResponseEvent[], string]>([
    ['a stream cut before response.completed', lead, 'no response.completed'],
    [
      'response.failed',
      [
        ...lead,
        {
          type: 'response.failed',
          response: {
            ...response,
            status: 'failed',
            error: { code: 'server_error', message: 'boom' },
          },
          sequence_number: 3,
        },
      ],
      'response.failed: boom',
    ],
    [
      'response.failed without an error',
      [
        ...lead,
        {
          type: 'response.failed',
          response: { ...response, status: 'failed' },
          sequence_number: 3,
        },
      ],
      'no error given',
    ],
    [
      'an error event, even before response.completed',
      [
        ...lead,
        { type: 'error', code: 'server_error', message: 'broke', param: null, sequence_number: 3 },
        { type: 'response.completed', response, sequence_number: 4 },
      ],
      'error event: broke',
    ],
  ])('reports %s as incomplete', (_, events, reason) => {
    const assembler = assemble(events);
    expect(assembler.complete).toBe(false);
    expect(() => assembler.result()).toThrow(IncompleteStreamError);
    expect(() => assembler.result()).toThrow(reason);
  });
});

import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { IncompleteStreamError } from './incomplete-stream.error';
import { ChatCompletionAssembler } from './openai-chat-assembler';

const head = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk' as const,
  created: 1700,
  model: 'gpt-4o',
};

function chunk(
  delta: ChatCompletionChunk.Choice.Delta,
  finish_reason: ChatCompletionChunk.Choice['finish_reason'] = null,
  index = 0,
): ChatCompletionChunk {
  return { ...head, system_fingerprint: 'fp_1', choices: [{ index, delta, finish_reason }] };
}

function assemble(chunks: Parameters<ChatCompletionAssembler['push']>[0][]) {
  const assembler = new ChatCompletionAssembler();
  for (const c of chunks) assembler.push(c);
  return assembler;
}

describe('ChatCompletionAssembler', () => {
  it('joins the content and keeps id, model, created, fingerprint and usage', () => {
    const usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };
    const assembler = assemble([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Par' }),
      chunk({ content: 'is.' }),
      chunk({}, 'stop'),
      { ...head, choices: [], usage },
    ]);
    expect(assembler.complete).toBe(true);
    expect(assembler.result()).toEqual({
      ...head,
      object: 'chat.completion',
      system_fingerprint: 'fp_1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Paris.', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage,
    });
  });

  it('assembles tool calls by index, with arguments streamed in pieces and interleaved', () => {
    const result = assemble([
      chunk({ role: 'assistant', content: null }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'get', arguments: '' } },
        ],
      }),
      chunk({
        tool_calls: [
          {
            index: 1,
            id: 'call_b',
            type: 'function',
            function: { name: 'put', arguments: '{"k"' },
          },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, 'tool_calls'),
    ]).result();
    expect(result.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        {
          id: 'call_a',
          type: 'function',
          function: { name: 'get', arguments: '{"city":"Paris"}' },
        },
        { id: 'call_b', type: 'function', function: { name: 'put', arguments: '{"k":1}' } },
      ],
    });
    expect(result.choices[0].finish_reason).toBe('tool_calls');
  });

  it('joins a refusal', () => {
    const result = assemble([
      chunk({ refusal: 'I cannot ' }),
      chunk({ refusal: 'help.' }, 'stop'),
    ]).result();
    expect(result.choices[0].message.refusal).toBe('I cannot help.');
    expect(result.choices[0].message.content).toBeNull();
  });

  it('assembles every choice, in index order', () => {
    const result = assemble([
      chunk({ content: 'b' }, null, 1),
      chunk({ content: 'a' }, 'stop', 0),
      chunk({}, 'length', 1),
    ]).result();
    expect(result.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'a', 'stop'],
      [1, 'b', 'length'],
    ]);
  });

  it.each<[string, Parameters<ChatCompletionAssembler['push']>[0][], string]>([
    ['no chunk', [], 'no choice arrived'],
    [
      'a stream cut before finish_reason',
      [chunk({ content: 'Par' })],
      'choice 0 has no finish_reason',
    ],
    ['a choice left unfinished', [chunk({}, 'stop'), chunk({ content: 'x' }, null, 1)], 'choice 1'],
    [
      'an error chunk, even after finish_reason',
      [chunk({}, 'stop'), { error: { message: 'upstream broke', type: 'server_error' } }],
      'upstream broke',
    ],
  ])('reports %s as incomplete', (_, chunks, reason) => {
    const assembler = assemble(chunks);
    expect(assembler.complete).toBe(false);
    expect(() => assembler.result()).toThrow(IncompleteStreamError);
    expect(() => assembler.result()).toThrow(reason);
  });
});

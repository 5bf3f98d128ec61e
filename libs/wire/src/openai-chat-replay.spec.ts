import type { ChatCompletion } from 'openai/resources/chat/completions';
import { ChatCompletionAssembler } from './openai-chat-assembler';
import { chatCompletionToChunks, chatCompletionToSse } from './openai-chat-replay';
import { randomChatCompletion, seededRandom } from './samples.fixture';
import { openAIAnswering } from './sdk-clients.fixture';
import { SSE_DONE, SseParser } from './sse';
import { UntranslatableError } from './untranslatable.error';

const completion: ChatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700,
  model: 'gpt-4o-mini',
  system_fingerprint: 'fp_1',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Looking it up.',
        refusal: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
};

function assemble(chunks: ReturnType<typeof chatCompletionToChunks>): ChatCompletion {
  const assembler = new ChatCompletionAssembler();
  for (const chunk of chunks) assembler.push(chunk);
  return assembler.result();
}

describe('chatCompletionToChunks', () => {
  it('streams a role chunk, the deltas, then the finish_reason, under the completion id', () => {
    const chunks = chatCompletionToChunks(completion);
    expect(chunks.map((c) => c.choices[0].delta)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Looking it up.' },
      {
        tool_calls: [
          {
            index: 0,
            id: 'call_1',
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      {},
    ]);
    expect(chunks.map((c) => c.choices[0].finish_reason)).toEqual([null, null, null, 'tool_calls']);
    expect(new Set(chunks.map((c) => `${c.id} ${c.object} ${c.model} ${c.created}`))).toEqual(
      new Set(['chatcmpl-1 chat.completion.chunk gpt-4o-mini 1700']),
    );
  });

  it('adds the usage chunk only when the request asked for it', () => {
    expect(chatCompletionToChunks(completion).some((c) => c.usage)).toBe(false);
    const last = chatCompletionToChunks(completion, { includeUsage: true }).at(-1);
    expect(last).toMatchObject({ choices: [], usage: completion.usage });
  });

  it('refuses to stream a custom tool call rather than drop it', () => {
    const custom = structuredClone(completion);
    custom.choices[0].message.tool_calls = [
      { id: 'c', type: 'custom', custom: { name: 'sql', input: 'x' } },
    ];
    expect(() => chatCompletionToChunks(custom)).toThrow(UntranslatableError);
  });

  it('assembles back to the completion it came from', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const sample = randomChatCompletion(seededRandom(seed));
      expect(assemble(chatCompletionToChunks(sample, { includeUsage: true }))).toEqual(sample);
      const withoutUsage = structuredClone(sample);
      delete withoutUsage.usage;
      expect(assemble(chatCompletionToChunks(sample))).toEqual(withoutUsage);
    }
  });

  it('keeps every choice and a refusal through the round trip', () => {
    const two = structuredClone(completion);
    two.choices.push({
      index: 1,
      message: { role: 'assistant', content: null, refusal: 'No.' },
      finish_reason: 'stop',
      logprobs: null,
    });
    expect(assemble(chatCompletionToChunks(two, { includeUsage: true }))).toEqual(two);
  });
});

describe('chatCompletionToSse', () => {
  it('frames every chunk and ends with [DONE]', () => {
    const frames = chatCompletionToSse(completion, { includeUsage: true });
    expect(frames.at(-1)).toBe(SSE_DONE);
    const records = new SseParser().push(frames.join(''));
    expect(records.slice(0, -1).map((r) => JSON.parse(r.data))).toEqual(
      chatCompletionToChunks(completion, { includeUsage: true }),
    );
  });

  it('is what the official SDK folds back into the completion', async () => {
    const client = openAIAnswering({
      body: chatCompletionToSse(completion, { includeUsage: true }).join(''),
    });
    const stream = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message).toMatchObject(completion.choices[0].message);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.usage).toEqual(completion.usage);
  });

  it('streams through create({ stream: true }) chunk by chunk', async () => {
    const client = openAIAnswering({ body: chatCompletionToSse(completion).join('') });
    const seen = [];
    for await (const chunk of await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [],
      stream: true,
    })) {
      seen.push(chunk);
    }
    expect(seen).toEqual(chatCompletionToChunks(completion));
  });
});

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { METRIC } from '../src/metrics/gateway-metrics';
import { metricValue, RunningGateway, startGateway } from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';

/**
 * The drop-in routes driven by the official SDKs, pointed at the gateway and nothing else
 * changed; the gateway in turn calls the fake providers over HTTP in their own wire formats.
 */
describe('drop-in OpenAI and Anthropic routes through the official SDKs', () => {
  let providers: FakeProviders;
  let gateway: RunningGateway;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let counter = 0;
  const unique = (text: string) => `${text} (#${++counter})`;

  beforeAll(async () => {
    providers = await startFakeProviders();
    gateway = await startGateway({ ...providers.env, SEMANTIC_CACHE: 'false' });
    openai = new OpenAI({ apiKey: 'sk-gateway', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: 'sk-gateway', baseURL: gateway.url, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway.close();
    await providers.close();
  });

  beforeEach(() => providers.reset());

  /** A streamed chat completion read to its end, through `client` (the plain gateway's by default). */
  async function streamedText(
    request: Omit<OpenAI.Chat.ChatCompletionCreateParamsStreaming, 'stream'>,
    client: OpenAI = openai,
  ): Promise<{ text: string; cache: string | null; chunks: OpenAI.Chat.ChatCompletionChunk[] }> {
    const { data: stream, response } = await client.chat.completions
      .create({ ...request, stream: true })
      .withResponse();
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    return { text, cache: response.headers.get('x-cache'), chunks };
  }

  describe('openai chat.completions', () => {
    it('answers a miss from the provider and the repeat from the cache, identically', async () => {
      const request = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user' as const, content: unique('How do I reset my password?') }],
      };
      const first = await openai.chat.completions.create(request).withResponse();
      expect(first.response.headers.get('x-cache')).toBe('MISS');
      expect(first.response.headers.get('x-request-id')).toBeTruthy();
      expect(first.data.object).toBe('chat.completion');
      expect(first.data.choices[0].message.content).toBe(
        `answer(gpt-4o-mini): ${request.messages[0].content}`,
      );
      const second = await openai.chat.completions.create(request).withResponse();
      expect(second.response.headers.get('x-cache')).toBe('HIT');
      expect(second.data).toEqual(first.data);
      expect(providers.openai.calls).toBe(1);
    });

    it('streams a miss, serves the same body unstreamed from that entry, and replays it', async () => {
      const content = unique('Name three primary colours');
      const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content }] };
      const streamed = await streamedText(request);
      expect(streamed.cache).toBe('MISS');
      expect(streamed.text).toBe(`answer(gpt-4o-mini): ${content}`);

      const plain = await openai.chat.completions.create(request).withResponse();
      expect(plain.response.headers.get('x-cache')).toBe('HIT');
      expect(plain.data.choices[0].message.content).toBe(streamed.text);

      const replayed = await streamedText({ ...request, stream_options: { include_usage: true } });
      expect(replayed.cache).toBe('HIT');
      expect(replayed.text).toBe(streamed.text);
      expect(replayed.chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
      expect(providers.openai.calls).toBe(1);
    });

    it('keys on the tools: another tool definition is a miss, and tool calls come back', async () => {
      providers.openai.reply = () => ({ toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] });
      const tool = (description: string): OpenAI.Chat.ChatCompletionTool => ({
        type: 'function',
        function: { name: 'lookup', description, parameters: { type: 'object' } },
      });
      const messages = [{ role: 'user' as const, content: unique('Look this up') }];
      const first = await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages, tools: [tool('one')] })
        .withResponse();
      expect(first.data.choices[0].message.tool_calls?.[0]).toMatchObject({
        type: 'function',
        function: { name: 'lookup', arguments: '{"q":"x"}' },
      });
      const other = await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages, tools: [tool('two')] })
        .withResponse();
      expect(other.response.headers.get('x-cache')).toBe('MISS');
      const again = await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages, tools: [tool('one')] })
        .withResponse();
      expect(again.response.headers.get('x-cache')).toBe('HIT');
      expect(again.data).toEqual(first.data);
    });

    it('answers a claude model from Anthropic, in the OpenAI format, streamed or not', async () => {
      const content = unique('What is the capital of Peru?');
      const request = {
        model: 'claude-haiku-4-5',
        messages: [{ role: 'user' as const, content }],
      };
      const plain = await openai.chat.completions.create(request);
      expect(plain.object).toBe('chat.completion');
      expect(plain.choices[0].message.content).toBe(`answer(claude-haiku-4-5): ${content}`);
      expect(plain.choices[0].finish_reason).toBe('stop');
      expect(providers.anthropic.calls).toBe(1);
      expect(providers.openai.calls).toBe(0);

      const other = unique('What is the capital of Chile?');
      const streamed = await streamedText({
        ...request,
        messages: [{ role: 'user', content: other }],
      });
      expect(streamed.cache).toBe('MISS');
      expect(streamed.text).toBe(`answer(claude-haiku-4-5): ${other}`);
      expect(providers.anthropic.calls).toBe(2);
    });

    it('refuses what the other provider cannot express with a 400, not an error of its own', async () => {
      const error = await openai.chat.completions
        .create({ model: 'claude-haiku-4-5', n: 2, messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as Error).message).toMatch(/anthropic/);
      expect(providers.anthropic.calls).toBe(0);
    });

    it('ends a stream that broke upstream with an error, stores nothing, and misses next time', async () => {
      const request = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user' as const, content: unique('Tell me a long story') }],
      };
      providers.openai.failNext({ kind: 'break-stream', afterEvents: 2 });
      await expect(streamedText(request)).rejects.toThrow(/stream broke off/);
      const next = await streamedText(request);
      expect(next.cache).toBe('MISS');
      expect(next.text).toBe(`answer(gpt-4o-mini): ${request.messages[0].content}`);
    });

    it('shares one upstream stream among identical streamed misses that arrive together', async () => {
      providers.openai.streamDelayMs = 20;
      const request = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user' as const, content: unique('What causes the seasons?') }],
      };
      const [one, two] = await Promise.all([
        streamedText(request),
        streamedText({ ...request, stream_options: { include_usage: true } }),
      ]);
      expect(one.text).toBe(`answer(gpt-4o-mini): ${request.messages[0].content}`);
      expect(two.text).toBe(one.text);
      // One upstream stream, but each reader gets the usage chunk only if it asked for it.
      expect(one.chunks.some((chunk) => chunk.usage)).toBe(false);
      expect(two.chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
      expect([one.cache, two.cache]).toEqual(['MISS', 'MISS']);
      expect(providers.openai.calls).toBe(1);
    });

    it('refuses a malformed request with a 400 the SDK raises as BadRequestError', async () => {
      const error = await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/messages/);
      expect(providers.openai.calls).toBe(0);
    });

    it('lists the models it routes', async () => {
      const models = [];
      for await (const model of openai.models.list()) models.push(model);
      expect(models).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: 'gpt-4o-mini', object: 'model', owned_by: 'openai' }),
          expect.objectContaining({ id: 'claude-haiku-4-5', owned_by: 'anthropic' }),
        ]),
      );
    });
  });

  describe('openai responses', () => {
    it('caches a stateless response, streamed or not, keyed on the instructions', async () => {
      const input = unique('Summarise the plot of Hamlet');
      const request = { model: 'gpt-4o-mini', input, instructions: 'Be brief.' };
      const first = await openai.responses.create(request).withResponse();
      expect(first.response.headers.get('x-cache')).toBe('MISS');
      expect(first.data.output_text).toContain(input);
      const again = await openai.responses.create(request).withResponse();
      expect(again.response.headers.get('x-cache')).toBe('HIT');
      expect(again.data.output_text).toBe(first.data.output_text);

      const { data: stream, response } = await openai.responses
        .create({ ...request, stream: true })
        .withResponse();
      let streamedText = '';
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') streamedText += event.delta;
      }
      expect(response.headers.get('x-cache')).toBe('HIT');
      expect(streamedText).toBe(first.data.output_text);

      const other = await openai.responses
        .create({ ...request, instructions: 'Be thorough.' })
        .withResponse();
      expect(other.response.headers.get('x-cache')).toBe('MISS');
      expect(providers.openai.calls).toBe(2);
    });

    it('streams a miss as Responses events and stores it for the unstreamed repeat', async () => {
      const input = unique('List three rivers in Africa');
      const stream = await openai.responses.create({ model: 'gpt-4o-mini', input, stream: true });
      let text = '';
      let completed = false;
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed') completed = true;
      }
      expect(completed).toBe(true);
      expect(text).toContain(input);
      const repeat = await openai.responses.create({ model: 'gpt-4o-mini', input }).withResponse();
      expect(repeat.response.headers.get('x-cache')).toBe('HIT');
      expect(repeat.data.output_text).toBe(text);
    });

    it('refuses a request without input, or for a Claude model, with a BadRequestError', async () => {
      const missing = await openai.responses
        .create({ model: 'gpt-4o-mini' } as never)
        .catch((caught: unknown) => caught);
      expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
      expect((missing as Error).message).toMatch(/input/);
      const claude = await openai.responses
        .create({ model: 'claude-haiku-4-5', input: 'hi' })
        .catch((caught: unknown) => caught);
      expect(claude).toBeInstanceOf(OpenAI.BadRequestError);
    });

    it('passes a request that continues a stored response through uncached', async () => {
      const request = {
        model: 'gpt-4o-mini',
        input: unique('And then?'),
        previous_response_id: 'resp_123',
      };
      const first = await openai.responses.create(request).withResponse();
      const second = await openai.responses.create(request).withResponse();
      expect([
        first.response.headers.get('x-cache'),
        second.response.headers.get('x-cache'),
      ]).toEqual(['BYPASS', 'BYPASS']);
      expect(providers.openai.calls).toBe(2);
    });
  });

  describe('openai embeddings', () => {
    it('caches per input: a mixed batch sends only the new inputs and keeps order and indices', async () => {
      const [a, b, c] = [unique('alpha'), unique('beta'), unique('gamma')];
      const model = 'text-embedding-3-small';
      const first = await openai.embeddings.create({ model, input: [a, b] }).withResponse();
      expect(first.response.headers.get('x-cache')).toBe('MISS');
      expect(first.data.data.map((item) => item.index)).toEqual([0, 1]);

      const mixed = await openai.embeddings.create({ model, input: [b, c, a] }).withResponse();
      expect(mixed.response.headers.get('x-cache')).toBe('MISS');
      expect(mixed.response.headers.get('x-cache-hits')).toBe('2');
      const sent = providers.openai.requests.at(-1)?.body as { input: string[] };
      expect(sent.input).toEqual([c]);
      expect(mixed.data.data.map((item) => item.index)).toEqual([0, 1, 2]);
      // The SDK asked base64 and decoded it; the cached vectors are the ones first answered.
      expect(mixed.data.data[0].embedding).toEqual(first.data.data[1].embedding);
      expect(mixed.data.data[2].embedding).toEqual(first.data.data[0].embedding);

      const floats = await openai.embeddings
        .create({ model, input: [c], encoding_format: 'float' })
        .withResponse();
      expect(floats.response.headers.get('x-cache')).toBe('HIT');
      expect(floats.data.data[0].embedding).toEqual(mixed.data.data[1].embedding);
      expect(providers.openai.calls).toBe(2);

      const narrower = await openai.embeddings
        .create({ model, input: [c], dimensions: 8 })
        .withResponse();
      expect(narrower.response.headers.get('x-cache')).toBe('MISS');
      expect(narrower.data.data[0].embedding).toHaveLength(8);
    });

    it('refuses an empty input with a BadRequestError', async () => {
      const error = await openai.embeddings
        .create({ model: 'text-embedding-3-small', input: [] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as Error).message).toMatch(/input/);
    });
  });

  describe('anthropic messages', () => {
    it('answers a miss from Anthropic and the repeat from the cache, streamed and not', async () => {
      const content = unique('Explain recursion briefly');
      const request = {
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        messages: [{ role: 'user' as const, content }],
      };
      const first = await anthropic.messages
        .create(request, { headers: { 'anthropic-beta': 'test-beta-2025-01-01' } })
        .withResponse();
      expect(first.response.headers.get('x-cache')).toBe('MISS');
      expect(providers.anthropic.requests[0].headers['anthropic-beta']).toBe(
        'test-beta-2025-01-01',
      );
      expect(first.data.content).toEqual([
        expect.objectContaining({ type: 'text', text: `answer(claude-haiku-4-5): ${content}` }),
      ]);
      // The betas are part of the key: the same request with the same beta is the same entry.
      const streamed = anthropic.messages.stream(request, {
        headers: { 'anthropic-beta': 'test-beta-2025-01-01' },
      });
      const message = await streamed.finalMessage();
      expect(message.content).toEqual(first.data.content);
      const { response } = await streamed.withResponse();
      expect(response.headers.get('x-cache')).toBe('HIT');
      expect(response.headers.get('request-id')).toBe(response.headers.get('x-request-id'));
      expect(providers.anthropic.calls).toBe(1);
      const withoutBeta = await anthropic.messages.create(request).withResponse();
      expect(withoutBeta.response.headers.get('x-cache')).toBe('MISS');
    });

    it('streams a miss as Messages events and stores it for the unstreamed repeat', async () => {
      const content = unique('Give me a haiku about rain');
      const request = {
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        messages: [{ role: 'user' as const, content }],
      };
      const message = await anthropic.messages.stream(request).finalMessage();
      expect(message.content[0]).toMatchObject({
        type: 'text',
        text: `answer(claude-haiku-4-5): ${content}`,
      });
      const repeat = await anthropic.messages.create(request).withResponse();
      expect(repeat.response.headers.get('x-cache')).toBe('HIT');
      expect(repeat.data.content).toEqual(message.content);
      expect(providers.anthropic.calls).toBe(1);
    });

    it('answers a gpt model from OpenAI in the Anthropic format', async () => {
      const content = unique('What is two plus two?');
      const message = await anthropic.messages.create({
        model: 'gpt-4o-mini',
        max_tokens: 64,
        messages: [{ role: 'user', content }],
      });
      expect(message.type).toBe('message');
      expect(message.content[0]).toMatchObject({
        type: 'text',
        text: `answer(gpt-4o-mini): ${content}`,
      });
      expect(message.stop_reason).toBe('end_turn');
      const streamed = await anthropic.messages
        .stream({
          model: 'gpt-4o-mini',
          max_tokens: 64,
          messages: [{ role: 'user', content: unique(content) }],
        })
        .finalMessage();
      expect(streamed.content[0]).toMatchObject({ type: 'text' });
      expect(providers.openai.calls).toBe(2);
      expect(providers.anthropic.calls).toBe(0);
    });

    it('ends a broken stream with an error event and stores nothing', async () => {
      const request = {
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        messages: [{ role: 'user' as const, content: unique('A long answer please') }],
      };
      providers.anthropic.failNext({ kind: 'break-stream', afterEvents: 3 });
      await expect(anthropic.messages.stream(request).finalMessage()).rejects.toThrow(
        /stream broke off/,
      );
      const next = await anthropic.messages.create(request).withResponse();
      expect(next.response.headers.get('x-cache')).toBe('MISS');
    });

    it('refuses a request without max_tokens with a 400 the SDK raises as BadRequestError', async () => {
      const error = await anthropic.messages
        .create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] } as never)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect((error as Error).message).toMatch(/max_tokens/);
    });
  });

  describe('with the semantic cache and the cache controls', () => {
    let semanticGateway: RunningGateway;
    let client: OpenAI;

    beforeAll(async () => {
      // Speculative streams are on by default; the last test here turns them off.
      semanticGateway = await startGateway(providers.env);
      client = new OpenAI({
        apiKey: 'sk-gateway',
        baseURL: `${semanticGateway.url}/v1`,
        maxRetries: 0,
      });
    });

    afterAll(() => semanticGateway.close());

    it('serves a rewording of a stored last user turn from the semantic layer, in the format asked', async () => {
      const topic = unique('learn TypeScript');
      const stored = await client.chat.completions
        .create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `What is the best way to ${topic}?` }],
        })
        .withResponse();
      expect(stored.response.headers.get('x-cache')).toBe('MISS');
      // The index write finishes after the answer; the rewording may come before it lands.
      let reworded;
      for (let attempt = 0; attempt < 50; attempt++) {
        reworded = await client.chat.completions
          .create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: `what is the best way to ${topic}` }],
          })
          .withResponse();
        if (reworded.response.headers.get('x-cache') === 'SEMANTIC') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(reworded?.response.headers.get('x-cache')).toBe('SEMANTIC');
      expect(reworded?.data.choices[0].message.content).toBe(
        stored.data.choices[0].message.content,
      );
    });

    const speculative = (outcome: string, url = semanticGateway.url) =>
      metricValue(url, METRIC.speculativeStreams, `outcome="${outcome}"`);

    it('with speculative streams, cancels the early provider call when the semantic layer answers', async () => {
      const topic = unique('bake sourdough bread');
      const storedText = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `What is the best way to ${topic}?` }],
      });
      providers.openai.delayMs = 300;
      const cancelledBefore = await speculative('cancelled');
      let served: { cache: string | null; text: string } | undefined;
      for (let attempt = 0; attempt < 50; attempt++) {
        const { cache, text } = await streamedText(
          {
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: `what is the best way to ${topic}` }],
          },
          client,
        );
        served = { cache, text };
        if (served.cache === 'SEMANTIC') break;
      }
      expect(served).toEqual({
        cache: 'SEMANTIC',
        text: storedText.choices[0].message.content,
      });
      // The early call reached the provider and was cancelled before it answered: had it run to
      // its end, the rewording would have its own entry now and be an exact HIT.
      const early = providers.openai.requests.at(-1)?.body as { stream?: boolean };
      expect(early.stream).toBe(true);
      expect((await speculative('cancelled')) - cancelledBefore).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      providers.openai.delayMs = 0;
      const later = await client.chat.completions
        .create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `what is the best way to ${topic}` }],
        })
        .withResponse();
      expect(later.response.headers.get('x-cache')).toBe('SEMANTIC');
    });

    it('with speculative streams, streams and stores a miss as usual', async () => {
      const request = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user' as const, content: unique('Name the largest moon of Saturn') }],
      };
      const usedBefore = await speculative('used');
      const { cache, text } = await streamedText(request, client);
      expect(cache).toBe('MISS');
      expect(text).toBe(`answer(gpt-4o-mini): ${request.messages[0].content}`);
      expect((await speculative('used')) - usedBefore).toBe(1);
      const again = await client.chat.completions.create(request).withResponse();
      expect(again.response.headers.get('x-cache')).toBe('HIT');
      expect(providers.openai.calls).toBe(1);
    });

    it('with SEMANTIC_SPECULATIVE_STREAMS=false, a streamed semantic hit never calls the provider', async () => {
      const waiting = await startGateway({
        ...providers.env,
        SEMANTIC_SPECULATIVE_STREAMS: 'false',
      });
      try {
        const patient = new OpenAI({
          apiKey: 'sk-gateway',
          baseURL: `${waiting.url}/v1`,
          maxRetries: 0,
        });
        const topic = unique('grow basil indoors');
        const stored = await patient.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `What is the best way to ${topic}?` }],
        });
        const reworded = {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user' as const, content: `what is the best way to ${topic}` }],
        };
        // The index write lands after the answer: wait for it without storing the rewording.
        for (let attempt = 0; attempt < 50; attempt++) {
          const probe = await patient.chat.completions
            .create(reworded, { headers: { 'cache-control': 'no-store' } })
            .withResponse();
          if (probe.response.headers.get('x-cache') === 'SEMANTIC') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const startedBefore =
          (await speculative('used', waiting.url)) + (await speculative('cancelled', waiting.url));
        const calls = providers.openai.calls;
        const { cache, text } = await streamedText(reworded, patient);
        const served = { cache, text, calls: providers.openai.calls - calls };
        expect(served).toEqual({
          cache: 'SEMANTIC',
          text: stored.choices[0].message.content,
          calls: 0,
        });
        expect(
          (await speculative('used', waiting.url)) + (await speculative('cancelled', waiting.url)),
        ).toBe(startedBefore);
      } finally {
        await waiting.close();
      }
    });

    it('applies Cache-Control and x-cache-namespace to the drop-in routes', async () => {
      const request = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user' as const, content: unique('Do not keep this') }],
      };
      const kept = { headers: { 'cache-control': 'no-store' } };
      await client.chat.completions.create(request, kept);
      const after = await client.chat.completions.create(request).withResponse();
      expect(after.response.headers.get('x-cache')).toBe('MISS');
      const other = await client.chat.completions
        .create(request, { headers: { 'x-cache-namespace': 'elsewhere' } })
        .withResponse();
      expect(other.response.headers.get('x-cache')).toBe('MISS');
      const again = await client.chat.completions.create(request).withResponse();
      expect(again.response.headers.get('x-cache')).toBe('HIT');
    });
  });
});

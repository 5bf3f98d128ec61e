import Fastify from 'fastify';

/**
 * The ceiling of the HTTP stack: plain Fastify parsing the same JSON body and sending a JSON
 * answer of the same shape, with no Nest, validation, hashing or cache. Run as its own process.
 */
const port = Number(process.env.PORT ?? 0);
const app = Fastify({ logger: false, bodyLimit: 1_048_576 });

app.post('/api/v1/query', async (request) => {
  const body = request.body as { query: string };
  return {
    response: `answer(gpt-4o-mini): ${body.query}`,
    provider: 'openai',
    model: 'gpt-4o-mini',
    cached: true,
    cache_type: 'exact',
    usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
    cost_usd: 0,
    latency_ms: 0.1,
    request_id: request.id,
  };
});

app.listen({ port, host: '127.0.0.1' }).then((address) => process.stdout.write(`${address}\n`));

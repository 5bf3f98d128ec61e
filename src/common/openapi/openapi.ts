import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const API_KEY_SCHEMES = ['bearer', 'x-api-key'] as const;

/** Builds the OpenAPI document from the controllers' decorators and serves `/docs` and `/docs-json`. */
export function setUpOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('RAG Cache')
    .setDescription(
      'A caching gateway for LLM APIs: exact cache, then semantic cache, then the provider (OpenAI or Anthropic). ' +
        'Every error is `{ "error": { "code", "message", "request_id" } }`. Every response carries ' +
        '`x-request-id`, and every response a route handler produced (not a refusal by a guard, ' +
        'the router or the body parser) and not streamed carries `server-timing: app;dur=<ms>`, the ' +
        'time the gateway took until its answer was ready. When API_KEYS is set, send a key as `Authorization: Bearer KEY` or ' +
        '`x-api-key: KEY`; the key decides the tenant, and tenants never share cache entries.',
    )
    .setVersion('0.1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS' },
      'bearer',
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key from API_KEYS' },
      'x-api-key',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return document;
}

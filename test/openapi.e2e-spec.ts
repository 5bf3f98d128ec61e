import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory';

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses: Record<string, unknown>; security?: unknown[] }>
  >;
  components: { securitySchemes: Record<string, unknown> };
}

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Served by the documentation itself, not part of the API. */
const UNDOCUMENTED = /^\/docs/;

describe('OpenAPI', () => {
  let app: NestFastifyApplication;
  let url: string;
  let document: OpenApiDocument;
  /** Every method and path the HTTP server routes, as Fastify registers them. */
  const routes: string[] = [];

  beforeAll(async () => {
    app = await createApp(
      { variables: { API_KEYS: 'acme:key' } },
      {
        logDestination: { write: () => undefined },
      },
    );
    // Nest registers its routes when the app starts listening, after this hook is in place.
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) {
          if (HTTP_METHODS.includes(method) && !UNDOCUMENTED.test(route.url)) {
            routes.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
          }
        }
      });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const response = await fetch(`${url}/docs-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });
  afterAll(() => app.close());

  it('documents every route the service has', () => {
    expect(routes).toEqual(
      expect.arrayContaining(['POST /api/v1/query', 'GET /health/ready', 'GET /metrics']),
    );
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('describes the query endpoint’s errors with the envelope, and the API-key schemes', () => {
    const query = document.paths['/api/v1/query'].post;
    for (const status of ['200', '400', '401', '413', '429', '502', '504']) {
      expect(query.responses).toHaveProperty(status);
    }
    expect(query.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'x-api-key': [] }]));
    expect(Object.keys(document.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearer', 'x-api-key']),
    );
    expect(JSON.stringify(query)).toContain('ErrorEnvelopeDto');
  });

  it('serves the interactive documentation without a key', async () => {
    const page = await fetch(`${url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });
});

import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ProviderFetch } from './provider-fetch';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

describe('ProviderFetch', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  let connections: number;
  let transport: ProviderFetch;

  beforeAll(async () => {
    server = createServer((request, response) => handler(request, response));
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    connections = 0;
    transport = new ProviderFetch(5_000);
  });
  afterEach(() => transport.onModuleDestroy());

  it('sends the method, the headers of a Headers object and the body, and reads the answer', async () => {
    handler = (request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        response.setHeader('content-type', 'application/json');
        response.setHeader('x-request-id', 'req_1');
        response.end(
          JSON.stringify({ method: request.method, auth: request.headers.authorization, body }),
        );
      });
    };
    const response = await transport.fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer sk-test', 'content-type': 'application/json' }),
      body: '{"model":"m"}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.json()).toEqual({
      method: 'POST',
      auth: 'Bearer sk-test',
      body: '{"model":"m"}',
    });
  });

  it('sends one request after another on the same kept-alive connection', async () => {
    handler = (_request, response) => response.end('ok');
    for (let i = 0; i < 5; i++) {
      const response = await transport.fetch(new URL(`${base}/ping`));
      expect(await response.text()).toBe('ok');
    }
    expect(connections).toBe(1);
  });

  it('opens a new connection when the server closed the idle one', async () => {
    handler = (_request, response) => response.end('ok');
    const keepAlive = server.keepAliveTimeout;
    server.keepAliveTimeout = 100;
    try {
      expect(await (await transport.fetch(`${base}/ping`)).text()).toBe('ok');
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await (await transport.fetch(`${base}/ping`)).text()).toBe('ok');
      expect(connections).toBe(2);
    } finally {
      server.keepAliveTimeout = keepAlive;
    }
  });

  it('closes a connection idle for longer than its free-socket timeout, before the server does', async () => {
    handler = (_request, response) => response.end('ok');
    const brief = new ProviderFetch(5_000, 100);
    try {
      const closed = new Promise<number>((resolve) =>
        server.once('connection', (socket) => {
          let answered = 0;
          socket.once('data', () => (answered = Date.now()));
          socket.once('close', () => resolve(Date.now() - answered));
        }),
      );
      expect(await (await brief.fetch(`${base}/ping`)).text()).toBe('ok');
      // Node's server would wait its keepAliveTimeout (5 s); the client hangs up first.
      expect(await closed).toBeLessThan(server.keepAliveTimeout);
    } finally {
      brief.onModuleDestroy();
    }
  });

  it('hands over each chunk of a stream as it arrives, before the server ends it', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      void released.then(() => response.end('data: [DONE]\n\n'));
    };
    const response = await transport.fetch(`${base}/stream`, { method: 'POST', body: '{}' });
    const chunks: string[] = [];
    for await (const bytes of response.body as unknown as AsyncIterable<Buffer>) {
      chunks.push(bytes.toString());
      // The server ends only once the first chunk has been read here.
      if (chunks.length === 1) release();
    }
    expect(chunks[0]).toBe('data: first\n\n');
    expect(chunks.join('')).toBe('data: first\n\ndata: [DONE]\n\n');
  });

  it('rejects with an AbortError when the caller aborts before the headers', async () => {
    handler = () => undefined;
    const abort = new AbortController();
    const pending = transport.fetch(`${base}/hang`, { method: 'POST', signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stops reading a stream the caller aborts half-way', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
    };
    const abort = new AbortController();
    const response = await transport.fetch(`${base}/stream`, { signal: abort.signal });
    const reading = (async () => {
      for await (const bytes of response.body as unknown as AsyncIterable<Buffer>) {
        if (bytes.toString().startsWith('data: first')) abort.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('speaks TLS to an https URL (a plain HTTP server cannot answer the handshake)', async () => {
    handler = (_request, response) => response.end('plain');
    const https = base.replace('http:', 'https:');
    await expect(transport.fetch(`${https}/tls`)).rejects.toThrow(
      /ssl|tls|wrong version|EPROTO|packet length/i,
    );
  });

  it('refuses a Request object, whose body it could not send', () => {
    expect(() => transport.fetch(new Request(`${base}/x`))).toThrow(TypeError);
  });

  it('closes its kept-alive connections when the module is destroyed', async () => {
    handler = (_request, response) => response.end('ok');
    const closed = new Promise<void>((resolve) =>
      server.once('connection', (socket) => socket.once('close', () => resolve())),
    );
    await (await transport.fetch(`${base}/ping`)).text();
    transport.onModuleDestroy();
    await closed;
  });
});

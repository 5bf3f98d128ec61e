import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES } from 'node:http';
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  // Accepts the request and never answers, until the server closes.
  | { kind: 'hang' }
  // Drops the connection without an answer.
  | { kind: 'destroy' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface ReplyInput {
  model: string;
  system: string | undefined;
  lastUserText: string;
  body: unknown;
}

export interface FakeProviderOptions {
  port?: number;
  delayMs?: number;
  reply?: (prompt: ReplyInput) => string;
}

/** A provider's reading of a request body: what to answer, or why the body is rejected. */
export type ParsedRequest = { input: ReplyInput; promptTokens: number } | { invalid: string };

/** A JSON route's answer to a parsed body: the body to send, or the status and message of a refusal. */
export type RouteAnswer = { body: object } | { status: number; message: string };

export type Route = (body: unknown, headers: IncomingHttpHeaders) => RouteAnswer;

export interface Completion {
  model: string;
  text: string;
  promptTokens: number;
  completionTokens: number;
}

const HOST = '127.0.0.1';

// Different inputs must give different answers, so tests can tell a cached answer from a fresh one.
function defaultReply({ model, system, lastUserText }: ReplyInput): string {
  return system === undefined
    ? `answer(${model}): ${lastUserText}`
    : `answer(${model}, ${system}): ${lastUserText}`;
}

/** Base of the fake providers: lifecycle, recording, delay and faults; subclasses own the wire format. */
export abstract class FakeProviderServer {
  readonly requests: RecordedRequest[] = [];
  delayMs: number;

  /** Appended to the origin to form `baseUrl`, matching where each SDK expects the API root. */
  protected abstract readonly basePath: string;
  protected abstract readonly completionPath: string;
  protected abstract readonly requestIdHeader: string;
  /** POST routes besides the completion route, by path; faults and delays apply to them too. */
  protected readonly routes: ReadonlyMap<string, Route> = new Map();

  private readonly server: Server;
  private readonly faults: Fault[] = [];
  private readonly initialDelayMs: number;
  private readonly reply: (prompt: ReplyInput) => string;
  // Cuts pending delays short on close, so their timers cannot keep the process alive.
  private readonly closing = new AbortController();

  protected constructor(opts: FakeProviderOptions) {
    this.initialDelayMs = opts.delayMs ?? 0;
    this.delayMs = this.initialDelayMs;
    this.reply = opts.reply ?? defaultReply;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.fail(res, error));
    });
  }

  get calls(): number {
    return this.requests.length;
  }

  get baseUrl(): string {
    const address = this.server.address() as AddressInfo | null;
    if (address === null) {
      throw new Error('The fake provider server is not listening');
    }
    return `http://${HOST}:${address.port}${this.basePath}`;
  }

  failNext(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.faults.push(fault);
    }
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.delayMs = this.initialDelayMs;
  }

  async close(): Promise<void> {
    if (!this.server.listening) {
      return;
    }
    this.closing.abort();
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    // server.close() waits for open sockets, and those of hung or keep-alive requests never free up.
    this.server.closeAllConnections();
    await closed;
  }

  protected abstract parseRequest(body: unknown): ParsedRequest;
  protected abstract successBody(completion: Completion): object;
  protected abstract errorBody(status: number, message: string): object;

  protected async listen(port: number): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, HOST, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    if (method !== 'POST' || (path !== this.completionPath && !this.routes.has(path))) {
      this.sendError(res, 404, `Invalid URL (${method} ${path})`);
      return;
    }
    const json = parseJson(raw);
    this.requests.push({
      method,
      path,
      headers: { ...req.headers },
      body: json ? json.value : raw,
    });

    const fault = this.faults.shift();
    if (fault?.kind === 'hang') {
      return;
    }
    if (this.delayMs > 0) {
      await sleep(this.delayMs, undefined, { signal: this.closing.signal });
    }
    if (fault?.kind === 'destroy') {
      req.socket.destroy();
    } else if (fault) {
      const message = fault.message ?? STATUS_CODES[fault.status] ?? 'Injected fault';
      this.sendError(res, fault.status, message, fault.retryAfterSeconds);
    } else {
      this.answer(req, res, path, json);
    }
  }

  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    json: { value: unknown } | undefined,
  ): void {
    if (!json) {
      this.sendError(res, 400, 'We could not parse the JSON body of your request.');
      return;
    }
    const route = this.routes.get(path);
    if (route) {
      const answer = route(json.value, req.headers);
      if ('body' in answer) {
        this.send(res, 200, answer.body);
      } else {
        this.sendError(res, answer.status, answer.message);
      }
      return;
    }
    if (isRecord(json.value) && json.value.stream === true) {
      this.sendError(res, 400, 'stream: true is not supported by this fake server yet.');
      return;
    }
    const parsed = this.parseRequest(json.value);
    if ('invalid' in parsed) {
      this.sendError(res, 400, parsed.invalid);
      return;
    }
    const text = this.reply(parsed.input);
    this.send(
      res,
      200,
      this.successBody({
        model: parsed.input.model,
        text,
        promptTokens: parsed.promptTokens,
        completionTokens: countWords(text),
      }),
    );
  }

  private fail(res: ServerResponse, error: unknown): void {
    // A delay cut short by close(): the connection is gone already.
    if (this.closing.signal.aborted) {
      return;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.sendError(res, 500, error instanceof Error ? error.message : String(error));
  }

  private sendError(
    res: ServerResponse,
    status: number,
    message: string,
    retryAfterSeconds?: number,
  ): void {
    const headers: OutgoingHttpHeaders =
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    this.send(res, status, this.errorBody(status, message), headers);
  }

  private send(
    res: ServerResponse,
    status: number,
    body: object,
    headers: OutgoingHttpHeaders = {},
  ): void {
    const payload = JSON.stringify(body);
    // An explicit content-length keeps the connection reusable for the next request.
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      [this.requestIdHeader]: `req_${randomId()}`,
      ...headers,
    });
    res.end(payload);
  }
}

export function randomId(): string {
  return randomBytes(12).toString('hex');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** Text of a message content given as a string or as an array of `{ type: 'text', text }` parts. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (!isArray(content)) {
    return '';
  }
  return content
    .filter(isTextPart)
    .map((part) => part.text)
    .join('\n');
}

function isTextPart(part: unknown): part is { type: 'text'; text: string } {
  return isRecord(part) && part.type === 'text' && typeof part.text === 'string';
}

/** A deterministic stand-in for a tokenizer: one token per whitespace-separated word. */
export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Wrapped so that a body of literally `null` stays distinguishable from one that failed to parse.
function parseJson(raw: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return undefined;
  }
}

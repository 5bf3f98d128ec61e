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
  | { kind: 'destroy' }
  // Sends the first `afterEvents` events of a streamed answer, then drops the connection before the
  // stream's terminator; a successful JSON answer is cut off half-way through its body instead.
  | { kind: 'break-stream'; afterEvents: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** `performance.now()` of this process when the whole body had been read. */
  receivedAt: number;
  /** `performance.now()` when the delay and any fault were over and the answer began; unset until then. */
  answeredAt?: number;
}

export interface ReplyInput {
  model: string;
  system: string | undefined;
  lastUserText: string;
  /** Names of the function tools the request offers. */
  tools: readonly string[];
  body: unknown;
}

/** A call the reply asks the model to make, answered only if the request offers a tool of that name. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** A reply with tool calls; a plain string stands for `{ text }`. */
export interface Reply {
  text?: string;
  toolCalls?: readonly ToolCall[];
}

export type ReplyFn = (prompt: ReplyInput) => string | Reply;

export interface FakeProviderOptions {
  port?: number;
  /** Wait before answering: the time to first byte, of a stream as of a JSON body. */
  delayMs?: number;
  /** Wait between the events of a streamed answer, none before the first. */
  streamDelayMs?: number;
  reply?: ReplyFn;
}

export interface Prompt {
  input: ReplyInput;
  promptTokens: number;
}

/** A provider's reading of a request body: what to answer, or why the body is rejected. */
export type ParsedRequest = Prompt | { invalid: string };

/** One server-sent event; `event` names it for the APIs whose SDKs dispatch on the name. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** A route's answer to a parsed body: a JSON body, a stream, or the status and message of a refusal. */
export type RouteAnswer =
  { body: object } | { events: readonly SseEvent[] } | { status: number; message: string };

export type Route = (body: unknown, headers: IncomingHttpHeaders) => RouteAnswer;

export interface Completion {
  model: string;
  text: string;
  toolCalls: readonly ToolCall[];
  promptTokens: number;
  completionTokens: number;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
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
  streamDelayMs: number;
  // Settable, like the delays, so that suites sharing one server can change the answers per test.
  reply: ReplyFn;

  /** Appended to the origin to form `baseUrl`, matching where each SDK expects the API root. */
  protected abstract readonly basePath: string;
  protected abstract readonly completionPath: string;
  protected abstract readonly requestIdHeader: string;
  /** POST routes besides the completion route, by path; faults and delays apply to them too. */
  protected readonly routes: ReadonlyMap<string, Route> = new Map();

  private readonly server: Server;
  private readonly faults: QueuedFault[] = [];
  private readonly initialDelayMs: number;
  private readonly initialStreamDelayMs: number;
  private readonly initialReply: ReplyFn;
  // Cuts pending delays short on close, so their timers cannot keep the process alive.
  private readonly closing = new AbortController();

  protected constructor(opts: FakeProviderOptions) {
    this.initialDelayMs = opts.delayMs ?? 0;
    this.delayMs = this.initialDelayMs;
    this.initialStreamDelayMs = opts.streamDelayMs ?? 0;
    this.streamDelayMs = this.initialStreamDelayMs;
    this.initialReply = opts.reply ?? defaultReply;
    this.reply = this.initialReply;
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

  /** Applies `fault` to the next `times` requests, after those already queued; `Infinity` for all. */
  failNext(fault: Fault, times = 1): void {
    if (times >= 1) {
      this.faults.push({ fault, remaining: times });
    }
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.delayMs = this.initialDelayMs;
    this.streamDelayMs = this.initialStreamDelayMs;
    this.reply = this.initialReply;
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
  /** The completion as the provider streams it; the last event is the one that ends the stream. */
  protected abstract streamEvents(
    completion: Completion,
    body: Record<string, unknown>,
  ): SseEvent[];
  protected abstract errorBody(status: number, message: string): object;

  /** Asks the reply function for the answer to a prompt, keeping only the calls to offered tools. */
  protected complete({ input, promptTokens }: Prompt): Completion {
    const reply = this.reply(input);
    const { text = '', toolCalls = [] } = typeof reply === 'string' ? { text: reply } : reply;
    // A model can only call the tools it is given, so one reply serves requests with and without them.
    const offered = toolCalls.filter((call) => input.tools.includes(call.name));
    const callTokens = offered.reduce(
      (sum, call) => sum + countWords(`${call.name} ${JSON.stringify(call.arguments)}`),
      0,
    );
    return {
      model: input.model,
      text,
      toolCalls: offered,
      promptTokens,
      completionTokens: countWords(text) + callTokens,
    };
  }

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
    const receivedAt = performance.now();
    const json = parseJson(raw);
    const record: RecordedRequest = {
      method,
      path,
      headers: { ...req.headers },
      body: json ? json.value : raw,
      receivedAt,
    };
    this.requests.push(record);

    const fault = this.nextFault();
    if (fault?.kind === 'hang') {
      return;
    }
    if (this.delayMs > 0) {
      await sleep(this.delayMs, undefined, { signal: this.closing.signal });
    }
    record.answeredAt = performance.now();
    if (fault?.kind === 'destroy') {
      req.socket.destroy();
    } else if (fault?.kind === 'status') {
      const message = fault.message ?? STATUS_CODES[fault.status] ?? 'Injected fault';
      this.sendError(res, fault.status, message, fault.retryAfterSeconds);
    } else {
      const cutAfter = fault?.kind === 'break-stream' ? fault.afterEvents : undefined;
      await this.answer(req, res, path, json, cutAfter);
    }
  }

  private nextFault(): Fault | undefined {
    const next = this.faults[0];
    if (next && --next.remaining <= 0) {
      this.faults.shift();
    }
    return next?.fault;
  }

  private async answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    json: { value: unknown } | undefined,
    cutAfter: number | undefined,
  ): Promise<void> {
    if (!json) {
      this.sendError(res, 400, 'We could not parse the JSON body of your request.');
      return;
    }
    const route = this.routes.get(path);
    const answer = route ? route(json.value, req.headers) : this.answerCompletion(json.value);
    if ('events' in answer) {
      await this.sendEvents(res, answer.events, cutAfter);
    } else if ('body' in answer) {
      this.send(res, 200, answer.body, {}, cutAfter !== undefined);
    } else {
      this.sendError(res, answer.status, answer.message);
    }
  }

  private answerCompletion(body: unknown): RouteAnswer {
    const parsed = this.parseRequest(body);
    if ('invalid' in parsed) {
      return { status: 400, message: parsed.invalid };
    }
    const completion = this.complete(parsed);
    if (isRecord(body) && body.stream === true) {
      return { events: this.streamEvents(completion, body) };
    }
    return { body: this.successBody(completion) };
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
    cut = false,
  ): void {
    const payload = Buffer.from(JSON.stringify(body));
    // An explicit content-length keeps the connection reusable for the next request.
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': payload.length,
      [this.requestIdHeader]: `req_${randomId()}`,
      ...headers,
    });
    if (cut) {
      // Destroyed once the half is on the wire, so the client reads it before the connection drops.
      res.write(payload.subarray(0, payload.length >> 1), () => res.destroy());
    } else {
      res.end(payload);
    }
  }

  private async sendEvents(
    res: ServerResponse,
    events: readonly SseEvent[],
    cutAfter: number | undefined,
  ): Promise<void> {
    // Without a content-length the body is chunked, so a client can tell a dropped stream from an ended one.
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      [this.requestIdHeader]: `req_${randomId()}`,
    });
    // A broken stream never reaches its last event, whatever `afterEvents` says.
    const count = cutAfter === undefined ? events.length : Math.min(cutAfter, events.length - 1);
    for (let i = 0; i < count; i++) {
      if (i > 0 && this.streamDelayMs > 0) {
        await sleep(this.streamDelayMs, undefined, { signal: this.closing.signal });
      }
      // Each event goes out as written, the first with the headers, so the time to first byte is the delay's.
      await write(res, frame(events[i]));
    }
    if (cutAfter === undefined) {
      res.end();
    } else {
      res.destroy();
    }
  }
}

function frame({ event, data }: SseEvent): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

function write(res: ServerResponse, chunk: string): Promise<void> {
  return new Promise((resolve, reject) =>
    res.write(chunk, (error) => (error ? reject(error) : resolve())),
  );
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

/** The text as streamed deltas, one word and its trailing space each, so that they join back to it. */
export function wordPieces(text: string): string[] {
  return text.split(/(?<=\s)(?=\S)/).filter((piece) => piece !== '');
}

// Short enough that every call's arguments arrive in several pieces that are not JSON on their own.
const JSON_PIECE_LENGTH = 8;

/** JSON as streamed deltas: fixed-length pieces, which clients must join before parsing. */
export function jsonPieces(json: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < json.length; i += JSON_PIECE_LENGTH) {
    pieces.push(json.slice(i, i + JSON_PIECE_LENGTH));
  }
  return pieces;
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

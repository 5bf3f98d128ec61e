import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ProgressLine, renderBar } from './progress-bar';

export interface CliIo {
  /** Results: the summary, the stats. */
  out(text: string): void;
  /** Progress and errors. */
  err(text: string): void;
}

export interface ConnectionOptions {
  url: string;
  key?: string;
  tenant?: string;
}

interface Progress {
  processed: number;
  imported: number;
  failed: number;
}

interface Summary extends Progress {
  done: true;
  errors: { line: number; message: string }[];
  errors_truncated?: boolean;
}

/** Errors printed one per line after a warm; the rest are counted. */
const SHOWN_ERRORS = 20;
/** The gateway's limit for one import body. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export class CliError extends Error {}

function endpoint(
  options: ConnectionOptions,
  path: string,
  params: Record<string, string | undefined>,
) {
  const url = new URL(`${options.url.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries({ tenant: options.tenant, ...params })) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
}

function headersOf(options: ConnectionOptions, extra: Record<string, string> = {}) {
  return { ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...extra };
}

async function send(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    throw new CliError(`cannot reach ${url.origin}: ${cause?.message ?? (error as Error).message}`);
  }
}

/** The gateway's error envelope, or the status line when the body is something else. */
async function failureOf(response: Response): Promise<CliError> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string } };
    return new CliError(`${error.message} (${response.status} ${error.code})`);
  } catch {
    return new CliError(`HTTP ${response.status} ${response.statusText}`);
  }
}

/** Non-blank lines, as the gateway counts them. */
export async function countLines(file: string): Promise<number> {
  let count = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') count += 1;
  return count;
}

async function* linesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') yield line;
    }
  }
  pending += decoder.decode();
  if (pending.trim() !== '') yield pending.trim();
}

/**
 * `rag-cache warm FILE`: streams the file to the import endpoint and draws its progress.
 * Returns the exit code: 0 when every line was imported, 1 otherwise.
 */
export async function warm(
  file: string,
  options: ConnectionOptions & { namespace?: string; exactOnly?: boolean },
  io: CliIo,
): Promise<number> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new CliError(`cannot read ${file}`);
  }
  // The gateway would cut the upload off; say so before sending anything.
  if (size > MAX_IMPORT_BYTES) {
    throw new CliError(`${file} is over 50 MB, the import limit; split it into smaller files`);
  }
  const total = await countLines(file);
  const progress = new ProgressLine(io.err);
  progress.draw(`${renderBar(0, total)} uploading`);
  const response = await send(
    endpoint(options, '/api/v1/cache/import', {
      stream: 'true',
      namespace: options.namespace,
      semantic: options.exactOnly ? 'false' : undefined,
    }),
    {
      method: 'POST',
      headers: headersOf(options, { 'content-type': 'application/x-ndjson' }),
      body: createReadStream(file),
      duplex: 'half',
    },
  );
  if (!response.ok || response.body === null) {
    progress.done();
    throw await failureOf(response);
  }
  let summary: Summary | undefined;
  try {
    for await (const line of linesOf(response.body)) {
      const event = JSON.parse(line) as Progress | Summary | { error: { message: string } };
      if ('error' in event) {
        progress.done();
        throw new CliError(`import stopped: ${event.error.message}`);
      }
      progress.draw(
        `${renderBar(event.processed, total)} lines, ${event.imported} imported, ${event.failed} failed`,
      );
      if ('done' in event) summary = event;
    }
  } catch (error) {
    progress.done();
    if (error instanceof CliError) throw error;
    throw new CliError(`the import was cut off: ${(error as Error).message}`);
  }
  progress.done();
  if (!summary) throw new CliError('the import ended without a summary; some lines may be missing');
  io.out(`Imported ${summary.imported} of ${summary.processed} lines; ${summary.failed} failed.\n`);
  for (const error of summary.errors.slice(0, SHOWN_ERRORS)) {
    io.out(`  line ${error.line}: ${error.message}\n`);
  }
  const unshown = summary.failed - Math.min(summary.errors.length, SHOWN_ERRORS);
  if (unshown > 0) io.out(`  … and ${unshown} more failed lines\n`);
  return summary.failed > 0 ? 1 : 0;
}

/** `rag-cache stats`: the stats document, indented. */
export async function stats(options: ConnectionOptions, io: CliIo): Promise<number> {
  const response = await send(endpoint(options, '/api/v1/cache/stats', {}), {
    headers: headersOf(options),
  });
  if (!response.ok) throw await failureOf(response);
  io.out(`${JSON.stringify(await response.json(), null, 2)}\n`);
  return 0;
}

/** One server-sent event as the SDKs read it: its optional name and its data lines joined. */
export interface SseRecord {
  event?: string;
  data: string;
}

/** The OpenAI stream terminator (chat completions); Anthropic and Responses streams have none. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** JSON.stringify escapes every line break, so the payload always fits on one `data:` line. */
export function encodeSseEvent(data: unknown, event?: string): string {
  const frame = `data: ${JSON.stringify(data)}\n\n`;
  return event === undefined ? frame : `event: ${event}\n${frame}`;
}

/**
 * Incremental parser after the HTML event-stream rules: chunks may split anywhere (mid-line,
 * mid-character, between the CR and LF of a CRLF). An event the stream ends in the middle of is
 * never dispatched, as the rules say and the SDKs do, so a cut stream cannot pass off a truncated
 * event as whole.
 */
export class SseParser {
  private readonly decoder = new TextDecoder();
  private readonly lineEnd = /[\r\n]/g;
  private buffer = '';
  private event: string | undefined;
  private data: string[] = [];
  private afterCr = false;

  push(chunk: string | Uint8Array): SseRecord[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text === '') return [];
    // A chunk that ended in CR has had its line ended already; an LF opening this one is its pair.
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    this.buffer += text;
    this.afterCr = false;
    const records: SseRecord[] = [];
    let start = 0;
    for (;;) {
      this.lineEnd.lastIndex = start;
      const end = this.lineEnd.exec(this.buffer)?.index;
      if (end === undefined) break;
      const record = this.line(this.buffer.slice(start, end));
      if (record) records.push(record);
      const cr = this.buffer[end] === '\r';
      if (cr && end + 1 === this.buffer.length) this.afterCr = true;
      start = end + (cr && this.buffer[end + 1] === '\n' ? 2 : 1);
    }
    this.buffer = this.buffer.slice(start);
    return records;
  }

  private line(line: string): SseRecord | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    return undefined;
  }

  private dispatch(): SseRecord | undefined {
    const { event, data } = this;
    this.event = undefined;
    this.data = [];
    if (data.length === 0) return undefined;
    return event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') };
  }
}

import { encodeSseEvent, SSE_DONE, SseParser, SseRecord } from './sse';

function parseAll(chunks: Array<string | Uint8Array>): SseRecord[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

const STREAM =
  'event: message_start\ndata: {"type":"message_start"}\n\n' +
  ': a comment line\n' +
  'data: {"text":"héllo 🚀"}\n\n' +
  'event: ping\ndata: {"type":"ping"}\n\n' +
  SSE_DONE;

const RECORDS: SseRecord[] = [
  { event: 'message_start', data: '{"type":"message_start"}' },
  { data: '{"text":"héllo 🚀"}' },
  { event: 'ping', data: '{"type":"ping"}' },
  { data: '[DONE]' },
];

describe('encodeSseEvent', () => {
  it('writes one data line and a blank line', () => {
    expect(encodeSseEvent({ a: 1 })).toBe('data: {"a":1}\n\n');
  });

  it('names the event before its data when asked', () => {
    expect(encodeSseEvent({ type: 'ping' }, 'ping')).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });

  it('keeps line breaks inside the payload off the wire, so the frame stays whole', () => {
    const frame = encodeSseEvent({ text: 'one\ntwo\r\nthree' });
    expect(frame.split('\n')).toHaveLength(3);
    expect(JSON.parse(parseAll([frame])[0].data)).toEqual({ text: 'one\ntwo\r\nthree' });
  });

  it('ends OpenAI streams with [DONE]', () => {
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
  });
});

describe('SseParser', () => {
  it('reads a whole stream in one chunk', () => {
    expect(parseAll([STREAM])).toEqual(RECORDS);
  });

  it('gives the same records however the text is split', () => {
    for (let size = 1; size <= 7; size++) {
      const chunks = STREAM.match(new RegExp(`[^]{1,${size}}`, 'gu')) ?? [];
      expect(parseAll(chunks)).toEqual(RECORDS);
    }
  });

  it('gives the same records when bytes split a character in two', () => {
    const bytes = new TextEncoder().encode(STREAM);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(parseAll(chunks)).toEqual(RECORDS);
  });

  it('takes CRLF and lone CR line ends, also when a CRLF is split across chunks', () => {
    const crlf = STREAM.replace(/\n/g, '\r\n');
    expect(parseAll([crlf])).toEqual(RECORDS);
    expect(parseAll(crlf.split(/(?<=\r)/))).toEqual(RECORDS);
    expect(parseAll([STREAM.replace(/\n/g, '\r')])).toEqual(RECORDS);
  });

  it('joins several data lines with a line break', () => {
    expect(parseAll(['data: one\ndata: two\ndata:three\n\n'])).toEqual([
      { data: 'one\ntwo\nthree' },
    ]);
  });

  it('strips one space after the colon, no more, and takes a bare field name as empty', () => {
    expect(parseAll(['data:  padded\n\n', 'data\n\n'])).toEqual([
      { data: ' padded' },
      { data: '' },
    ]);
  });

  it('forgets the event name at the blank line, and ignores id and retry', () => {
    expect(parseAll(['event: first\nid: 7\nretry: 10\ndata: a\n\ndata: b\n\n'])).toEqual([
      { event: 'first', data: 'a' },
      { data: 'b' },
    ]);
  });

  it('dispatches nothing for an event with no data', () => {
    expect(parseAll(['event: empty\n\ndata: next\n\n'])).toEqual([{ data: 'next' }]);
  });

  it('holds back an event until its blank line arrives, and never dispatches a cut one', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"partial":')).toEqual([]);
    expect(parser.push(' true}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ data: '{"partial": true}' }]);
    expect(parser.push('data: {"cut": ')).toEqual([]);
  });
});

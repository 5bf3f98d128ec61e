import { SSE_DONE, SseRecord } from '../../libs/wire';
import { StreamTranslation } from './wire-format.port';

/** What each libs/wire assembler offers: events in, the whole answer out. */
interface Assembler<Event, Answer> {
  push(event: Event): void;
  result(): Answer;
}

/**
 * A provider's stream in the caller's own format: each event is passed on as it came (its name,
 * if any, and its data), and assembled on the side for the cache.
 */
export class PassThroughStream<Event, Answer> implements StreamTranslation<Answer> {
  constructor(private readonly assembler: Assembler<Event, Answer>) {}

  push(record: SseRecord): string[] {
    if (record.data === '[DONE]') return [SSE_DONE];
    this.assembler.push(JSON.parse(record.data) as Event);
    const name = record.event === undefined ? '' : `event: ${record.event}\n`;
    return [`${name}data: ${record.data}\n\n`];
  }

  result(): Answer {
    return this.assembler.result();
  }
}

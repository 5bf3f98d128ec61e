/**
 * A stream that did not end normally (an error event, or cut before its last event): the partial
 * answer must be neither stored nor replayed.
 */
export class IncompleteStreamError extends Error {
  constructor(readonly reason: string) {
    super(`the stream did not complete: ${reason}`);
    this.name = 'IncompleteStreamError';
  }
}

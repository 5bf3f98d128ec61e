/**
 * Something the other API has no counterpart for (an audio part, a server-side tool, several
 * choices). Raised rather than dropped, since a silently weakened request would be answered, and
 * cached, as if it were the caller's: for a request the gateway answers 400 in the caller's
 * schema; for an answer, it cannot be served in the caller's format at all.
 */
export class UntranslatableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UntranslatableError';
  }
}

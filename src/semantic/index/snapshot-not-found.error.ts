/** A snapshot name that does not exist (or is not a valid name): the admin API answers 404. */
export class SnapshotNotFoundError extends Error {
  constructor(readonly snapshot: string) {
    super(`no vector snapshot named ${JSON.stringify(snapshot)}`);
    this.name = 'SnapshotNotFoundError';
  }
}

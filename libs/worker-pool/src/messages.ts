/** What the pool and its workers say to each other. */
export type FromWorker<Info, Result> =
  | { type: 'ready'; info: Info }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; result: Result }
  | { type: 'failed'; id: number; message: string };

export interface ToWorker<Request> {
  id: number;
  request: Request;
}

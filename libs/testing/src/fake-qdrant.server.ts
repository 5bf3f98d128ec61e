import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small in-memory Qdrant speaking the REST wire format of the routes the gateway's adapter
 * uses (`{"result": ..., "status": "ok", "time": ...}`, errors as `{"status": {"error": ...}}`),
 * with brute-force cosine search and the `must` filters of field matches and ranges. It records
 * every request so tests can check what the adapter sends. Not a Qdrant: no HNSW, no shards, and
 * snapshots are kept in memory under the names Qdrant would give them.
 */

export interface QdrantRecordedRequest {
  method: string;
  /** Path and query string, e.g. `/collections/c/points?wait=true`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

type Payload = Record<string, unknown>;

interface Point {
  vector: number[];
  payload: Payload;
}

interface Snapshot {
  points: Map<string, Point>;
  creationTime: string;
}

interface Collection {
  size: number;
  distance: string;
  config: unknown;
  points: Map<string, Point>;
  payloadIndexes: Map<string, unknown>;
  snapshots: Map<string, Snapshot>;
}

interface Condition {
  key: string;
  match?: { value: unknown };
  range?: { gt?: number; gte?: number; lt?: number; lte?: number };
}

interface Filter {
  must?: Condition[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const HOST = '127.0.0.1';

function normalise(vector: number[]): number[] {
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function matches(payload: Payload, filter: Filter | undefined): boolean {
  for (const condition of filter?.must ?? []) {
    const value = payload[condition.key];
    if (condition.match && value !== condition.match.value) return false;
    if (condition.range) {
      if (typeof value !== 'number') return false;
      const { gt, gte, lt, lte } = condition.range;
      if (gt !== undefined && !(value > gt)) return false;
      if (gte !== undefined && !(value >= gte)) return false;
      if (lt !== undefined && !(value < lt)) return false;
      if (lte !== undefined && !(value <= lte)) return false;
    }
  }
  return true;
}

export class FakeQdrantServer {
  readonly requests: QdrantRecordedRequest[] = [];
  readonly collections = new Map<string, Collection>();
  private readonly server: Server;
  private snapshotCounter = 0;

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        this.send(res, status, { status: { error: (error as Error).message }, time: 0.001 });
      });
    });
  }

  /** Listens on `port` (a free one by default): a test restarts it on the same port after an outage. */
  static async start(port = 0): Promise<FakeQdrantServer> {
    const fake = new FakeQdrantServer();
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(port, HOST, () => resolve());
    });
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    this.requests.push({ method, path, headers: req.headers, body });
    const result = this.route(method, new URL(path, 'http://qdrant').pathname, body);
    this.send(res, 200, { result, status: 'ok', time: 0.001 });
  }

  private send(res: ServerResponse, status: number, body: object): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private collection(name: string): Collection {
    const collection = this.collections.get(name);
    if (!collection) throw new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return collection;
  }

  private route(method: string, pathname: string, body: unknown): unknown {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'collections' || parts.length < 2) throw new HttpError(404, 'Not found');
    const name = parts[1];
    const rest = `${method} ${parts.slice(2).join('/')}`;
    const request = (body ?? {}) as Record<string, unknown>;
    switch (rest) {
      case 'GET exists':
        return { exists: this.collections.has(name) };
      case 'PUT ':
        return this.createCollection(name, request);
      case 'PUT index':
        this.collection(name).payloadIndexes.set(
          request.field_name as string,
          request.field_schema,
        );
        return { operation_id: 0, status: 'completed' };
      case 'PUT points':
        return this.upsert(
          name,
          request.points as { id: string; vector: number[]; payload: Payload }[],
        );
      case 'POST points':
        return this.retrieve(name, request.ids as string[], request.with_vector === true);
      case 'POST points/delete':
        return this.delete(name, request);
      case 'POST points/count':
        return { count: this.select(name, request.filter as Filter).length };
      case 'POST points/query':
        return this.query(name, request);
      case 'POST snapshots':
        return this.createSnapshot(name);
      case 'GET snapshots':
        return [...this.collection(name).snapshots.keys()].map((snapshot) =>
          this.describe(name, snapshot),
        );
      case 'PUT snapshots/recover':
        return this.recover(name, request.location as string);
      default:
        throw new HttpError(404, `Not found: ${method} ${pathname}`);
    }
  }

  private createCollection(name: string, request: Record<string, unknown>): boolean {
    if (this.collections.has(name)) {
      throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    }
    const vectors = request.vectors as { size: number; distance: string };
    this.collections.set(name, {
      size: vectors.size,
      distance: vectors.distance,
      config: request,
      points: new Map(),
      payloadIndexes: new Map(),
      snapshots: new Map(),
    });
    return true;
  }

  private upsert(name: string, points: { id: string; vector: number[]; payload: Payload }[]) {
    const collection = this.collection(name);
    for (const point of points) {
      if (point.vector.length !== collection.size) {
        throw new HttpError(
          400,
          `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${point.vector.length}`,
        );
      }
      // Qdrant stores cosine vectors normalised.
      collection.points.set(point.id, { vector: normalise(point.vector), payload: point.payload });
    }
    return { operation_id: 0, status: 'completed' };
  }

  private retrieve(name: string, ids: string[], withVector: boolean) {
    const points = this.collection(name).points;
    return ids
      .filter((id) => points.has(id))
      .map((id) => {
        const point = points.get(id) as Point;
        return { id, payload: point.payload, vector: withVector ? point.vector : null };
      });
  }

  private select(name: string, filter: Filter | undefined): [string, Point][] {
    return [...this.collection(name).points].filter(([, point]) => matches(point.payload, filter));
  }

  private delete(name: string, request: Record<string, unknown>) {
    const points = this.collection(name).points;
    const ids = request.points
      ? (request.points as string[])
      : this.select(name, request.filter as Filter).map(([id]) => id);
    for (const id of ids) points.delete(id);
    return { operation_id: 0, status: 'completed' };
  }

  private query(name: string, request: Record<string, unknown>) {
    const query = normalise(request.query as number[]);
    const scored = this.select(name, request.filter as Filter)
      .map(([id, point]) => ({
        id,
        version: 0,
        score: dot(query, point.vector),
        payload: request.with_payload === false ? null : point.payload,
      }))
      .sort((a, b) => b.score - a.score);
    return { points: scored.slice(0, (request.limit as number | undefined) ?? 10) };
  }

  private createSnapshot(name: string) {
    const collection = this.collection(name);
    this.snapshotCounter += 1;
    const creationTime = new Date().toISOString().slice(0, 19);
    const stamp = creationTime.replace(/[T:]/g, '-');
    const snapshot = `${name}-${this.snapshotCounter}-${stamp}.snapshot`;
    collection.snapshots.set(snapshot, { points: new Map(collection.points), creationTime });
    return this.describe(name, snapshot);
  }

  private describe(name: string, snapshot: string) {
    const { points, creationTime } = this.collection(name).snapshots.get(snapshot) as Snapshot;
    return {
      name: snapshot,
      creation_time: creationTime,
      size: 1024 + points.size * 100,
      checksum: null,
    };
  }

  /** Accepts only `file:///qdrant/snapshots/<collection>/<name>`, where Qdrant writes them. */
  private recover(name: string, location: string): boolean {
    const prefix = `file:///qdrant/snapshots/${name}/`;
    const snapshot = location.startsWith(prefix)
      ? this.collection(name).snapshots.get(location.slice(prefix.length))
      : undefined;
    if (!snapshot)
      throw new HttpError(400, `Bad request: Snapshot file ${location} does not exist`);
    this.collection(name).points = new Map(snapshot.points);
    return true;
  }
}

/** The kind of a write-ahead log record; the numbers are on disk, so they never change meaning. */
export const enum LogOp {
  Header = 1,
  Upsert = 2,
  Delete = 3,
  Purge = 4,
}

export interface LogRecord {
  op: LogOp;
  label: number;
  json: unknown;
  vector: Float32Array;
}

export function encodeLogRecord(
  op: LogOp,
  json: unknown,
  label = 0,
  vector?: Float32Array,
): Buffer {
  const text = Buffer.from(JSON.stringify(json));
  const vectorBytes = vector ? vector.byteLength : 0;
  const payload = Buffer.allocUnsafe(13 + text.length + vectorBytes);
  payload.writeUInt8(op, 0);
  payload.writeDoubleLE(label, 1);
  payload.writeUInt32LE(text.length, 9);
  text.copy(payload, 13);
  // Vectors are logged as f32 whatever the index quantisation, so a replay loses nothing.
  if (vector)
    Buffer.from(vector.buffer, vector.byteOffset, vectorBytes).copy(payload, 13 + text.length);
  return payload;
}

export function decodeLogRecord(payload: Buffer): LogRecord {
  const textLength = payload.readUInt32LE(9);
  const vectorStart = 13 + textLength;
  // Copied: a Float32Array over the file buffer would need 4-byte alignment.
  const vector = new Float32Array((payload.length - vectorStart) / 4);
  payload.copy(Buffer.from(vector.buffer), 0, vectorStart);
  return {
    op: payload.readUInt8(0) as LogOp,
    label: payload.readDoubleLE(1),
    json: JSON.parse(payload.toString('utf8', 13, vectorStart)),
    vector,
  };
}

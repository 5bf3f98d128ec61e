import { closeSync, fdatasync, fsyncSync, openSync, readFileSync, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);

/** Each record is `[u32 payload length][u32 CRC32 of the payload][payload]`, little-endian. */
const FRAME_HEADER_BYTES = 8;

export function frame(payload: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  framed.writeUInt32LE(payload.length, 0);
  framed.writeUInt32LE(crc32(payload), 4);
  payload.copy(framed, FRAME_HEADER_BYTES);
  return framed;
}

export interface WalContents {
  records: Buffer[];
  /** Bytes up to the end of the last intact record: what to truncate the file to before appending. */
  validBytes: number;
  /** True when bytes after the last intact record were dropped (a write torn by a crash). */
  torn: boolean;
}

/**
 * Reads every intact record. A crash can leave a partial record, or a tail of zeroes when the
 * file grew before its data reached the disk; both end the log, and what follows was never
 * acknowledged because the writer resolves only after fdatasync.
 */
export function readWal(path: string): WalContents {
  const bytes = readFileSync(path);
  const records: Buffer[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + FRAME_HEADER_BYTES + length;
    // No record is empty, so a length of 0 is a zero-filled tail, whose CRC would match.
    if (length === 0 || end > bytes.length) break;
    const payload = bytes.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) break;
    records.push(payload);
    offset = end;
  }
  return { records, validBytes: offset, torn: offset < bytes.length };
}

/** Creates (or truncates) a log whose first record is `header`, durably, before returning its descriptor. */
export function createWalFile(path: string, header: Buffer): number {
  const fd = openSync(path, 'w');
  writeSync(fd, frame(header));
  fsyncSync(fd);
  return fd;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Appends records with group commit: every record appended before the next flush starts shares
 * one write and one fdatasync, and each promise resolves only once its record is on disk. A
 * flush starts on the next turn of the event loop, so the upserts of one tick cost one sync.
 */
export class WalWriter {
  private frames: Buffer[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  /** After a failed write the file may end in a partial record, which would hide later ones. */
  private failure: Error | undefined;

  constructor(private fd: number) {}

  append(payload: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.frames.push(frame(payload));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.scheduled && !this.flushing) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Resolves once no write is in flight; records appended meanwhile may still be buffered. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Resolves once everything appended so far is on disk. */
  async drain(): Promise<void> {
    while (this.flushing || this.frames.length > 0) {
      if (!this.flushing) await this.flush();
      else await this.flushing;
    }
  }

  /**
   * Points the writer at a new file; call only when `idle()` has resolved and in the same
   * synchronous run as the checkpoint that made the old file unnecessary. Buffered records are
   * either kept for the new file (a checkpoint already contains them, and replaying a record twice
   * is harmless) or dropped and acknowledged (a restore replaced the state they changed).
   */
  switchTo(fd: number, buffered: 'keep' | 'drop'): void {
    if (this.flushing) throw new Error('cannot switch the write-ahead log during a write');
    closeSync(this.fd);
    this.fd = fd;
    this.failure = undefined;
    if (buffered === 'drop') {
      const waiters = this.waiters;
      this.frames = [];
      this.waiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  }

  async close(): Promise<void> {
    await this.drain();
    closeSync(this.fd);
  }

  private flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing || this.frames.length === 0) return this.flushing ?? Promise.resolve();
    const frames = this.frames;
    const waiters = this.waiters;
    this.frames = [];
    this.waiters = [];
    const fd = this.fd;
    this.flushing = (async () => {
      try {
        const batch = Buffer.concat(frames);
        let written = 0;
        while (written < batch.length) {
          written += (await writeAsync(fd, batch, written, batch.length - written)).bytesWritten;
        }
        await fdatasyncAsync(fd);
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        this.failure = error as Error;
        for (const waiter of [...waiters, ...this.waiters]) waiter.reject(this.failure);
        this.frames = [];
        this.waiters = [];
      } finally {
        this.flushing = undefined;
        if (this.frames.length > 0 && !this.scheduled) {
          this.scheduled = true;
          setImmediate(() => void this.flush());
        }
      }
    })();
    return this.flushing;
  }
}

/** For a checkpoint: makes a file written with plain fs calls (or by usearch) durable. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWalFile, frame, readWal, WalWriter } from './write-ahead-log';

describe('write-ahead log', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ragcache-wal-'));
    path = join(dir, 'wal.log');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back every record appended, in order, header first', async () => {
    const writer = new WalWriter(createWalFile(path, Buffer.from('header')));
    await Promise.all(['a', 'bb', 'ccc'].map((text) => writer.append(Buffer.from(text))));
    await writer.append(Buffer.from('later'));
    await writer.close();
    const { records, torn, validBytes } = readWal(path);
    expect(records.map((record) => record.toString())).toEqual([
      'header',
      'a',
      'bb',
      'ccc',
      'later',
    ]);
    expect(torn).toBe(false);
    expect(validBytes).toBe(readFileSync(path).length);
  });

  it('stops at a record whose checksum does not match, and at a partial record', () => {
    const good = frame(Buffer.from('good'));
    const damaged = frame(Buffer.from('damaged'));
    damaged[damaged.length - 1] ^= 0xff;
    writeFileSync(path, Buffer.concat([good, damaged, frame(Buffer.from('after'))]));
    expect(readWal(path)).toMatchObject({ validBytes: good.length, torn: true });
    expect(readWal(path).records.map(String)).toEqual(['good']);

    writeFileSync(path, Buffer.concat([good, frame(Buffer.from('partial')).subarray(0, 10)]));
    expect(readWal(path)).toMatchObject({ validBytes: good.length, torn: true });
  });

  it('keeps or drops buffered records when it moves to a new file', async () => {
    const first = join(dir, 'first.log');
    const writer = new WalWriter(createWalFile(first, Buffer.from('h1')));
    const kept = writer.append(Buffer.from('kept'));
    writer.switchTo(createWalFile(path, Buffer.from('h2')), 'keep');
    await kept;
    const dropped = writer.append(Buffer.from('dropped'));
    writer.switchTo(openSync(join(dir, 'third.log'), 'w'), 'drop');
    await dropped;
    await writer.close();
    expect(readWal(first).records.map(String)).toEqual(['h1']);
    expect(readWal(path).records.map(String)).toEqual(['h2', 'kept']);
    expect(readFileSync(join(dir, 'third.log')).length).toBe(0);
  });
});

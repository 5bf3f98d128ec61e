import { PassThrough, Readable } from 'node:stream';
import { readText } from './ndjson-body.parser';

describe('readText', () => {
  it('joins chunks into UTF-8 text, keeping characters split across chunks', async () => {
    const bytes = Buffer.from('{"query":"naïve?"}\n');
    const split = bytes.indexOf(0xc3) + 1;
    const body = Readable.from([bytes.subarray(0, split), bytes.subarray(split)]);
    await expect(readText(body, 1_000, undefined)).resolves.toBe('{"query":"naïve?"}\n');
  });

  it('refuses a declared length over the limit before reading', async () => {
    await expect(readText(new PassThrough(), 10, '11')).rejects.toMatchObject({
      statusCode: 413,
    });
  });

  it('refuses a chunked body as soon as it passes the limit', async () => {
    const body = new PassThrough();
    const read = readText(body, 10, undefined);
    body.write('123456');
    body.write('789012');
    await expect(read).rejects.toMatchObject({ statusCode: 413 });
  });

  it('passes stream errors on as 400s', async () => {
    const body = new PassThrough();
    const read = readText(body, 10, undefined);
    body.destroy(new Error('aborted'));
    await expect(read).rejects.toMatchObject({ message: 'aborted', statusCode: 400 });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { type CpioEntry, decodeNewcHeader, readNewc } from './cpio';
import { newcArchive, newcEntry } from './testing';

/** Feeds `buf` in small chunks so entries straddle chunk borders. */
function chunks(buf: Buffer, size = 7): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

async function collect(buf: Buffer, size?: number): Promise<{ name: string; mode: number; data: string }[]> {
  const out: { name: string; mode: number; data: string }[] = [];
  for await (const e of readNewc(chunks(buf, size))) out.push({ name: e.name, mode: e.mode, data: (await e.buffer()).toString() });
  return out;
}

/** The error message of reading `buf`; `skip` leaves every body unread (the reader skips it). */
async function failure(buf: Buffer, skip = false): Promise<string> {
  try {
    if (skip) for await (const e of readNewc(chunks(buf))) expect(e.name).not.toBe('');
    else await collect(buf);
  } catch (e) {
    expect(e).toBeInstanceOf(SuppackError);
    expect((e as Error).message).not.toMatch(/\n/);
    return (e as Error).message;
  }
  throw new Error('expected a SuppackError');
}

const FILES = [
  { name: './a', data: 'x' },
  { name: './dir', data: '', mode: 0o40755 },
  { name: './dir/longer-name.txt', data: 'hello world\n' },
  { name: './link', data: 'a', mode: 0o120777 },
];

describe('readNewc', () => {
  it('reads entries across any chunking', async () => {
    for (const size of [1, 3, 7, 110, 4096]) {
      expect(await collect(newcArchive(FILES), size)).toEqual(FILES.map((f) => ({ name: f.name, mode: f.mode ?? 0o100644, data: f.data })));
    }
  });

  it('reads what GNU cpio writes (newc and crc), stopping at the trailer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suppack-cpio-'));
    try {
      writeFileSync(join(dir, 'one'), 'first\n');
      writeFileSync(join(dir, 'two.txt'), Buffer.alloc(5000, 'z'));
      for (const format of ['newc', 'crc']) {
        const archive = execFileSync('cpio', ['-o', '--quiet', '-H', format], { cwd: dir, input: 'one\ntwo.txt\n' });
        const withJunk = Buffer.concat([archive, Buffer.from('not cpio at all')]);
        const got = await collect(withJunk, 100);
        expect(got.map((e) => [e.name, e.data.length])).toEqual([['one', 6], ['two.txt', 5000]]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodes a header', () => {
    const h = decodeNewcHeader(newcEntry('./x', 'abc', { mode: 0o100755 }));
    expect(h).toMatchObject({ magic: '070701', mode: 0o100755, size: 3, nameSize: 4, nlink: 1 });
  });

  it('streams a large entry in bounded chunks and enforces the buffer() limit', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    const archive = newcArchive([{ name: './big', data: big }]);
    for await (const e of readNewc(Readable.from([archive]))) {
      await expect(e.buffer(1024)).rejects.toThrow(/"\.\/big" has 3145733 bytes, more than the 1024 allowed here/);
      let total = 0;
      let largest = 0;
      for await (const c of e.body()) {
        total += c.length;
        largest = Math.max(largest, c.length);
      }
      expect(total).toBe(big.length);
      expect(largest).toBeLessThanOrEqual(1 << 20);
    }
  });

  it('refuses to read an entry body after moving on', async () => {
    let first: CpioEntry | undefined;
    const it = readNewc(Readable.from([newcArchive(FILES)]));
    for await (const e of it) {
      if (first === undefined) first = e;
    }
    await expect(first!.buffer()).rejects.toThrow(/read after moving to the next entry/);
  });
});

describe('readNewc rejects hostile archives with a SuppackError', () => {
  const good = newcArchive(FILES);

  it('bad magic, old binary and stripped formats', async () => {
    expect(await failure(Buffer.from('hello world, this is not a cpio archive'.repeat(4)))).toMatch(/cpio entry 0 at offset 0: bad cpio magic/);
    const odc = Buffer.from(good);
    odc.write('070707', 0, 'latin1');
    expect(await failure(odc)).toMatch(/unsupported cpio format 070707/);
    const second = newcEntry('./a', 'x').length;
    const b = Buffer.from(good);
    b.write('07070X', second, 'latin1');
    expect(await failure(b)).toMatch(new RegExp(`cpio entry 1 at offset ${second}: bad cpio magic`));
  });

  it('a field that is not hex', async () => {
    const b = Buffer.from(good);
    b.write('ZZ', 6 + 8 * 6, 'latin1'); // filesize
    expect(await failure(b)).toMatch(/cpio header field size is not 8 hex digits/);
  });

  it('absurd name sizes', async () => {
    const b = Buffer.from(good);
    b.write('FFFFFFFF', 6 + 8 * 11, 'latin1');
    expect(await failure(b)).toMatch(/name size 4294967295 out of range/);
    b.write('00000000', 6 + 8 * 11, 'latin1');
    expect(await failure(b)).toMatch(/name size 0 out of range/);
    b.write('00000002', 6 + 8 * 11, 'latin1'); // "./a\0": no NUL at position 1
    expect(await failure(b)).toMatch(/not NUL-terminated/);
  });

  it('an absurd data size runs into the end of the archive', async () => {
    const b = Buffer.from(good);
    b.write('FFFFFFF0', 6 + 8 * 6, 'latin1');
    expect(await failure(b, true)).toMatch(/archive ends inside the data of "\.\/a" \(4294967280 bytes\)/);
  });

  it('truncation anywhere, and a missing trailer', async () => {
    for (let cut = 1; cut < good.length; cut += 13) {
      expect(await failure(good.subarray(0, cut))).toMatch(/archive ends/);
      expect(await failure(good.subarray(0, cut), true)).toMatch(/archive ends/);
    }
    const noTrailer = Buffer.concat(FILES.map((f) => newcEntry(f.name, f.data)));
    expect(await failure(noTrailer)).toMatch(/archive ends without the TRAILER!!! entry/);
    expect(await failure(Buffer.alloc(0))).toMatch(/cpio entry 0 at offset 0: archive ends without the TRAILER/);
  });
});

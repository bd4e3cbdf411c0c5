import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { readRpmPayload } from './payload';
import { readRpm } from './read';
import type { RpmInfo } from './types';

const rpms = inject('fixtureRpms');

let dir: string;
let good: Buffer;
let info: RpmInfo;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-rpm-bad-'));
  good = readFileSync(rpms['xs-hello']!);
  info = await readRpm(rpms['xs-hello']!);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function rejection(p: Promise<unknown>): Promise<SuppackError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SuppackError);
  const e = caught as SuppackError;
  expect(e.message).not.toMatch(/\n/);
  return e;
}

async function expectReject(path: string, ...parts: (string | RegExp)[]): Promise<void> {
  const e = await rejection(readRpm(path));
  expect(e.file).toBe(path);
  expect(e.message.startsWith(`${path}: `)).toBe(true);
  for (const part of parts) expect(e.message).toMatch(part);
}

/** A copy of xs-hello with `edit` applied. */
function corrupt(name: string, edit: (b: Buffer) => void): string {
  const b = Buffer.from(good);
  edit(b);
  return write(name, b);
}

const mainIndexEntry = (i: number) => info.headerRange.start + 16 + 16 * i;

describe('readRpm rejects bad files with a one-line SuppackError naming the file', () => {
  it('missing file', async () => {
    await expectReject(join(dir, 'nope.rpm'), 'no such file or directory');
  });

  it('zero-length file', async () => {
    await expectReject(write('empty.rpm', ''), 'not an RPM file (empty file)');
  });

  it('text file, short and long', async () => {
    await expectReject(write('short.txt', 'hi\n'), 'not an RPM file (bad lead magic)');
    await expectReject(write('text.rpm', 'Name: not-an-rpm\n'.repeat(100)), 'lead: not an RPM file (bad lead magic)');
  });

  it('truncated in the lead', async () => {
    await expectReject(write('lead.rpm', good.subarray(0, 50)), 'lead: truncated RPM: expected at least 96 bytes for the lead, file has 50');
  });

  it('truncated in the signature header', async () => {
    await expectReject(write('sig-intro.rpm', good.subarray(0, 100)), 'signature header: truncated RPM: expected at least 112 bytes, file has 100');
    await expectReject(
      write('sig.rpm', good.subarray(0, 500)),
      `signature header: truncated RPM: expected at least ${info.signatureRange.end} bytes, file has 500`,
    );
  });

  it('truncated in the main header', async () => {
    const cut = info.headerRange.start + 8;
    await expectReject(write('main-intro.rpm', good.subarray(0, cut)), `main header: truncated RPM: expected at least ${info.headerRange.start + 16} bytes, file has ${cut}`);
    const cut2 = info.headerRange.start + 200;
    await expectReject(write('main.rpm', good.subarray(0, cut2)), `main header: truncated RPM: expected at least ${info.payloadOffset} bytes, file has ${cut2}`);
  });

  it('truncated in the payload (signature SIZE check)', async () => {
    const cut = good.length - 100;
    await expectReject(write('payload.rpm', good.subarray(0, cut)), `signature header tag 1000 (SIZE): truncated RPM: expected ${good.length} bytes, file has ${cut}`);
  });

  it('trailing data after the payload', async () => {
    await expectReject(write('trailing.rpm', Buffer.concat([good, Buffer.from('junk')])), `expected ${good.length} bytes, file has ${good.length + 4}`);
  });

  it('bad main header magic', async () => {
    await expectReject(corrupt('magic.rpm', (b) => (b[info.headerRange.start + 1] = 0)), 'main header: bad header magic');
  });

  it('index entry offset pointing outside the data store', async () => {
    const p = corrupt('offset.rpm', (b) => b.writeInt32BE(0x7ffffff0, mainIndexEntry(3) + 8));
    await expectReject(p, /main header: index entry 3 \(tag \d+.*\): offset 2147483632 is outside the data store/);
  });

  it('index entry with an unknown type', async () => {
    await expectReject(corrupt('type.rpm', (b) => b.writeUInt32BE(0x1234, mainIndexEntry(5) + 4)), /main header: index entry 5 .*unknown type id 4660/);
  });

  it('index entry with a huge count', async () => {
    await expectReject(corrupt('count.rpm', (b) => b.writeUInt32BE(0xffffffff, mainIndexEntry(4) + 12)), /main header: index entry 4 .*(run past|cannot fit|count must be 1)/);
  });

  it('string without a terminator (REQUIRENAME moved to the last byte)', async () => {
    const p = corrupt('nul.rpm', (b) => {
      const il = b.readUInt32BE(info.headerRange.start + 8);
      const dl = b.readUInt32BE(info.headerRange.start + 12);
      for (let i = 0; i < il; i++) {
        if (b.readUInt32BE(mainIndexEntry(i)) === 1049) {
          b.writeUInt32BE(1, mainIndexEntry(i) + 12);
          b.writeInt32BE(dl - 1, mainIndexEntry(i) + 8);
        }
      }
    });
    await expectReject(p, /main header: index entry \d+ \(tag 1049 \(REQUIRENAME\)\): string 0 at offset \d+ runs past the data store/);
  });

  it('il set to a huge value, in either header, without hanging', async () => {
    await expectReject(corrupt('il-main.rpm', (b) => b.writeUInt32BE(0xffffffff, info.headerRange.start + 8)), 'main header: index length il 4294967295 out of range');
    await expectReject(corrupt('il-sig.rpm', (b) => b.writeUInt32BE(0x7fffffff, 96 + 8)), 'signature header: index length il 2147483647 out of range');
    // Within the limits, but far more than the file holds.
    await expectReject(corrupt('il-big.rpm', (b) => b.writeUInt32BE(0xffff, info.headerRange.start + 8)), /main header: truncated RPM: expected at least \d+ bytes/);
    await expectReject(corrupt('dl-big.rpm', (b) => b.writeUInt32BE(0x0fffffff, info.headerRange.start + 12)), /main header: truncated RPM/);
  });

  it('a file count mismatch between parallel arrays', async () => {
    // Make FILEMODES (1030) claim one value fewer than BASENAMES.
    const p = corrupt('parallel.rpm', (b) => {
      const il = b.readUInt32BE(info.headerRange.start + 8);
      for (let i = 0; i < il; i++) {
        if (b.readUInt32BE(mainIndexEntry(i)) === 1030) b.writeUInt32BE(b.readUInt32BE(mainIndexEntry(i) + 12) - 1, mainIndexEntry(i) + 12);
      }
    });
    await expectReject(p, 'main header tag 1030 (FILEMODES): has 2 values, expected 3 (one per 1117 (BASENAMES) entry)');
  });
});

describe('readRpmPayload errors', () => {
  it('unsupported compressor', async () => {
    const e = await rejection(readRpmPayload(info.path, { ...info, payloadCompressor: 'xz' }).next());
    expect(e.message).toBe(`${info.path}: RPM header tag 1125 (PAYLOADCOMPRESSOR): payload compressor xz not supported (only gzip)`);
  });

  it('truncated payload', async () => {
    const p = write('payload-cut.rpm', good.subarray(0, good.length - 30));
    const e = await rejection((async () => {
      for await (const entry of readRpmPayload(p, info)) await entry.buffer();
    })());
    expect(e.file).toBe(p);
    expect(e.message).toMatch(/payload: gzip data is corrupt or truncated/);
  });

  it('garbage instead of gzip', async () => {
    const b = Buffer.from(good);
    b.fill(0x41, info.payloadOffset);
    const p = write('payload-garbage.rpm', b);
    const e = await rejection(readRpmPayload(p, info).next());
    expect(e.message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: payload: gzip data is corrupt`));
  });
});

import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { randomBytes } from '../../../testing/random';
import { FileDigester, type FileToDigest } from './file-digests';
import { type IsoEntry, writeIso } from './writer';

const hex = (algorithm: string, b: Uint8Array) => createHash(algorithm).update(b).digest('hex');

let dir: string;
let digester: FileDigester | undefined;
let fd: number | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-file-digests-'));
});
afterEach(async () => {
  await digester?.close();
  digester = undefined;
  if (fd !== undefined) closeSync(fd);
  fd = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** RPM-like requests: md5, md5 from an offset, sha256 of a range, sha256 of no bytes. */
function requests(size: number, i: number): FileToDigest['requests'] {
  return [{ algorithm: 'md5' }, { algorithm: 'md5', from: Math.min(size, 1000 + i) }, { algorithm: 'sha256', from: Math.min(size, 77), to: Math.min(size, 5000) }, { algorithm: 'sha256', from: 0, to: 0 }];
}

function expected(bytes: Buffer, i: number): string[] {
  const size = bytes.length;
  return [hex('md5', bytes), hex('md5', bytes.subarray(Math.min(size, 1000 + i))), hex('sha256', bytes.subarray(Math.min(size, 77), Math.min(size, 5000))), hex('sha256', Buffer.alloc(0))];
}

/** An image holding files of these sizes, each after a gap of 2048 bytes; opened for reading as `fd`. */
function image(sizes: number[], tag: string): { files: Array<FileToDigest & { bytes: Buffer }>; total: number } {
  const parts: Buffer[] = [];
  const files: Array<FileToDigest & { bytes: Buffer }> = [];
  let at = 0;
  sizes.forEach((size, i) => {
    parts.push(randomBytes(2048, `${tag} gap ${i}`));
    at += 2048;
    const bytes = randomBytes(size, `${tag} ${i}`);
    files.push({ at, size, bytes, requests: requests(size, i) });
    parts.push(bytes);
    at += size;
  });
  const path = join(dir, 'image');
  writeFileSync(path, Buffer.concat(parts));
  fd = openSync(path, 'r');
  return { files, total: at };
}

describe('FileDigester', () => {
  // More files than the twelve lanes hold, sizes around and well past a step's 1 MiB, one of a
  // single byte: every digest is node:crypto's of the file's bytes in the image, in request order.
  test("many files, several at a time: each request's digest", async () => {
    const { files, total } = image([3 << 20, 1, (1 << 20) + 1, 70_000, 5 << 20, 1 << 20, 64, 2_000_001, 4096, 333, 1_500_000, 12_345, 7 << 19, 99, 100_000], 'many');
    digester = new FileDigester(fd!, 'out.iso', files);
    digester.written(total);
    for (const [i, f] of files.entries()) expect(await digester.result(i)).toEqual(expected(f.bytes, i));
  });

  // The writer reports its progress in buffers. Here the image on disk holds only what was said
  // to be written, so a read past it would fail the digester ("it ends at byte ...").
  test("a file's bytes are read as they are written, never past; its digests come once it is whole", async () => {
    const { files, total } = image([5 << 20, 3 << 20, 10], 'progress');
    const path = join(dir, 'image');
    const whole = readFileSync(path);
    const cut = files[1]!.at + files[1]!.size - 1; // the second file lacks its last byte
    writeFileSync(path, whole.subarray(0, cut));
    digester = new FileDigester(fd!, 'out.iso', files);
    const settled: number[] = [];
    files.forEach((_, i) => void digester!.result(i).then(() => settled.push(i)));
    digester.written(cut);
    expect(await digester.result(0)).toEqual(expected(files[0]!.bytes, 0));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toEqual([0]);
    writeFileSync(path, whole);
    digester.written(files[1]!.at + files[1]!.size);
    expect(await digester.result(1)).toEqual(expected(files[1]!.bytes, 1));
    expect(settled).toEqual([0, 1]);
    digester.written(total);
    expect(await digester.result(2)).toEqual(expected(files[2]!.bytes, 2));
  });

  test('files asking for no MD5 (sha256 only) are read one at a time', async () => {
    const { files, total } = image([5 << 20, 3, 1 << 20], 'sha only');
    const shaOnly = files.map((f) => ({ ...f, requests: [{ algorithm: 'sha256' }, { algorithm: 'sha1', from: 1 }] }));
    digester = new FileDigester(fd!, 'out.iso', shaOnly);
    digester.written(total);
    for (const [i, f] of shaOnly.entries()) expect(await digester.result(i)).toEqual([hex('sha256', f.bytes), hex('sha1', f.bytes.subarray(1))]);
  });

  test('an image shorter than written says: rejected, naming the output, every file after it too', async () => {
    const { files, total } = image([100, 200], 'short');
    digester = new FileDigester(fd!, 'out.iso', [...files, { at: total + 10, size: 50, requests: [{ algorithm: 'md5' }] }]);
    digester.written(total + 60);
    await expect(digester.result(2)).rejects.toThrow(/^out\.iso: cannot read the image: it ends at byte \d+$/);
  });

  test('close() before the end stops the worker; results not reached never settle as digests', async () => {
    const { files } = image([4 << 20, 4 << 20], 'close');
    digester = new FileDigester(fd!, 'out.iso', files);
    digester.written(files[0]!.at + files[0]!.size);
    await digester.close();
    const raced = await Promise.race([digester.result(1).then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('pending'), 50))]);
    expect(raced).toBe('pending');
  });
});

// The writer hands files asking for MD5s, 16 MiB or more of them, to a FileDigester: the digests
// and the image are the same as when they are hashed from the image's buffers.
describe('writeIso with a FileDigester', () => {
  test("every file's digests, and the image's", async () => {
    const sizes = [9 << 20, 10 << 20, 12_345];
    const files = sizes.map((size, i) => {
      const bytes = randomBytes(size, `writer ${i}`);
      const path = join(dir, `p${i}.rpm`);
      writeFileSync(path, bytes);
      return { path, bytes };
    });
    const entries: IsoEntry[] = files.map((f, i) => ({ path: `Packages/p${i}.rpm`, kind: 'file', size: f.bytes.length, source: f.path, digests: requests(f.bytes.length, i) }));
    const out = join(dir, 'out.iso');
    const written = await writeIso(entries, { volumeId: 'T', epoch: 0 }, out);
    for (const [i, f] of files.entries()) expect(written.files?.get(`Packages/p${i}.rpm`)).toEqual(expected(f.bytes, i));
    const bytes = readFileSync(out);
    expect(written.md5).toBe(hex('md5', bytes));
    expect(written.sha256).toBe(hex('sha256', bytes));
  });
});

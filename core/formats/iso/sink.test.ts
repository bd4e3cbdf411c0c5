import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { randomBytes } from '../../../testing/random';
import { SuppackError } from '../../base/errors';
import { CHUNK, ImageSink } from './sink';

let work: string;
let fh: FileHandle;
let sink: ImageSink | null;

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'suppack-sink-'));
  fh = await open(join(work, 'out'), 'w');
  sink = null;
});

afterEach(async () => {
  await sink?.close();
  await fh.close();
  rmSync(work, { recursive: true, force: true });
});

const hex = (algorithm: string, bytes: Uint8Array) => createHash(algorithm).update(bytes).digest('hex');

describe('ImageSink', () => {
  test('hashes the image and the ranges of each file as the bytes pass, across buffers', async () => {
    const head = randomBytes(3000, 'sink head');
    const file = randomBytes(CHUNK + 12345, 'sink file');
    sink = new ImageSink(fh, 'out', head.length + file.length, undefined, ['md5'], 2);
    await sink.put(head);
    sink.beginFile([{ algorithm: 'md5' }, { algorithm: 'sha256', from: 100, to: CHUNK + 7 }], file.length);
    await sink.put(file);
    const digests = sink.endFile();
    const done = await sink.finish();
    expect(await digests).toEqual([hex('md5', file), hex('sha256', file.subarray(100, CHUNK + 7))]);
    const image = Buffer.concat([head, file]);
    expect(done).toEqual({ bytes: image.length, md5: hex('md5', image) });
    expect(readFileSync(join(work, 'out')).equals(image)).toBe(true);
  });

  // Files that start mid-buffer and span several buffers, their requests spread over two range
  // workers, the pool of buffers reused.
  test('every file range and the image digests, across buffers and pool reuse', async () => {
    const files = [randomBytes(3 * CHUNK + 999, 'ranges a'), randomBytes(70, 'ranges b'), randomBytes(CHUNK + 1, 'ranges c'), randomBytes(5 * CHUNK, 'ranges d')];
    const head = randomBytes(2048 * 3, 'ranges head');
    const total = head.length + files.reduce((n, f) => n + f.length, 0);
    sink = new ImageSink(fh, 'out', total, undefined, ['md5', 'sha256'], 2);
    await sink.put(head);
    const digests: Array<Promise<string[]>> = [];
    for (const f of files) {
      sink.beginFile([{ algorithm: 'md5' }, { algorithm: 'md5', from: 37 }, { algorithm: 'sha256', from: 0, to: 50 }], f.length);
      await sink.put(f);
      digests.push(sink.endFile());
    }
    const done = await sink.finish();
    for (const [i, f] of files.entries()) {
      expect(await digests[i]).toEqual([hex('md5', f), hex('md5', f.subarray(37)), hex('sha256', f.subarray(0, 50))]);
    }
    const image = Buffer.concat([head, ...files]);
    expect(done).toEqual({ bytes: image.length, md5: hex('md5', image), sha256: hex('sha256', image) });
    expect(readFileSync(join(work, 'out')).equals(image)).toBe(true);
  });

  test.each(['sha256', 'md5'] as const)('finish() after settle() with nothing since, image %s: every digest, no wait', async (image) => {
    const file = randomBytes(5000, `sink settle ${image}`);
    sink = new ImageSink(fh, 'out', file.length, undefined, [image], 1);
    sink.beginFile([{ algorithm: 'md5' }], file.length);
    await sink.put(file);
    const digests = sink.endFile();
    await sink.settle();
    expect(await digests).toEqual([hex('md5', file)]);
    expect(await sink.finish()).toEqual({ bytes: file.length, [image]: hex(image, file) });
  });

  // A range worker that fails (here: an algorithm its crypto does not know) fails the sink: the
  // file's digests and finish() reject with the sink's error instead of waiting forever.
  test('a range worker that fails rejects the file digests and finish()', async () => {
    sink = new ImageSink(fh, 'out', 100, undefined, [], 1);
    sink.beginFile([{ algorithm: 'no-such-digest' }], 100);
    await sink.put(randomBytes(100, 'sink fail'));
    const first = sink.endFile();
    await sink.settle();
    await expect(first).rejects.toThrow(SuppackError);
    await expect(first).rejects.toThrow(/cannot write output/);
    // after the failure: a new file's digests reject at once, and so does finish()
    sink.beginFile([{ algorithm: 'md5' }], 0);
    await expect(sink.endFile()).rejects.toThrow(/cannot write output/);
    await expect(sink.finish()).rejects.toThrow(/cannot write output/);
  });

  // A sink with workers writes in a worker thread (image-writes.ts WorkerWrites), one without on
  // this thread (AsyncWrites). A failed write fails the sink with the error's code either way;
  // here the output is open read-only, so every write fails with EBADF.
  test.each([
    ['in the write worker', ['md5'] as const],
    ['on the calling thread', [] as const],
  ])('a failed write %s rejects finish() with the code of the error', async (_, digests) => {
    const readOnly = await open(join(work, 'out'), 'r');
    try {
      const s = new ImageSink(readOnly, 'out', CHUNK + 10, undefined, digests);
      try {
        await s.put(randomBytes(CHUNK + 10, 'sink write fail'));
        const err = await s.finish().then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(SuppackError);
        expect((err as Error).message).toMatch(/out: cannot write output: EBADF/);
      } finally {
        await s.close();
      }
    } finally {
      await readOnly.close();
    }
  });

  test('bytes written by the write worker are reported as progress, in order, up to the total', async () => {
    const image = randomBytes(2 * CHUNK + 77, 'sink progress');
    const seen: number[] = [];
    sink = new ImageSink(fh, 'out', image.length, (p) => seen.push(p.written), ['sha256']);
    await sink.put(image);
    expect(await sink.finish()).toEqual({ bytes: image.length, sha256: hex('sha256', image) });
    expect(seen.at(-1)).toBe(image.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(readFileSync(join(work, 'out')).equals(image)).toBe(true);
  });

  // The operations on an empty file travel without a buffer: finish() must wait for their answer.
  test('finish() reports a range worker failure on operations sent without a buffer', async () => {
    sink = new ImageSink(fh, 'out', 0, undefined, [], 1);
    sink.beginFile([{ algorithm: 'no-such-digest' }], 0);
    const digests = sink.endFile();
    await expect(sink.finish()).rejects.toThrow(/cannot write output/);
    await expect(digests).rejects.toThrow(/cannot write output/);
  });
});

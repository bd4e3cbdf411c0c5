import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { randomBytes } from '../../../testing/random';
import { FileDigester, type FileToDigest, fileIdentity } from './file-digests';
import { type IsoEntry, writeIso } from './writer';

const hex = (algorithm: string, b: Uint8Array) => createHash(algorithm).update(b).digest('hex');
/** Descriptors of this process open on files in `dir`. */
const openIn = (dir: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false; // the descriptor readdir used, closed since
    }
  }).length;

let dir: string;
let digester: FileDigester | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-file-digests-'));
});
afterEach(async () => {
  await digester?.close();
  digester = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Files of the given sizes, each asking for an RPM's requests: md5, md5 from an offset, sha256 of a range. */
function rpmLike(sizes: number[], tag: string): Array<FileToDigest & { bytes: Buffer }> {
  return sizes.map((size, i) => {
    const bytes = randomBytes(size, `${tag} ${i}`);
    const path = join(dir, `f${i}.rpm`);
    writeFileSync(path, bytes);
    const from = Math.min(size, 1000 + i);
    return {
      path,
      size,
      bytes,
      requests: [{ algorithm: 'md5' }, { algorithm: 'md5', from }, { algorithm: 'sha256', from: Math.min(size, 77), to: Math.min(size, 5000) }, { algorithm: 'sha256', from: 0, to: 0 }],
    };
  });
}

describe('FileDigester', () => {
  // More files than the twelve lanes hold, sizes around and well past a step's 1 MiB, one of a
  // single byte: every digest is node:crypto's of the same bytes, in request order.
  test("many files, several at a time: each request's digest and the file's identity", async () => {
    const files = rpmLike([3 << 20, 1, (1 << 20) + 1, 70_000, 5 << 20, 1 << 20, 64, 2_000_001, 4096, 333, 1_500_000, 12_345, 7 << 19, 99, 100_000], 'many');
    digester = new FileDigester(files);
    digester.start();
    for (const [i, f] of files.entries()) {
      const r = await digester.result(i);
      const from = Math.min(f.size, 1000 + i);
      expect(r.hex).toEqual([hex('md5', f.bytes), hex('md5', f.bytes.subarray(from)), hex('sha256', f.bytes.subarray(Math.min(f.size, 77), Math.min(f.size, 5000))), hex('sha256', Buffer.alloc(0))]);
      expect(r.identity).toBe(fileIdentity(statSync(f.path, { bigint: true })));
    }
    expect(openIn(dir)).toBe(0); // each file closed once hashed
  });

  test('files asking for no MD5 (an update pack: sha256 only) are read one at a time', async () => {
    const files = [5 << 20, 3, 1 << 20].map((size, i) => {
      const bytes = randomBytes(size, `sha only ${i}`);
      const path = join(dir, `s${i}`);
      writeFileSync(path, bytes);
      return { path, size, bytes, requests: [{ algorithm: 'sha256' }, { algorithm: 'sha1', from: 1 }] };
    });
    digester = new FileDigester(files);
    digester.start();
    for (const [i, f] of files.entries()) {
      expect((await digester.result(i)).hex).toEqual([hex('sha256', f.bytes), hex('sha1', f.bytes.subarray(1))]);
    }
  });

  // start() opens the first files and takes their identity before any byte is read (the worker is
  // still starting), so a change made right after it is seen when the file's last bytes are in.
  test('a file modified after it was opened: rejected, never a digest of other bytes', async () => {
    const [f] = rpmLike([6 << 20], 'modified');
    digester = new FileDigester([f!]);
    digester.start();
    utimesSync(f!.path, new Date(1_000_000), new Date(2_000_000));
    await expect(digester.result(0)).rejects.toThrow(`${f!.path}: file changed while the ISO was written: it was modified while it was read`);
  });

  test('a file cut short after it was opened: rejected with where it ended', async () => {
    const [f] = rpmLike([6 << 20], 'short');
    digester = new FileDigester([f!]);
    digester.start();
    truncateSync(f!.path, 1 << 20);
    await expect(digester.result(0)).rejects.toThrow(/file changed while the ISO was written: it ended after \d+ bytes/);
  });

  test('a file whose size is not the planned one, or that is gone: rejected with its name, every later file too', async () => {
    const files = rpmLike([100, 200], 'size');
    digester = new FileDigester([{ ...files[0]!, size: 101 }, files[1]!]);
    digester.start();
    await expect(digester.result(0)).rejects.toThrow(`${files[0]!.path}: size: file changed while the ISO was written: expected 101 bytes, found 100`);
    await expect(digester.result(1)).rejects.toThrow('expected 101 bytes');
    await digester.close();
    digester = new FileDigester([{ ...files[0]!, path: join(dir, 'gone') }]);
    digester.start();
    await expect(digester.result(0)).rejects.toThrow(`${join(dir, 'gone')}: no such file`);
  });

  test('close() before the end stops the worker and closes every file it opened', async () => {
    const files = rpmLike([4 << 20, 4 << 20, 4 << 20], 'close');
    digester = new FileDigester(files);
    digester.start();
    expect(openIn(dir)).toBe(3);
    await digester.close();
    digester = undefined;
    expect(openIn(dir)).toBe(0);
  });
});

// The writer hands files on disk asking for digests, 16 MiB or more of them, to a FileDigester:
// the digests and the image are the same as when they are hashed from the image's buffers.
describe('writeIso with a FileDigester', () => {
  test("every file's digests, and the image's", async () => {
    const files = rpmLike([9 << 20, 10 << 20, 12_345], 'writer');
    const entries: IsoEntry[] = files.map((f, i) => ({ path: `Packages/p${i}.rpm`, kind: 'file', size: f.size, source: f.path, digests: f.requests }));
    const out = join(dir, 'out.iso');
    const written = await writeIso(entries, { volumeId: 'T', epoch: 0 }, out);
    for (const [i, f] of files.entries()) {
      const from = Math.min(f.size, 1000 + i);
      expect(written.files?.get(`Packages/p${i}.rpm`)).toEqual([hex('md5', f.bytes), hex('md5', f.bytes.subarray(from)), hex('sha256', f.bytes.subarray(77, Math.min(f.size, 5000))), hex('sha256', Buffer.alloc(0))]);
    }
    const image = readFileSync(out);
    expect(written.md5).toBe(hex('md5', image));
    expect(written.sha256).toBe(hex('sha256', image));
  });
});

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readNewc } from './cpio';
import { encodeNewc, encodeNewcHeader } from './cpio-write';

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

const members = [
  { name: './a', ino: 1, mode: 0o040755, nlink: 2, mtime: 1700000000 },
  { name: './a/file.txt', ino: 2, mode: 0o100644, nlink: 1, mtime: 1700000001, data: Buffer.from('hello\n') },
  { name: './a/link', ino: 3, mode: 0o120777, nlink: 1, mtime: 1700000002, data: Buffer.from('file.txt') },
];

describe('encodeNewc', () => {
  it('writes a 110-byte uppercase-hex header', () => {
    const h = encodeNewcHeader({ ino: 0xab, mode: 0o100644, uid: 0, gid: 0, nlink: 1, mtime: 0, size: 5, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, nameSize: 4 });
    expect(h.length).toBe(110);
    expect(h.toString('latin1', 0, 22)).toBe('070701000000AB000081A4');
    expect(() => encodeNewcHeader({ ino: -1, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, size: 0, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, nameSize: 1 })).toThrow(/32 bits/);
  });

  it('round-trips through readNewc with 4-byte alignment and a TRAILER!!!', async () => {
    const archive = encodeNewc(members);
    expect(archive.length % 4).toBe(0);
    const seen: Array<[string, number, number, string]> = [];
    for await (const e of readNewc(once(archive))) seen.push([e.name, e.ino, e.mode, (await e.buffer()).toString()]);
    expect(seen).toEqual([
      ['./a', 1, 0o040755, ''],
      ['./a/file.txt', 2, 0o100644, 'hello\n'],
      ['./a/link', 3, 0o120777, 'file.txt'],
    ]);
  });

  it('is listed by GNU cpio with names, modes and link targets', () => {
    const r = spawnSync('cpio', ['-itv', '--quiet'], { input: encodeNewc(members) });
    expect(r.status).toBe(0);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['drwxr-xr-x', '-rw-r--r--', 'lrwxrwxrwx']);
    expect(lines[2]).toMatch(/\.\/a\/link -> file\.txt$/);
    expect(lines[1]).toMatch(/ 6 .*\.\/a\/file\.txt$/);
  });
});

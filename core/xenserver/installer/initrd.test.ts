import { randomBytes } from '../../../testing/random';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { appendedMemberSpan, encodeInitrdMember, findAppendedMember, initrdPadding } from './initrd';
import { sh, walkInitramfs } from './testing';

const EPOCH = 946684800;
const ANSWERFILE = Buffer.from('<installation><primary-disk>sda</primary-disk></installation>\n');
const HELLO = Buffer.from('replaced by the appended member\n');
const FILES = [
  { path: '/answerfile.xml', data: ANSWERFILE },
  { path: 'etc/hello.txt', data: HELLO, mode: 0o600 },
  { path: '/bin/probe', data: Buffer.from('#!/bin/sh\necho probe\n'), mode: 0o755 },
];

const work = mkdtempSync(join(tmpdir(), 'suppack-initrd-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A ramdisk tree packed by the real GNU cpio, compressed with `compress` (e.g. `bzip2`, `gzip -n`, `cat`). */
function realInitrd(name: string, compress: string): Buffer {
  const root = join(work, `${name}-root`);
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'bin'), { recursive: true });
  writeFileSync(join(root, 'init'), '#!/bin/sh\nexec /bin/sh\n', { mode: 0o755 });
  writeFileSync(join(root, 'etc/hello.txt'), 'original\n');
  return sh(`find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | ${compress}`, root);
}

describe('encodeInitrdMember', () => {
  const member = encodeInitrdMember(FILES, EPOCH);

  test('deterministic gzip header (mtime 0, OS Unix) and 4-byte length', () => {
    expect(encodeInitrdMember(FILES, EPOCH).equals(member)).toBe(true);
    expect([...member.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(member.readUInt32LE(4)).toBe(0);
    expect(member[9]).toBe(3);
    expect(member.length % 4).toBe(0);
    expect(encodeInitrdMember(FILES, EPOCH + 1).equals(member)).toBe(false);
  });

  test('GNU cpio reads the member: sorted names without "/", uid/gid 0, modes, mtime', () => {
    writeFileSync(join(work, 'member.gz'), member);
    const listing = sh('gzip -dc member.gz | cpio -itv --numeric-uid-gid --quiet', work).toString();
    const lines = listing.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).at(-1))).toEqual(['answerfile.xml', 'bin/probe', 'etc/hello.txt']);
    expect(lines[0]).toMatch(/^-rw-r--r-- +1 0 +0 +62 Jan +1 +2000 answerfile\.xml$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x +1 0 +0 /);
    expect(lines[2]).toMatch(/^-rw------- +1 0 +0 /);
    const out = join(work, 'extract-cpio');
    mkdirSync(out);
    sh('gzip -dc ../member.gz | cpio -id --quiet --no-absolute-filenames', out);
    expect(readFileSync(join(out, 'answerfile.xml')).equals(ANSWERFILE)).toBe(true);
    expect(readFileSync(join(out, 'etc/hello.txt')).equals(HELLO)).toBe(true);
  });

  test('bsdtar (libarchive) reads it too, padding included', () => {
    const out = join(work, 'extract-bsdtar');
    mkdirSync(out);
    sh('bsdtar -xf ../member.gz', out);
    expect(readFileSync(join(out, 'bin/probe'), 'utf8')).toBe('#!/bin/sh\necho probe\n');
    expect(sh('bsdtar -tf member.gz', work).toString()).toBe('answerfile.xml\nbin/probe\netc/hello.txt\n');
  });

  test('the raw newc: ino 1.., nlink 1, TRAILER!!!', () => {
    const [m] = walkInitramfs(member);
    expect(m.kind).toBe('gzip');
    expect(m.end).toBeLessThanOrEqual(member.length);
    expect(m.entries.map((e) => [e.name, e.ino, e.nlink, e.uid, e.gid, e.mtime, e.mode.toString(8)])).toEqual([
      ['answerfile.xml', 1, 1, 0, 0, EPOCH, '100644'],
      ['bin/probe', 2, 1, 0, 0, EPOCH, '100755'],
      ['etc/hello.txt', 3, 1, 0, 0, EPOCH, '100600'],
    ]);
  });

  test('bad input', () => {
    expect(() => encodeInitrdMember([{ path: '/a', data: HELLO }, { path: 'a', data: HELLO }], EPOCH)).toThrow(/\/a is given twice/);
    for (const path of ['', '/', '../etc/x', 'a//b', 'a/./b']) {
      expect(() => encodeInitrdMember([{ path, data: HELLO }], EPOCH)).toThrow(SuppackError);
    }
    expect(() => encodeInitrdMember([{ path: 'a', data: HELLO, mode: 0o040755 }], EPOCH)).toThrow(/permission bits/);
    expect(() => encodeInitrdMember([{ path: 'a', data: HELLO }], -1)).toThrow(/epoch/);
  });
});

describe('appending to a real ramdisk', () => {
  const member = encodeInitrdMember(FILES, EPOCH);

  test('bzip2 base from real cpio: the base still reads, the member is found at its offset', () => {
    const base = realInitrd('bz', 'bzip2 -9');
    const combined = Buffer.concat([base, initrdPadding(base.length), member]);
    expect((base.length + initrdPadding(base.length).length) % 4).toBe(0);
    writeFileSync(join(work, 'combined-bz.img'), combined);
    // bzip2 stops after its stream (warning about the trailing member); the first archive is intact
    const names = sh('(bzip2 -dc combined-bz.img 2>/dev/null; true) | cpio -it --quiet', work).toString().trim().split('\n');
    expect(names).toEqual(['.', 'bin', 'etc', 'etc/hello.txt', 'init']);
    // the appended member on its own, cut out by offset, reads with gzip + cpio
    const found = findAppendedMember(combined);
    expect(found?.offset).toBe(base.length + initrdPadding(base.length).length);
    writeFileSync(join(work, 'cut.gz'), combined.subarray(found?.offset ?? 0));
    expect(sh('gzip -dc cut.gz | cpio -it --quiet', work).toString()).toBe('answerfile.xml\nbin/probe\netc/hello.txt\n');
    expect(found?.files.map((f) => [f.path, f.data.toString(), f.mode])).toEqual(FILES.map((f) => [f.path.replace(/^\//, ''), f.data.toString(), 0o100000 | (f.mode ?? 0o644)]).sort());
    // on the last bytes only, the offset is relative to that tail
    const tail = combined.subarray(combined.length - member.length - 5);
    expect(findAppendedMember(tail)?.offset).toBe(5);
    expect(findAppendedMember(base)).toBeUndefined();
  });

  test('gzip and raw bases: a kernel-like walk sees both members, later entries win', () => {
    for (const [name, compress] of [['gz', 'gzip -n -9'], ['raw', 'cat']] as const) {
      const base = realInitrd(name, compress);
      const combined = Buffer.concat([base, initrdPadding(base.length), member]);
      const members = walkInitramfs(combined);
      expect(members.map((m) => m.kind)).toEqual([name === 'gz' ? 'gzip' : 'newc', 'gzip']);
      expect(members[1].offset).toBe(base.length + initrdPadding(base.length).length);
      const rootfs = new Map<string, string>();
      for (const m of members) for (const e of m.entries) rootfs.set(e.name, e.data.toString());
      expect(rootfs.get('etc/hello.txt')).toBe(HELLO.toString());
      expect(rootfs.get('init')).toBe('#!/bin/sh\nexec /bin/sh\n');
      expect(rootfs.get('answerfile.xml')).toBe(ANSWERFILE.toString());
      expect(findAppendedMember(combined)?.offset).toBe(members[1].offset);
    }
  });

  test('no member, a truncated member, or junk after it: undefined', () => {
    expect(findAppendedMember(Buffer.alloc(0))).toBeUndefined();
    expect(findAppendedMember(Buffer.from('0707010000'))).toBeUndefined();
    expect(findAppendedMember(member.subarray(0, member.length - 12))).toBeUndefined();
    expect(findAppendedMember(Buffer.concat([member, Buffer.from([1])]))).toBeUndefined();
    expect(findAppendedMember(Buffer.concat([member, Buffer.alloc(4096)]))?.offset).toBe(0);
  });
});

describe('appendedMemberSpan', () => {
  const base = randomBytes(1 << 20, 1);

  test('the span from the end reaches back to the member, for small, incompressible and padded members', () => {
    const members = [
      encodeInitrdMember(FILES, EPOCH),
      encodeInitrdMember([{ path: '/lib/firmware/blob.bin', data: randomBytes(200_000, 2) }], EPOCH),
      encodeInitrdMember([{ path: '/lib/modules/x.ko', data: Buffer.alloc(3 << 20, 7) }], EPOCH),
    ];
    for (const member of members) {
      for (const zeros of [0, 3, 1000]) {
        const image = Buffer.concat([base, initrdPadding(base.length), member, Buffer.alloc(zeros)]);
        const span = appendedMemberSpan(image.subarray(image.length - 4096));
        expect(span).toBeGreaterThanOrEqual(member.length + zeros);
        // Other trailer places may claim more; the caller reads at most the whole image.
        const n = Math.min(span!, image.length);
        const found = findAppendedMember(image.subarray(image.length - n));
        expect(found?.offset).toBe(n - member.length - zeros);
      }
    }
  });

  test('a trailer whose ISIZE ends in zero bytes (here 512 input bytes) is still read', () => {
    // newc of one 276-byte file "a" and TRAILER!!!: 112 + 276 + 124 = 512 bytes, ISIZE 00 02 00 00.
    const member = encodeInitrdMember([{ path: 'a', data: Buffer.alloc(276, 0x61) }], EPOCH);
    expect(gunzipSync(member).length).toBe(512);
    expect(member.subarray(member.length - 2).equals(Buffer.alloc(2))).toBe(true);
    const image = Buffer.concat([base, member]);
    const span = appendedMemberSpan(image.subarray(image.length - 4096));
    expect(span).toBeGreaterThanOrEqual(member.length);
    expect(findAppendedMember(image.subarray(image.length - span!))?.files.map((f) => f.path)).toEqual(['a']);
  });

  test('no plausible trailer: undefined (all zeros, a size over the limit); else the span its ISIZE allows', () => {
    expect(appendedMemberSpan(Buffer.alloc(4096))).toBeUndefined();
    expect(appendedMemberSpan(Buffer.alloc(0))).toBeUndefined();
    const tail = (isize: number) => {
      const b = Buffer.alloc(64, 0xff);
      b.writeUInt32LE(isize, 60);
      return b;
    };
    expect(appendedMemberSpan(tail(0xffffffff))).toBeUndefined();
    expect(appendedMemberSpan(tail(0x12345678))).toBeUndefined();
    // No zero byte at the end: one trailer place only.
    expect(appendedMemberSpan(tail(0x01020304))).toBe(4096 + 2 * 0x01020304 + 8);
  });
});

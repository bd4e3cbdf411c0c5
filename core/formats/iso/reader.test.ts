import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { openIso, type IsoDirent, type IsoImage } from './reader';
import {
  findRecord,
  genisoimage,
  isoinfoD,
  listTree,
  patchedCopy,
  put733,
  streamToBuffer,
  writeTree,
  xorriso,
  type TreeEntry,
} from './testing';

/** Asserts `p` rejects within `ms` with a one-line SuppackError naming `file` and matching `pattern`. */
export async function expectIsoError(p: Promise<unknown>, file: string, pattern: RegExp, ms = 10_000): Promise<SuppackError> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no error within ${ms} ms (hang?)`)), ms);
  });
  try {
    const e = await Promise.race([p.then(() => undefined, (err: unknown) => err), timeout]);
    expect(e).toBeInstanceOf(SuppackError);
    const err = e as SuppackError;
    expect(err.file).toBe(file);
    expect(err.message.startsWith(`${file}: `)).toBe(true);
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(pattern);
    return err;
  } finally {
    clearTimeout(timer);
  }
}

let tmp: string;
let src: string;
let tree: TreeEntry[];
const S_IFMT = 0o170000;
const LONG_TARGET = `${'d'.repeat(120)}/${'e'.repeat(200)}/f`;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'suppack-iso-reader-'));
  src = join(tmp, 'src');
  const files: Record<string, string | Buffer | { link: string }> = {
    'a.txt': 'hello\n',
    empty: '',
    'big.bin': randomBytes(200_000),
    'script.sh': '#!/bin/sh\necho hi\n',
    secret: 'secret\n',
    link: { link: 'a.txt' },
    'abs-link': { link: '/etc/hosts' },
    'dot-link': { link: './sub/../a.txt' },
    'long-link': { link: LONG_TARGET },
    'sub/deep/up': { link: '../../a.txt' },
    'sub/deep/file.txt': 'deep file\n',
    [`long/${'x'.repeat(150)}`]: '150',
    [`long/${'y'.repeat(240)}`]: '240',
    'ünïcødé.txt': 'unicode\n',
    '日本語/テスト.txt': 'nihongo\n',
  };
  for (let i = 0; i < 300; i++) files[`many/file-${String(i).padStart(3, '0')}.txt`] = `${i}\n`;
  writeTree(src, files);
  mkdirSync(join(src, 'emptydir'));
  chmodSync(join(src, 'script.sh'), 0o755);
  chmodSync(join(src, 'secret'), 0o600);
  tree = listTree(src);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const summary = (e: { path: string; kind: string; size: number; target?: string }) =>
  `${e.path} ${e.kind}${e.kind === 'file' ? ` ${e.size}` : ''}${e.target !== undefined ? ` -> ${e.target}` : ''}`;

async function expectContents(img: IsoImage, entries: IsoDirent[]): Promise<void> {
  for (const e of entries.filter((d) => d.kind === 'file')) {
    const want = readFileSync(join(src, e.path));
    expect(await streamToBuffer(img.createReadStream(e.path)), e.path).toEqual(want);
  }
}

describe('Rock Ridge images from the real tools', () => {
  const builds: Array<[string, (out: string) => string, 'exact' | 'rationalized']> = [
    ['xorriso -R -J -joliet-long', (o) => xorriso(src, o, ['-R', '-J', '-joliet-long']), 'exact'],
    ['xorriso -r -J -joliet-long', (o) => xorriso(src, o, ['-r', '-J', '-joliet-long']), 'rationalized'],
    ['xorriso -r -iso-level 3 (no Joliet)', (o) => xorriso(src, o, ['-r', '-iso-level', '3']), 'rationalized'],
    ['genisoimage -r -J -joliet-long', (o) => genisoimage(src, o, ['-r', '-J', '-joliet-long']), 'rationalized'],
  ];
  it.each(builds)('%s: entries, modes, symlinks and contents match the input tree', async (label, build, modes) => {
    const iso = build(join(tmp, `${label.replace(/\W+/g, '_')}.iso`));
    const img = await openIso(iso);
    try {
      expect(img.volume.rockRidge).toBe(true);
      expect(img.volume.joliet).toBe(label.includes('-J'));
      const entries = img.entries();
      expect(entries.map(summary)).toEqual(tree.map(summary));
      expect(entries.length).toBe(tree.length);
      for (const [i, e] of entries.entries()) {
        const want = tree[i];
        expect(e.name).toBe(want.path.split('/').pop());
        expect((e.mode ?? 0) & S_IFMT, e.path).toBe(want.mode & S_IFMT);
        if (modes === 'exact') expect(e.mode, e.path).toBe(want.mode);
        else expect((e.mode ?? 0) & 0o777 & ~0o111, e.path).toBe(0o444);
        if (e.kind === 'dir') expect(e.size % 2048 === 0 && e.size > 0).toBe(true);
      }
      await expectContents(img, entries);
      expect(img.lookup('/sub/deep/up')?.target).toBe('../../a.txt');
      expect(img.lookup('long-link')?.target).toBe(LONG_TARGET);
      expect(img.readdir('many').map((d) => d.name)).toEqual(tree.filter((t) => t.path.startsWith('many/')).map((t) => t.path.slice(5)));
      expect(img.readdir('/').map((d) => d.path)).toEqual(tree.filter((t) => !t.path.includes('/')).map((t) => t.path));
      expect(img.readdir('emptydir')).toEqual([]);
      expect((await img.readFile('a.txt')).toString()).toBe('hello\n');
    } finally {
      await img.close();
    }
  });
});

describe('Joliet and plain ISO 9660 names', () => {
  it.each([
    ['xorriso --norock -J -joliet-long', (o: string) => xorriso(src, o, ['--norock', '-J', '-joliet-long'])],
    ['genisoimage -J -joliet-long', (o: string) => genisoimage(src, o, ['-J', '-joliet-long'])],
  ])('%s: auto picks the Joliet tree with unicode names', async (label, build) => {
    const iso = build(join(tmp, `${label.replace(/\W+/g, '_')}.iso`));
    const img = await openIso(iso);
    try {
      expect(img.volume.rockRidge).toBe(false);
      expect(img.volume.joliet).toBe(true);
      const got = new Map(img.entries().map((e) => [e.path, e]));
      // Symlinks have no Joliet form and names are cut at 103 characters: compare the rest.
      const plain = tree.filter((t) => t.kind !== 'symlink' && !t.path.startsWith('long/'));
      for (const t of plain) expect(got.get(t.path) && summary(got.get(t.path)!), t.path).toBe(summary(t));
      const long = img.readdir('long').map((d) => d.name);
      expect(long.map((n) => n.length)).toEqual([103, 103]);
      expect(long).toEqual(['x'.repeat(103), 'y'.repeat(103)]);
      expect([...got.values()].every((e) => e.mode === undefined)).toBe(true);
      await expectContents(img, img.entries().filter((e) => !e.path.startsWith('long/') && e.size > 0));
    } finally {
      await img.close();
    }
  });

  it('names "iso9660" reads the primary tree with ISO names, ";1" and trailing "." stripped', async () => {
    const iso = xorriso(src, join(tmp, 'plain.iso'), ['-r', '-J']);
    const img = await openIso(iso, { names: 'iso9660' });
    try {
      const names = img.readdir('').map((d) => d.name);
      expect(names).toContain('A.TXT');
      expect(names).toContain('EMPTY');
      expect(names).toContain('MANY');
      expect(names.every((n) => !n.includes(';') && !n.endsWith('.'))).toBe(true);
      expect(img.lookup('SUB/DEEP/FILE.TXT')?.size).toBe(10);
      expect((await img.readFile('SUB/DEEP/FILE.TXT')).toString()).toBe('deep file\n');
      expect(img.readdir('MANY')).toHaveLength(300);
      // -r without -J: names "joliet" must be refused clearly.
      const noJ = xorriso(src, join(tmp, 'noj.iso'), ['-r']);
      await expectIsoError(openIso(noJ, { names: 'joliet' }), noJ, /no Joliet volume descriptor/);
      const noR = genisoimage(src, join(tmp, 'nor.iso'), ['-J']);
      await expectIsoError(openIso(noR, { names: 'rockridge' }), noR, /no Rock Ridge/);
    } finally {
      await img.close();
    }
  });

  it('plain ISO 9660 without -r or -J falls back to ISO names', async () => {
    const iso = genisoimage(src, join(tmp, 'iso-only.iso'), []);
    const img = await openIso(iso);
    try {
      expect(img.volume.rockRidge).toBe(false);
      expect(img.volume.joliet).toBe(false);
      expect(img.lookup('A.TXT')?.kind).toBe('file');
      expect(img.lookup('SUB/DEEP')?.kind).toBe('dir');
    } finally {
      await img.close();
    }
  });
});

describe('volume descriptors', () => {
  it('match isoinfo -d for xorriso and genisoimage images', async () => {
    const x = xorriso(src, join(tmp, 'vol-x.iso'), ['-r', '-J', '-V', 'XS-Pack_1.0', '-publisher', 'ACME Corp', '-A', 'suppack test', '-sysid', 'LINUX']);
    const g = genisoimage(src, join(tmp, 'vol-g.iso'), ['-r', '-V', 'GENVOL', '-p', 'Preparer X']);
    for (const iso of [x, g]) {
      const info = isoinfoD(iso);
      const img = await openIso(iso);
      const v = img.volume;
      expect(v.path).toBe(iso);
      expect(v.volumeId).toBe(info.get('Volume id'));
      expect(v.systemId).toBe(info.get('System id'));
      expect(v.publisherId).toBe(info.get('Publisher id'));
      expect(v.dataPreparerId).toBe(info.get('Data preparer id'));
      expect(v.applicationId).toBe(info.get('Application id'));
      expect(v.volumeSpaceBlocks).toBe(Number(info.get('Volume size is')));
      expect(v.blockSize).toBe(Number(info.get('Logical block size is')));
      expect(v.joliet).toBe(info.has('Joliet with UCS level 3 found'));
      expect(v.rockRidge).toBe(info.has('Rock Ridge signatures version 1 found'));
      expect(v.bootCatalogLba).toBeUndefined();
      await img.close();
    }
    const img = await openIso(x);
    expect(img.volume.volumeId).toBe('XS-Pack_1.0');
    expect(img.volume.publisherId).toBe('ACME CORP') // xorriso upper-cases it;
    expect(img.volume.creationDate).toBe('2000-01-01T00:00:00.000Z'); // SOURCE_DATE_EPOCH=946684800
    await img.close();
  });

  it('reads the El Torito boot catalog LBA like isoinfo', async () => {
    const bsrc = join(tmp, 'bootsrc');
    writeTree(bsrc, { 'boot/boot.img': Buffer.alloc(4096, 0xaa), 'readme.txt': 'boot me\n' });
    const iso = xorriso(bsrc, join(tmp, 'boot.iso'), ['-r', '-b', 'boot/boot.img', '-no-emul-boot', '-c', 'boot/boot.cat']);
    const m = /boot catalog is in sector (\d+)/.exec([...isoinfoD(iso).keys()].join('\n'));
    const img = await openIso(iso);
    try {
      expect(m).not.toBeNull();
      expect(img.volume.bootCatalogLba).toBe(Number(m![1]));
      expect(img.lookup('boot/boot.cat')?.extents[0].lba).toBe(img.volume.bootCatalogLba);
    } finally {
      await img.close();
    }
  });
});

describe('multi-extent files', () => {
  it('joins consecutive records with the same name into one entry (ECMA-119 9.1.6 bit 7)', async () => {
    const msrc = join(tmp, 'msrc');
    const partA = randomBytes(6144);
    const partB = randomBytes(1000);
    writeTree(msrc, { 'part_a.bin': partA, 'part_b.bin': partB, 'zz.txt': 'after\n' });
    const iso = xorriso(msrc, join(tmp, 'multi-src.iso'), ['-r', '-iso-level', '3']);
    const patched = patchedCopy(iso, join(tmp, 'multi.iso'), (b) => {
      const a = findRecord(b, 'PART_A.BIN;1');
      const second = findRecord(b, 'PART_B.BIN;1');
      b[a + 25] |= 0x80; // more extents follow
      b.write('PART_A.BIN;1', second + 33, 'latin1');
    });
    const img = await openIso(patched);
    try {
      expect(img.entries().map(summary)).toEqual(['part_a.bin file 7144', 'zz.txt file 6']);
      const d = img.lookup('part_a.bin')!;
      expect(d.extents.map((e) => e.length)).toEqual([6144, 1000]);
      expect(await streamToBuffer(img.createReadStream(d))).toEqual(Buffer.concat([partA, partB]));
      expect(await img.readFile('part_a.bin')).toEqual(Buffer.concat([partA, partB]));
    } finally {
      await img.close();
    }
    const broken = patchedCopy(iso, join(tmp, 'multi-broken.iso'), (b) => {
      b[findRecord(b, 'PART_A.BIN;1') + 25] |= 0x80;
    });
    await expectIsoError(openIso(broken), broken, /multi-extent file is not followed by a record with the same name/);
  });
});

describe('a real multi-extent file from xorriso -iso-level 3 (sparse 4.2 GiB input)', () => {
  it('reads both extents as one file with the right bytes', async () => {
    const bsrc = join(tmp, 'bigsrc');
    mkdirSync(bsrc);
    const size = 4300 * 1024 * 1024;
    const markers: Array<[number, Buffer]> = [
      [0, Buffer.from('START')],
      [0xfffff800 - 3, Buffer.from('ACROSS')], // xorriso's first extent is 4 GiB - 2048 bytes
      [size - 4, Buffer.from('END!')],
    ];
    const big = join(bsrc, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, size);
    const fd = openSync(big, 'r+');
    for (const [at, bytes] of markers) writeSync(fd, bytes, 0, bytes.length, at);
    closeSync(fd);
    const iso = xorriso(bsrc, join(tmp, 'big.iso'), ['-r', '-iso-level', '3']);
    rmSync(bsrc, { recursive: true });
    const img = await openIso(iso);
    try {
      const d = img.lookup('big.bin')!;
      expect(d.size).toBe(size);
      expect(d.extents.map((e) => e.length)).toEqual([0xfffff800, size - 0xfffff800]);
      let pos = 0;
      const seen: string[] = [];
      for await (const chunk of img.createReadStream(d) as AsyncIterable<Buffer>) {
        for (const [at, bytes] of markers) {
          const from = Math.max(at, pos);
          const to = Math.min(at + bytes.length, pos + chunk.length);
          if (from < to) seen.push(chunk.subarray(from - pos, to - pos).toString());
        }
        pos += chunk.length;
      }
      expect(pos).toBe(size);
      expect(seen.join('')).toBe('STARTACROSSEND!');
    } finally {
      await img.close();
      rmSync(iso);
    }
  });
});

describe('image API', () => {
  it('lookup, readdir, readFile guard, errors for wrong kinds, close', async () => {
    const iso = xorriso(src, join(tmp, 'api.iso'), ['-r']);
    const img = await openIso(iso);
    expect(img.lookup('')?.kind).toBe('dir');
    expect(img.lookup('/sub//deep/')?.path).toBe('sub/deep');
    expect(img.lookup('nope')).toBeUndefined();
    expect(img.readdir('sub').map((d) => d.path)).toEqual(['sub/deep']);
    expect(() => img.readdir('a.txt')).toThrow(/a\.txt.*is a file, expected a directory/);
    expect(() => img.readdir('nope')).toThrow(SuppackError);
    expect(() => img.createReadStream('sub')).toThrow(/is a directory/);
    await expectIsoError(img.readFile('big.bin', 1000), iso, /200000 bytes, more than the 1000-byte limit/);
    await expectIsoError(img.readFile('missing'), iso, /no such file/);
    expect(await streamToBuffer(img.createReadStream('empty'))).toEqual(Buffer.alloc(0));
    const entries = img.entries();
    entries.pop();
    expect(img.entries().length).toBe(entries.length + 1);
    await img.close();
    await img.close();
    await expectIsoError(img.readFile('a.txt'), iso, /closed/);
  });

  it('reads genisoimage deep-directory relocation (RR_MOVED with CL/RE) at the original place', async () => {
    const dsrc = join(tmp, 'deepsrc');
    const deep = Array.from({ length: 12 }, (_, i) => `d${i}`).join('/');
    writeTree(dsrc, { [`${deep}/f.txt`]: 'deep\n' });
    const iso = genisoimage(dsrc, join(tmp, 'reloc.iso'), ['-r']);
    const img = await openIso(iso);
    try {
      expect(img.lookup(`${deep}/f.txt`)?.size).toBe(5);
      expect((await img.readFile(`${deep}/f.txt`)).toString()).toBe('deep\n');
      expect(img.readdir('rr_moved')).toEqual([]);
    } finally {
      await img.close();
    }
  });
});

describe('hostile images fail with one clear line', () => {
  let small: string;
  let deepIso: string;
  beforeAll(() => {
    const ssrc = join(tmp, 'small');
    writeTree(ssrc, { 'a.txt': 'hello\n', 'sub/deep/b.txt': 'b\n', [`${'n'.repeat(240)}`]: 'long\n' });
    small = xorriso(ssrc, join(tmp, 'small.iso'), ['-r']);
    const dsrc = join(tmp, 'toodeep');
    writeTree(dsrc, { [`${Array.from({ length: 260 }, () => 'd').join('/')}/f`]: 'x' });
    deepIso = xorriso(dsrc, join(tmp, 'toodeep.iso'), ['-r', '-D']);
  });
  const copy = (name: string, patch: (b: Buffer) => Buffer | void) => patchedCopy(small, join(tmp, `${name}.iso`), patch);
  const rootLba = (b: Buffer) => b.readUInt32LE(16 * 2048 + 156 + 2);

  it('rejects files that are not ISO images', async () => {
    const zero = join(tmp, 'zero.iso');
    writeFileSync(zero, '');
    await expectIsoError(openIso(zero), zero, /the file is empty/);
    const tiny = join(tmp, 'tiny.iso');
    writeFileSync(tiny, Buffer.alloc(1000));
    await expectIsoError(openIso(tiny), tiny, /too small for an ISO 9660 image/);
    const zeros = join(tmp, 'zeros.iso');
    writeFileSync(zeros, Buffer.alloc(64 * 1024));
    await expectIsoError(openIso(zeros), zeros, /not an ISO 9660 image: expected "CD001" at LBA 16/);
    const missing = join(tmp, 'missing.iso');
    await expectIsoError(openIso(missing), missing, /no such file or directory/);
  });

  it('rejects descriptor sets without a terminator', async () => {
    const many = join(tmp, 'no-terminator.iso');
    const b = Buffer.alloc(100 * 2048);
    for (let lba = 16; lba < 100; lba++) b.write('\x03CD001\x01', lba * 2048, 'latin1');
    writeFileSync(many, b);
    await expectIsoError(openIso(many), many, /no volume descriptor set terminator within 64 descriptors/);
    const noTerm = copy('zapped-terminator', (img) => {
      let lba = 16;
      while (img[lba * 2048] !== 255) lba++;
      img.fill(0, lba * 2048, lba * 2048 + 2048);
    });
    await expectIsoError(openIso(noTerm), noTerm, /volume descriptor at LBA \d+: expected "CD001"/);
  });

  it('rejects a block size other than 2048', async () => {
    const p = copy('blocksize', (b) => {
      b.writeUInt16LE(512, 16 * 2048 + 128);
      b.writeUInt16BE(512, 16 * 2048 + 130);
    });
    await expectIsoError(openIso(p), p, /logical block size is 512, only 2048 is supported/);
  });

  it('rejects truncated images', async () => {
    const p = copy('half', (b) => b.subarray(0, Math.floor(b.length / 2)));
    await expectIsoError(openIso(p), p, /volume space size is \d+ blocks .* truncated image/);
    const beyond = copy('extent-beyond', (b) => put733(b, findRecord(b, 'A.TXT;1') + 2, 0x00ffffff));
    await expectIsoError(openIso(beyond), beyond, /A\.TXT|extent at LBA 16777215 .* beyond the end of the image/);
    const dirBeyond = copy('dir-beyond', (b) => put733(b, findRecord(b, 'SUB') + 2, b.length / 2048));
    await expectIsoError(openIso(dirBeyond), dirBeyond, /directory '\/'.*extent at LBA \d+ \(2048 bytes\) lies beyond the end of the image/);
    // A file cut after the root directory whose volume size was patched to match.
    const cut = copy('cut', (b) => {
      const blocks = rootLba(b) + 1;
      put733(b, 16 * 2048 + 80, blocks);
      return b.subarray(0, blocks * 2048);
    });
    await expectIsoError(openIso(cut), cut, /lies? beyond the end of the image \(\d+ bytes\): truncated/);
  });

  it('rejects directory loops (to an ancestor, to itself)', async () => {
    const toRoot = copy('loop-root', (b) => put733(b, findRecord(b, 'SUB') + 2, rootLba(b)));
    await expectIsoError(openIso(toRoot), toRoot, /directory loop: 'sub' points at LBA \d+, already read as directory '\/'/);
    const toSelf = copy('loop-self', (b) => {
      const subLba = b.readUInt32LE(findRecord(b, 'SUB') + 2);
      put733(b, findRecord(b, 'DEEP') + 2, subLba);
    });
    await expectIsoError(openIso(toSelf), toSelf, /directory loop: 'sub\/deep' points at LBA \d+, already read as directory 'sub'/);
  });

  it('rejects bad directory record lengths and absurd directory sizes', async () => {
    const short = copy('len-dr-5', (b) => {
      b[findRecord(b, 'SUB')] = 5;
    });
    await expectIsoError(openIso(short), short, /directory '\/' at LBA \d+, record at sector 0 offset \d+: LEN_DR is 5, expected at least 34/);
    const crossing = copy('len-dr-cross', (b) => {
      // Shrink the root directory so that it ends inside the SUB record.
      put733(b, 16 * 2048 + 156 + 10, (findRecord(b, 'SUB') % 2048) + 20);
    });
    await expectIsoError(openIso(crossing), crossing, /LEN_DR \d+ crosses the end of the sector or directory/);
    const fi = copy('len-fi', (b) => {
      b[findRecord(b, 'SUB') + 32] = 250;
    });
    await expectIsoError(openIso(fi), fi, /LEN_FI 250 runs past the record end/);
    const huge = copy('dir-huge', (b) => put733(b, findRecord(b, 'SUB') + 10, 100 * 1024 * 1024));
    await expectIsoError(openIso(huge), huge, /directory '\/'.*: directory size 104857600 bytes exceeds the 67108864-byte limit/);
  });

  it('rejects CE loops and CE areas outside the image', async () => {
    const ceOf = (b: Buffer) => {
      const root = rootLba(b) * 2048;
      const at = b.indexOf(Buffer.from('CE\x1c\x01', 'latin1'), root);
      expect(at).toBeGreaterThan(root);
      expect(at).toBeLessThan(root + 2048);
      return { at, lba: b.readUInt32LE(at + 4), offset: b.readUInt32LE(at + 12) };
    };
    const self = copy('ce-self', (b) => {
      const ce = ceOf(b);
      const area = ce.lba * 2048 + ce.offset;
      b.copy(b, area, ce.at, ce.at + 28); // the continuation area now continues into itself
    });
    await expectIsoError(openIso(self), self, /root directory "." record: CE continuation loop/);
    const outside = copy('ce-outside', (b) => put733(b, ceOf(b).at + 4, 0x00ffffff));
    await expectIsoError(openIso(outside), outside, /CE continuation area at LBA 16777215: .*beyond the end of the image/);
    const crossing = copy('ce-cross', (b) => put733(b, ceOf(b).at + 12, 2000));
    await expectIsoError(openIso(crossing), crossing, /CE continuation area \(offset 2000, length \d+\) crosses its sector/);
  });

  it('rejects names with "/", NUL, "." or ".." and duplicate paths', async () => {
    const nm = (b: Buffer) => {
      const at = b.indexOf(Buffer.from('NM\x0a\x01\x00a.txt', 'latin1'));
      expect(at).toBeGreaterThan(0);
      return at;
    };
    const slash = copy('name-slash', (b) => {
      b[nm(b) + 6] = 0x2f;
    });
    await expectIsoError(openIso(slash), slash, /invalid name "a\/txt"/);
    const nul = copy('name-nul', (b) => {
      b[nm(b) + 6] = 0;
    });
    await expectIsoError(openIso(nul), nul, /invalid name "a\\u0000txt"/);
    const dot = copy('name-dot', (b) => {
      b[nm(b) + 4] = 0x02; // NM CURRENT flag
    });
    await expectIsoError(openIso(dot), dot, /invalid name "\."/);
    const dup = copy('name-dup', (b) => {
      const at = nm(b);
      b.write('sub\0\0', at + 5, 'latin1');
      b[at + 2] = 8; // NM "sub"; the zeros after it end the SUSP area
    });
    await expectIsoError(openIso(dup), dup, /two directory records give the same path 'sub'/);
  });

  it('rejects trees deeper than 256 levels and too many entries', async () => {
    await expectIsoError(openIso(deepIso), deepIso, /directory tree deeper than 256 levels/);
    await expectIsoError(openIso(small, { limits: { maxEntries: 3 } }), small, /more than 3 entries in the image/);
    await expectIsoError(openIso(deepIso, { limits: { maxContinuations: 0 } }), deepIso, /more than 0 CE continuation areas/);
  });
});

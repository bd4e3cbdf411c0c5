import { randomBytes } from '../../../testing/random';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import {
  LONG_ASCII,
  LONG_DIR,
  LONG_TARGET,
  LONG_UTF8,
  type SampleTree,
  latin1View,
  makeSampleTree,
  md5,
  parseIsoinfoListing,
  run,
  runBinary,
} from './testing';
import { type IsoEntry, type IsoOptions, type IsoWritten, type PlannedFile, hashingWorkers, planIso, writeIso } from './writer';

const OPTS: IsoOptions = { volumeId: 'SUPPACK-TEST_1', applicationId: 'SUPPACK TEST APP', publisherId: 'ACME', epoch: 946684800 };

let work: string;
let tree: SampleTree;
let iso: string;
let result: IsoWritten;
const progress: Array<{ written: number; total: number }> = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'suppack-iso-writer-'));
  tree = makeSampleTree(join(work, 'tree'));
  iso = join(work, 'out.iso');
  result = await writeIso(tree.entries, { ...OPTS, onProgress: (p) => progress.push(p) }, iso);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('writeIso: a sample tree checked with the real tools', () => {
  test('result: size, md5 and sha256 of the bytes on disk; size as planned', () => {
    const data = readFileSync(iso);
    expect(result.bytes).toBe(data.length);
    expect(result.bytes).toBe(planIso(tree.entries, OPTS).totalBytes);
    expect(result.bytes % 2048).toBe(0);
    expect(result.md5).toBe(md5(data));
    expect(result.sha256).toBe(createHash('sha256').update(data).digest('hex'));
  });

  test('progress is reported up to the total', () => {
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ written: result.bytes, total: result.bytes });
    for (let i = 1; i < progress.length; i++) expect(progress[i].written).toBeGreaterThanOrEqual(progress[i - 1].written);
  });

  test('isoinfo -d: ids, Rock Ridge and Joliet level 3', () => {
    const r = run('isoinfo', ['-d', '-i', iso]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Volume id: SUPPACK-TEST_1\n');
    expect(r.stdout).toContain('Application id: SUPPACK TEST APP\n');
    expect(r.stdout).toContain('Publisher id: ACME\n');
    expect(r.stdout).toContain('System id: LINUX\n');
    expect(r.stdout).toContain('Rock Ridge signatures version 1 found');
    expect(r.stdout).toContain('Joliet with UCS level 3 found');
    expect(r.stdout).toContain(`Volume size is: ${result.bytes / 2048}\n`);
  });

  test('isoinfo -R -l lists every file, directory and symlink with sizes, modes and targets', () => {
    const r = run('isoinfo', ['-R', '-l', '-i', iso]);
    expect(r.code).toBe(0);
    const listed = parseIsoinfoListing(r.stdout);
    for (const f of tree.files) {
      expect(listed.get(f.path), f.path).toMatchObject({ mode: f.executable ? '-r-xr-xr-x' : '-r--r--r--', size: f.content.length, target: undefined });
    }
    for (const s of tree.symlinks) expect(listed.get(s.path), s.path).toMatchObject({ mode: 'lrwxrwxrwx', target: s.target });
    expect(listed.get('emptydir')?.mode).toBe('dr-xr-xr-x');
    expect(listed.get(LONG_DIR)?.mode).toBe('dr-xr-xr-x');
    expect(listed.get('long-link')?.target).toBe(LONG_TARGET);
    expect(listed.has(`names/${LONG_UTF8}`)).toBe(true);
    expect(listed.has(`names/${LONG_ASCII}`)).toBe(true);
  });

  test('isoinfo -J -l lists every file with its size (symlinks are not in Joliet, like mkisofs)', () => {
    // isoinfo cannot print Joliet names as UTF-8; Latin-1 shows the rest as '_'.
    const r = run('isoinfo', ['-J', '-j', 'iso8859-1', '-l', '-i', iso], 'latin1');
    expect(r.code).toBe(0);
    const listed = parseIsoinfoListing(r.stdout);
    for (const f of tree.files) expect(listed.get(latin1View(f.path))?.size, f.path).toBe(f.content.length);
    const dirs = new Set(['emptydir']);
    for (const f of tree.files) for (let p = f.path; p.includes('/'); ) dirs.add((p = p.slice(0, p.lastIndexOf('/'))));
    expect(new Set(listed.keys())).toEqual(new Set([...tree.files.map((f) => latin1View(f.path)), ...dirs]));
  });

  test('isoinfo -R -x extracts contents unchanged', () => {
    for (const path of ['big/blob.bin', 'XS-PACKAGES', `names/${LONG_UTF8}`, 'names/ünïcödé-ファイル.txt', 'many/file-number-0042.rpm', 'empty']) {
      const r = runBinary('isoinfo', ['-R', '-x', `/${path}`, '-i', iso]);
      const want = tree.files.find((f) => f.path === path)!.content;
      expect(md5(r), path).toBe(md5(want));
    }
  });

  test('bsdtar extracts identical files, modes 0444/0555, symlinks and the empty dir', () => {
    const out = join(work, 'bsdtar');
    rmSync(out, { recursive: true, force: true });
    run('mkdir', ['-p', out]);
    const r = run('bsdtar', ['-xf', iso, '-C', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of tree.files) {
      const p = join(out, f.path);
      expect(readFileSync(p).equals(f.content), f.path).toBe(true);
      expect(statSync(p).mode & 0o777, f.path).toBe(f.executable ? 0o555 : 0o444);
    }
    // libarchive drops the '/' between SL entries (it does the same on xorriso images), so only
    // short targets are compared here; the long one is checked with isoinfo and xorriso.
    for (const s of tree.symlinks.filter((l) => l.path !== 'long-link')) expect(readlinkSync(join(out, s.path))).toBe(s.target);
    expect(lstatSync(join(out, 'long-link')).isSymbolicLink()).toBe(true);
    expect(statSync(join(out, 'emptydir')).isDirectory()).toBe(true);
    expect(readdirSync(join(out, 'emptydir'))).toEqual([]);
    expect(statSync(join(out, 'names')).mode & 0o777).toBe(0o555);
  });

  test('xorriso loads it cleanly and lists every node', () => {
    const r = run('xorriso', ['-indev', iso, '-find', '/', '-exec', 'lsdl']);
    expect(r.code).toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).not.toMatch(/SORRY|FAILURE|WARNING|MISHAP/);
    for (const f of tree.files) expect(r.stdout, f.path).toContain(`'/${f.path}'`);
    expect(r.stdout).toContain(`'/long-link' -> '${LONG_TARGET}'`);
    expect(r.stdout).toContain(`'/names/link-to-big' -> '../big/blob.bin'`);
    const toc = run('xorriso', ['-indev', iso, '-report_about', 'ALL', '-toc']);
    expect(toc.code).toBe(0);
    expect(toc.stdout + toc.stderr).not.toMatch(/SORRY|FAILURE|WARNING|MISHAP/);
    expect(toc.stdout + toc.stderr).toContain(`${result.bytes / 2048} readable`);
  });
});

describe('writeIso: determinism', () => {
  test('same tree elsewhere, other mtimes, umask and TZ → identical bytes; another epoch → different', async () => {
    const a = makeSampleTree(join(work, 'det-a'), { mtime: 1_000_000_000, many: 30, umask: 0o022 });
    const b = makeSampleTree(join(work, 'deeper/det-b'), { mtime: 1_700_000_000, many: 30, umask: 0o077 });
    expect(statSync(join(work, 'deeper/det-b/XS-PACKAGES')).mode & 0o777).toBe(0o600);
    expect(b.entries.find((e) => e.path === 'install/install.sh')).toMatchObject({ mode: 0o700 });
    const tz = process.env.TZ;
    const ra = await writeIso(a.entries, OPTS, join(work, 'a.iso'));
    process.env.TZ = 'Pacific/Chatham';
    let rb;
    try {
      rb = await writeIso([...b.entries].reverse(), OPTS, join(work, 'b.iso'));
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    expect(rb.sha256).toBe(ra.sha256);
    expect(readFileSync(join(work, 'a.iso')).equals(readFileSync(join(work, 'b.iso')))).toBe(true);
    const rc = await writeIso(a.entries, { ...OPTS, epoch: OPTS.epoch + 86400 }, join(work, 'c.iso'));
    expect(rc.sha256).not.toBe(ra.sha256);
    expect(run('isoinfo', ['-R', '-l', '-i', join(work, 'c.iso')]).stdout).toContain('Jan  2 2000');
  });
});

describe('writeIso: sources and failures', () => {
  async function expectFailure(entries: IsoEntry[], opts: IsoOptions, re: RegExp): Promise<void> {
    const out = join(work, `fail-${Math.random().toString(36).slice(2)}.iso`);
    const err = await writeIso(entries, opts, out).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SuppackError);
    expect((err as Error).message).toMatch(re);
    expect(existsSync(out)).toBe(false);
  }

  test('stream sources are copied', async () => {
    const content = randomBytes(5 * 1024 * 1024 + 17, 99);
    const out = join(work, 'stream.iso');
    const entries: IsoEntry[] = [
      { path: 'from/stream.bin', kind: 'file', size: content.length, source: () => Readable.from([content.subarray(0, 1000), content.subarray(1000)]) },
    ];
    await writeIso(entries, OPTS, out);
    expect(md5(runBinary('isoinfo', ['-R', '-x', '/from/stream.bin', '-i', out]))).toBe(md5(content));
  });

  // A FilePart (a signed RPM in an update ISO): its prefix, then the file from an offset on, read
  // straight into the buffers; small (synchronous reads) and large (asynchronous) both.
  test.each([
    ['small', 3000],
    ['large', 5 * 1024 * 1024 + 17],
  ])('file parts (%s) are their prefix, then the file from the offset on', async (_, size) => {
    const file = join(work, `part-${size}.bin`);
    const content = randomBytes(size, `part ${size}`);
    writeFileSync(file, content);
    const prefix = randomBytes(700, 'part prefix');
    const out = join(work, `part-${size}.iso`);
    const expected = Buffer.concat([prefix, content.subarray(1234)]);
    const r = await writeIso([{ path: 'p.bin', kind: 'file', size: expected.length, source: { path: file, from: 1234, prefix }, digests: [{ algorithm: 'sha256' }] }], OPTS, out);
    expect(runBinary('isoinfo', ['-R', '-x', '/p.bin', '-i', out]).equals(expected)).toBe(true);
    expect(r.files?.get('p.bin')).toEqual([createHash('sha256').update(expected).digest('hex')]);
  });

  test('a file part whose file changed size, or a bad one: SuppackError, no output file', async () => {
    const file = join(work, 'part-changed.bin');
    writeFileSync(file, randomBytes(5000, 'part changed'));
    const prefix = Buffer.alloc(100);
    await expectFailure([{ path: 'p', kind: 'file', size: 100 + 4000, source: { path: file, from: 1234, prefix } }], OPTS, new RegExp(`^${file}: size: file changed .*expected 5234 bytes, found 5000`));
    await expectFailure([{ path: 'p', kind: 'file', size: 50, source: { path: file, from: 0, prefix } }], OPTS, /^p: source: expected a file part/);
    await expectFailure([{ path: 'p', kind: 'file', size: 500, source: { path: file, from: -1, prefix } }], OPTS, /^p: source: expected a file part/);
  });

  test('invalid options and entries: SuppackError, no output file', async () => {
    const ok: IsoEntry[] = [{ path: 'a', kind: 'file', size: 1, source: join(work, 'tree/XS-PACKAGES') }];
    await expectFailure(ok, { ...OPTS, volumeId: 'V'.repeat(33) }, /^volumeId: expected 1 to 32 printable ASCII characters/);
    await expectFailure([{ ...ok[0], path: 'bad:name' }], OPTS, /^bad:name: Joliet name: .*':'/);
    await expectFailure([...ok, ...ok], OPTS, /^a: ISO image path: listed twice/);
  });

  test('a source whose size changed, shrank or is missing: SuppackError naming it, no output file', async () => {
    const src = join(work, 'changing.bin');
    writeFileSync(src, randomBytes(10_000, 3));
    await expectFailure([{ path: 'c', kind: 'file', size: 9_000, source: src }], OPTS, new RegExp(`^${src}: size: file changed .*expected 9000 bytes, found 10000`));
    await expectFailure([{ path: 'm', kind: 'file', size: 1, source: join(work, 'missing') }], OPTS, /missing: no such file or directory/);
    await expectFailure(
      [{ path: 's', kind: 'file', size: 10, source: () => Readable.from([Buffer.alloc(4)]) }],
      OPTS,
      /^s: size: file changed .*expected 10 bytes, the stream gave 4/,
    );
  });

  test('an unwritable output is a SuppackError', async () => {
    const err = await writeIso([], OPTS, join(work, 'no/such/dir/x.iso')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SuppackError);
    expect((err as Error).message).toMatch(/no\/such\/dir\/x\.iso: cannot write output: no such file or directory/);
  });
});

test('digests: only the ones asked for are computed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-digests-'));
  try {
    const out = join(dir, 'a.iso');
    const r = await writeIso([{ path: 'a', kind: 'file', size: 3, source: () => Readable.from([Buffer.from('abc')]) }], { volumeId: 'D', epoch: 0, digests: ['md5'] }, out);
    expect(r.md5).toBe(md5(readFileSync(out)));
    expect(r.sha256).toBeUndefined();
    const none = await writeIso([{ path: 'a', kind: 'file', size: 3, source: () => Readable.from([Buffer.from('abc')]) }], { volumeId: 'D', epoch: 0, digests: [] }, out);
    expect(none).toEqual({ bytes: readFileSync(out).length });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('writeIso: files\' own digests and deferred files (one pass over the inputs)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'suppack-file-digests-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const hex = (a: string, b: Buffer) => createHash(a).update(b).digest('hex');

  test('ranges of files on disk and of streams, across buffer boundaries; the manifest made from them lies after their data', async () => {
    // 9 MiB + 3 crosses two 4 MiB buffers; small files share a buffer; the empty one has no data.
    const big = randomBytes(9 * 1024 * 1024 + 3, 41);
    const small = randomBytes(70_001, 42);
    const streamed = randomBytes(5000, 43);
    writeFileSync(join(dir, 'big.bin'), big);
    writeFileSync(join(dir, 'small.bin'), small);
    writeFileSync(join(dir, 'empty.bin'), '');
    const requests = [
      { algorithm: 'md5' },
      { algorithm: 'md5', from: 1000 },
      { algorithm: 'sha256', from: 4 * 1024 * 1024 - 7, to: 8 * 1024 * 1024 + 5 },
      { algorithm: 'sha1', from: 0, to: 96 },
    ];
    let seen: Map<string, readonly string[]> | undefined;
    const manifestSize = 3 * 33;
    const entries: IsoEntry[] = [
      // 'A-MANIFEST' sorts first by path, but its data is written last.
      {
        path: 'A-MANIFEST',
        kind: 'file',
        size: manifestSize,
        source: {
          make: (digests) => {
            seen = new Map(digests);
            return Buffer.from(['big.bin', 'small.bin', 'z/streamed'].map((p) => `${digests.get(p)![0]}\n`).join(''));
          },
        },
      },
      { path: 'big.bin', kind: 'file', size: big.length, source: join(dir, 'big.bin'), digests: requests },
      { path: 'small.bin', kind: 'file', size: small.length, source: join(dir, 'small.bin'), digests: [requests[0]!, { algorithm: 'sha256', from: 69_999 }] },
      { path: 'empty.bin', kind: 'file', size: 0, source: join(dir, 'empty.bin'), digests: [{ algorithm: 'md5' }] },
      { path: 'z/streamed', kind: 'file', size: streamed.length, source: () => Readable.from([streamed.subarray(0, 10), streamed.subarray(10)]), digests: [{ algorithm: 'md5' }] },
    ];
    const out = join(dir, 'one-pass.iso');
    const written = await writeIso(entries, { ...OPTS, digests: ['md5'] }, out);
    const expected = new Map<string, string[]>([
      ['big.bin', [hex('md5', big), hex('md5', big.subarray(1000)), hex('sha256', big.subarray(4 * 1024 * 1024 - 7, 8 * 1024 * 1024 + 5)), hex('sha1', big.subarray(0, 96))]],
      ['small.bin', [hex('md5', small), hex('sha256', small.subarray(69_999))]],
      ['empty.bin', [hex('md5', Buffer.alloc(0))]],
      ['z/streamed', [hex('md5', streamed)]],
    ]);
    expect(written.files).toEqual(expected);
    // The deferred file saw every other file's digests (the empty one's too).
    expect(seen).toEqual(expected);
    const image = readFileSync(out);
    expect(written.md5).toBe(md5(image));
    const manifest = runBinary('isoinfo', ['-R', '-x', '/A-MANIFEST', '-i', out]).toString('utf8');
    expect(manifest).toBe(`${hex('md5', big)}\n${hex('md5', small)}\n${hex('md5', streamed)}\n`);
    expect(md5(runBinary('isoinfo', ['-R', '-x', '/big.bin', '-i', out]))).toBe(md5(big));
    // Its data comes after the others' although its name sorts first.
    const at = (b: Buffer) => image.indexOf(b);
    expect(at(Buffer.from(manifest))).toBeGreaterThan(at(streamed));
    expect(at(streamed)).toBeGreaterThan(at(big.subarray(0, 64)));
  });

  test('without a deferred file, the last file\'s digests arrive with the image\'s', async () => {
    const data = randomBytes(3000, 45);
    const out = join(dir, 'no-deferred.iso');
    const written = await writeIso([{ path: 'd', kind: 'file', size: data.length, source: () => Readable.from([data]), digests: [{ algorithm: 'sha256' }] }], OPTS, out);
    expect(written.files).toEqual(new Map([['d', [hex('sha256', data)]]]));
    expect(written.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));
  });

  test('a deferred file of the wrong size, a throwing one, and a bad request fail without output', async () => {
    const src = join(dir, 'x.bin');
    writeFileSync(src, randomBytes(100, 44));
    const base: IsoEntry = { path: 'x.bin', kind: 'file', size: 100, source: src, digests: [{ algorithm: 'md5' }] };
    const cases: Array<[IsoEntry[], RegExp]> = [
      [[base, { path: 'm', kind: 'file', size: 5, source: { make: () => Buffer.from('four') } }], /deferred file m: made 4 bytes, planned 5/],
      [[base, { path: 'm', kind: 'file', size: 5, source: { make: () => { throw new SuppackError('bad input', { file: 'x.bin' }); } } }], /^x\.bin: bad input$/],
      [[{ ...base, digests: [{ algorithm: 'md5', from: 50, to: 101 }] }], /^x\.bin: digests: expected a byte range within the file's 100 bytes, got \[50, 101\)/],
      [[{ ...base, digests: [{ algorithm: 'no-such-hash' }] }], /^x\.bin: digests: unknown digest algorithm "no-such-hash"/],
    ];
    for (const [entries, re] of cases) {
      const out = join(dir, 'fail.iso');
      const err = await writeIso(entries, OPTS, out).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(re);
      expect(existsSync(out)).toBe(false);
    }
  });
});

// The choice of how files' digests are computed, a pure function of the plan (and of whether this
// Node runs the MD5 lanes).
describe('hashingWorkers', () => {
  const file = (size: number, digests: PlannedFile['digests'], source: PlannedFile['source'] = 'f'): PlannedFile => ({ path: 'f', size, source, extent: 0, ...(digests ? { digests } : {}) });
  const rpm = (size: number) => file(size, [{ algorithm: 'md5' }, { algorithm: 'md5', from: 1000 }, { algorithm: 'sha256', from: 5000 }, { algorithm: 'sha256', to: 1000 }]);

  test('files on disk asking for MD5s, 16 MiB or more of them: all read by the FileDigester, no range worker', () => {
    const files = [rpm(10 << 20), rpm(6 << 20), file(1 << 20, undefined)];
    expect(hashingWorkers({ files }, true)).toEqual({ rangeWorkers: 0, separate: files.slice(0, 2) });
  });

  test("files asking for SHA-256 only (an update pack's RPMs, checked again): hashed from the image buffers", () => {
    const files = [file(1 << 30, [{ algorithm: 'sha256' }]), rpm(20 << 20)];
    expect(hashingWorkers({ files }, true)).toEqual({ rangeWorkers: 1, separate: [files[1]] });
  });

  test('fewer bytes, or no MD5 lanes in this Node: hashed from the image buffers, a range worker per 64 MiB up to 3', () => {
    expect(hashingWorkers({ files: [rpm(8 << 20)] }, true)).toEqual({ rangeWorkers: 1, separate: [] });
    expect(hashingWorkers({ files: [rpm(1 << 30)] }, false)).toEqual({ rangeWorkers: 3, separate: [] });
    expect(hashingWorkers({ files: [file(1 << 30, [{ algorithm: 'sha256' }])] }, false)).toEqual({ rangeWorkers: 1, separate: [] });
    expect(hashingWorkers({ files: [file(1 << 30, undefined)] }, true)).toEqual({ rangeWorkers: 0, separate: [] });
  });

  test('any file with bytes asking for an MD5 (on disk, a part with a prefix, a stream) is read back; an empty one is not', () => {
    const part = file(40 << 20, [{ algorithm: 'md5' }], { path: 'p', from: 10, prefix: Buffer.alloc(4) });
    const stream = file(40 << 20, [{ algorithm: 'md5' }, { algorithm: 'sha256' }], () => process.stdin);
    const empty = file(0, [{ algorithm: 'md5' }]);
    const big = rpm(32 << 20);
    expect(hashingWorkers({ files: [part, stream, empty, big] }, true)).toEqual({ rangeWorkers: 0, separate: [part, stream, big] });
  });

});

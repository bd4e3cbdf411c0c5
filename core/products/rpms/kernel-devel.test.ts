/**
 * Extraction of kernel-devel RPMs (core/products/rpms/kernel-devel.ts): a tree made by the real rpmbuild (xz
 * and gzip payloads, modes, hard links, absolute and relative symlinks) comes out as
 * rpm2cpio | cpio makes it, except that absolute links point inside the root; hostile payloads
 * (written by hand with the cpio encoder) are refused with one line and write nothing outside.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { entryPath, extractRpm, findBuildTree, KERNELS_SUBDIR, linkTarget, prepareKernelTrees, treeRelease } from './kernel-devel';
import { encodeNewc, type NewcMember } from '../../formats/rpm/cpio-write';
import { readRpm } from '../../formats/rpm/read';
import { encodeRpm } from '../../formats/rpm/write';
import { manifestSchema, type Manifest } from '../../../schemas/manifest';
import { kernelDevelRpm } from '../../../testing/kernel-devel';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-kdevel-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RELEASE = '4.19.0+1';

/** A small kernel build tree: what findBuildTree and treeRelease look at, plus links and modes. */
function tinyTree(at: string, release = RELEASE): string {
  mkdirSync(join(at, 'include/generated'), { recursive: true });
  mkdirSync(join(at, 'scripts/basic'), { recursive: true });
  mkdirSync(join(at, 'arch/x86/include'), { recursive: true });
  writeFileSync(join(at, 'Makefile'), 'VERSION = 4\n');
  writeFileSync(join(at, 'include/generated/utsrelease.h'), `#define UTS_RELEASE "${release}"\n`);
  writeFileSync(join(at, 'scripts/basic/fixdep'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(at, 'Module.symvers'), '0x1\tprintk\tvmlinux\tEXPORT_SYMBOL\n');
  linkSync(join(at, 'Module.symvers'), join(at, 'Module.symvers.hardlink'));
  symlinkSync('../../../include', join(at, 'arch/x86/include/up'));
  return at;
}

/** An RPM whose payload is exactly `members` (gzip newc), with a valid lead and headers. */
function rpmWithPayload(name: string, members: NewcMember[]): string {
  const base = encodeRpm({
    name: 'kernel-devel',
    version: '1',
    release: '1',
    arch: 'x86_64',
    summary: 's',
    description: 'd',
    license: 'GPL',
    buildTime: 1_700_000_000,
    files: [{ path: '/x', mode: 0o100644, content: Buffer.from('x') }],
  });
  const file = join(dir, name);
  writeFileSync(file, base);
  return file;
}

/** Replace the payload of `file` (written by rpmWithPayload) and fix the signature's SIZE (docs/formats/containers.md §4). */
async function setPayload(file: string, members: NewcMember[]): Promise<string> {
  const info = await readRpm(file);
  const bytes = readFileSync(file);
  const payload = gzipSync(encodeNewc(members));
  const out = Buffer.concat([bytes.subarray(0, info.payloadOffset), payload]);
  // Signature header index (docs/formats/containers.md §4): tag 1000 SIZE = header + payload bytes.
  const sig = info.signatureRange.start;
  const il = out.readUInt32BE(sig + 8);
  const store = sig + 16 + 16 * il;
  for (let i = 0; i < il; i++) {
    const at = sig + 16 + 16 * i;
    if (out.readUInt32BE(at) === 1000) out.writeUInt32BE(out.length - info.headerRange.start, store + out.readUInt32BE(at + 8));
  }
  writeFileSync(file, out);
  return file;
}

const D = 0o040755;
const F = 0o100644;
const L = 0o120777;
let ino = 100;
const m = (name: string, mode: number, data?: string, extra: Partial<NewcMember> = {}): NewcMember => ({
  name,
  ino: ino++,
  mode,
  nlink: 1,
  mtime: 1_600_000_000,
  ...(data !== undefined ? { data: Buffer.from(data) } : {}),
  ...extra,
});

async function hostile(name: string, members: NewcMember[]): Promise<{ error: SuppackError; root: string; file: string }> {
  const file = await setPayload(rpmWithPayload(`${name}.rpm`, []), members);
  const root = join(dir, `${name}-out`, 'root');
  mkdirSync(join(dir, `${name}-out`));
  const error = await extractRpm(file, root).then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as SuppackError,
  );
  expect(error).toBeInstanceOf(SuppackError);
  expect(error.message.split('\n')).toHaveLength(1);
  expect(error.message.startsWith(`${file}: payload: `)).toBe(true);
  return { error, root, file };
}

/** Every path under `d` with its type, mode and (for links) target. */
function listing(d: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const n of readdirSync(p).sort()) {
      const f = join(p, n);
      const st = lstatSync(f);
      const rel = relative(d, f);
      if (st.isSymbolicLink()) out.push(`l ${rel} -> ${readlinkSync(f)}`);
      else if (st.isDirectory()) {
        out.push(`d ${rel}`);
        walk(f);
      } else out.push(`f ${rel} ${(st.mode & 0o777).toString(8)} ${st.size}`);
    }
  };
  walk(d);
  return out;
}

describe('entry names and link targets', () => {
  test('names lose ./ and leading slashes; ".." anywhere is refused', () => {
    expect(entryPath('./usr/src/kernels/x/Makefile')).toBe('usr/src/kernels/x/Makefile');
    expect(entryPath('/usr//src/./x')).toBe('usr/src/x');
    expect(entryPath('.')).toBe('');
    expect(() => entryPath('./usr/../../etc/passwd')).toThrow(/climbs out of the extraction root/);
    expect(() => entryPath('..')).toThrow(/climbs out/);
  });

  test('absolute targets are kept inside the root, relative ones may not climb out', () => {
    expect(linkTarget('lib/modules/4.19.0+1/build', '/usr/src/kernels/4.19.0+1-x86_64')).toBe('../../../usr/src/kernels/4.19.0+1-x86_64');
    expect(linkTarget('a', '/')).toBe('.');
    expect(linkTarget('a/b', '/../../etc')).toBe('../etc');
    expect(linkTarget('a/b/c', '../x')).toBe('../x');
    expect(() => linkTarget('a/b', '../../x')).toThrow(/points outside the extraction root/);
    expect(() => linkTarget('a', '')).toThrow(/empty/);
  });
});

describe('extractRpm on RPMs made by rpmbuild', () => {
  test.each([
    ['xz', 'w2.xzdio'],
    ['gzip', 'w6.gzdio'],
  ])('%s payload: the same tree as rpm2cpio | cpio, absolute links rewritten into the root', async (what, payload) => {
    const tree = tinyTree(join(dir, `tree-${what}`));
    const rpm = await kernelDevelRpm({ release: RELEASE, tree, outDir: join(dir, `rpm-${what}`), payload, srcDir: `${RELEASE}-x86_64` });
    expect(execFileSync('rpm', ['-qp', '--qf', '%{PAYLOADCOMPRESSOR}', rpm], { encoding: 'utf8' })).toBe(what);
    const root = join(dir, `x-${what}`);
    const got = await extractRpm(rpm, root);
    expect(got.skipped).toEqual([]);

    const cpioRoot = join(dir, `cpio-${what}`);
    mkdirSync(cpioRoot);
    execFileSync('sh', ['-c', `rpm2cpio "$1" | cpio -idm --quiet`, 'sh', rpm], { cwd: cpioRoot });
    const theirs = listing(cpioRoot).map((l) => l.replace(`-> /usr/src/kernels/`, '-> ../../../usr/src/kernels/'));
    expect(listing(root)).toEqual(theirs);
    expect(theirs).toContain(`l lib/modules/${RELEASE}/build -> /usr/src/kernels/${RELEASE}-x86_64`.replace('-> /', '-> ../../../'));

    const src = join(root, 'usr/src/kernels', `${RELEASE}-x86_64`);
    expect(statSync(join(src, 'scripts/basic/fixdep')).mode & 0o777).toBe(0o755);
    expect(statSync(join(src, 'Module.symvers')).ino).toBe(statSync(join(src, 'Module.symvers.hardlink')).ino);
    expect(readFileSync(join(src, 'Module.symvers.hardlink'), 'utf8')).toContain('printk');
    expect(readFileSync(join(src, 'arch/x86/include/up/generated/utsrelease.h'), 'utf8')).toContain(RELEASE);
    // The build link resolves to the tree inside the root, never to this machine's /usr/src.
    expect(await findBuildTree(root, RELEASE)).toBe(realpathSync(src));
    expect(await treeRelease(src)).toBe(RELEASE);
    expect(await findBuildTree(root, '6.1.0')).toBe(realpathSync(src)); // the only tree of usr/src/kernels
    expect(got.entries).toBe(execFileSync('rpm', ['-qpl', rpm], { encoding: 'utf8' }).trim().split('\n').length);
  }, 60_000);
});

describe('hostile payloads', () => {
  test('a name climbing with ".." is refused and nothing lands outside', async () => {
    const { error, root } = await hostile('climb', [m('./usr', D), m('./usr/../../escaped', F, 'x')]);
    expect(error.message).toContain('entry "./usr/../../escaped" climbs out of the extraction root with ".."');
    expect(existsSync(join(root, '..', 'escaped'))).toBe(false);
    expect(existsSync(join(root, '..', '..', 'escaped'))).toBe(false);
  });

  test('an absolute name lands inside the root', async () => {
    const file = await setPayload(rpmWithPayload('abs.rpm', []), [m('/etc/evil', F, 'x')]);
    const root = join(dir, 'abs-out');
    await extractRpm(file, root);
    expect(readFileSync(join(root, 'etc/evil'), 'utf8')).toBe('x');
  });

  test('a symlink climbing out is refused', async () => {
    const { error } = await hostile('link-out', [m('./a/b', L, '../../../outside')]);
    expect(error.message).toContain('symlink "a/b" -> "../../../outside" points outside the extraction root');
  });

  test('nothing is written through a symlink, even one pointing inside', async () => {
    const { error, root } = await hostile('through', [m('./d', D), m('./a', L, 'd'), m('./a/file', F, 'x')]);
    expect(error.message).toContain('entry "a/file" lies under the symlink "a"');
    expect(existsSync(join(root, 'd/file'))).toBe(false);
  });

  test('a link that stays inside on paper but leaves through another link is refused', async () => {
    // d/s -> .. is the root; x -> d/s/.. reads as "d" but the file system resolves it to the root's parent.
    const { error } = await hostile('chain', [m('./d', D), m('./d/s', L, '..'), m('./x', L, 'd/s/..')]);
    expect(error.message).toContain('symlink "x" resolves (through other symlinks) outside the extraction root');
  });

  test('an absolute symlink to / or /etc points into the root, not at this machine', async () => {
    const file = await setPayload(rpmWithPayload('abs-link.rpm', []), [m('./etc', D), m('./etc/passwd', F, 'inside'), m('./p', L, '/etc/passwd')]);
    const root = join(dir, 'abs-link-out');
    await extractRpm(file, root);
    expect(readlinkSync(join(root, 'p'))).toBe('etc/passwd');
    expect(readFileSync(join(root, 'p'), 'utf8')).toBe('inside');
  });

  test('an entry twice (a file after a symlink of the same name) is refused', async () => {
    const { error, root } = await hostile('twice', [m('./t', L, 'u'), m('./t', F, 'x')]);
    expect(error.message).toContain('entry "t" appears twice');
    expect(existsSync(join(root, 'u'))).toBe(false);
  });

  test('a file where a directory already is: one line naming the entry', async () => {
    const { error } = await hostile('clash', [m('./a/b', F, 'x'), m('./a', F, 'y')]);
    expect(error.message).toMatch(/payload: cannot write entry "\.\/a": .*exists/i);
  });

  test('too many entries, too many bytes', async () => {
    const file = await setPayload(rpmWithPayload('big.rpm', []), [m('./a', F, 'aaaa'), m('./b', F, 'bbbb'), m('./c', F, 'cccc')]);
    await expect(extractRpm(file, join(dir, 'big-1'), { maxEntries: 2, maxBytes: 100 })).rejects.toThrow(`${file}: payload: more than 2 entries`);
    await expect(extractRpm(file, join(dir, 'big-2'), { maxEntries: 10, maxBytes: 10 })).rejects.toThrow(`${file}: payload: more than 10 bytes of file data`);
    await expect(extractRpm(file, join(dir, 'big-3'), { maxEntries: 3, maxBytes: 12 })).resolves.toMatchObject({ entries: 3, bytes: 12 });
  });

  test('device nodes and fifos are skipped; setuid bits dropped', async () => {
    const file = await setPayload(rpmWithPayload('dev.rpm', []), [m('./dev/null', 0o020666, undefined, { devMajor: 1 }), m('./fifo', 0o010644), m('./suid', 0o104755, 'x')]);
    const root = join(dir, 'dev-out');
    const got = await extractRpm(file, root);
    expect(got.skipped).toEqual(['dev/null', 'fifo']);
    expect(existsSync(join(root, 'fifo'))).toBe(false);
    expect(statSync(join(root, 'suid')).mode & 0o7777).toBe(0o755);
  });

  test('hard links: each name links to the one with the data, whether it comes last (rpm) or first', async () => {
    const link = (name: string, data: string | undefined, i: number) => m(name, F, data, { ino: i, nlink: 2 });
    const file = await setPayload(rpmWithPayload('hard.rpm', []), [link('./a1', undefined, 7), link('./a2', 'last', 7), link('./b1', 'first', 8), link('./b2', undefined, 8)]);
    const root = join(dir, 'hard-out');
    await extractRpm(file, root);
    for (const [x, y, text] of [['a1', 'a2', 'last'], ['b1', 'b2', 'first']] as const) {
      expect(statSync(join(root, x)).ino).toBe(statSync(join(root, y)).ino);
      expect(readFileSync(join(root, x), 'utf8')).toBe(text);
    }
  });

  test('not an RPM: one line naming the file', async () => {
    const file = join(dir, 'not.rpm');
    writeFileSync(file, 'hello');
    await expect(extractRpm(file, join(dir, 'not-out'))).rejects.toThrow(new RegExp(`^${file.replace(/[.+]/g, '\\$&')}: `));
  });
});

describe('prepareKernelTrees', () => {
  const pack = { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-nic', text: 't', version: '1.0', productVersion: '7.0.0' };
  const manifest = (kernels: object[]): Manifest =>
    manifestSchema.parse({ pack, rpms: [{ spec: 's.spec', kind: 'kernel-module', version: '1' }], kernels });
  let ws: string;
  let rpm: string;
  beforeAll(async () => {
    ws = join(dir, 'ws');
    rpm = await kernelDevelRpm({ release: RELEASE, tree: tinyTree(join(dir, 'tree-ws')), outDir: join(ws, 'kernels') });
  }, 60_000);

  test('extracts once per RPM content into the work dir and sets buildDir; other kernels untouched', async () => {
    const work = join(ws, 'dist/p/.rpmbuild');
    const lines: string[] = [];
    const o = { baseDir: ws, workDir: work, manifestFile: 'p/suppack.json', log: (l: string) => lines.push(l) };
    const rel = relative(ws, rpm);
    const m = manifest([{ version: '6.1.0-28-amd64' }, { version: RELEASE, develRpm: rel }]);
    const out = await prepareKernelTrees(m, o);
    expect(out.kernels[0]).toEqual(m.kernels[0]);
    expect(out.kernels[1]!.buildDir).toBe(realpathSync(join(work, KERNELS_SUBDIR, '1/usr/src/kernels', RELEASE)));
    expect(lines).toEqual([`extracting ${rel} for kernel ${RELEASE}`]);
    await prepareKernelTrees(m, o);
    expect(lines).toHaveLength(1); // same bytes: the tree is reused
    const other = await kernelDevelRpm({ release: RELEASE, tree: join(dir, 'tree-ws'), outDir: join(dir, 'r2'), rpmRelease: '2' });
    execFileSync('cp', [other, rpm]);
    await prepareKernelTrees(m, o);
    expect(lines).toHaveLength(2); // new bytes: extracted again
    expect(readdirSync(join(work, KERNELS_SUBDIR)).sort()).toEqual(['1', '1.sha256']);
    // The kernel dropped from the manifest: its tree goes.
    await prepareKernelTrees(manifest([{ version: '6.1.0-28-amd64' }]), o);
    expect(readdirSync(join(work, KERNELS_SUBDIR))).toEqual([]);
  }, 60_000);

  test('a tree for another release, a missing RPM, an RPM without a tree: one line naming the field', async () => {
    const o = { baseDir: ws, workDir: join(ws, 'dist/q/.rpmbuild'), manifestFile: 'q/suppack.json' };
    const rel = relative(ws, rpm);
    await expect(prepareKernelTrees(manifest([{ version: '4.19.0', flavour: 'xen', develRpm: rel }]), o)).rejects.toThrow(
      `q/suppack.json: kernels[0].develRpm: ${rel} builds modules for kernel ${RELEASE} (UTS_RELEASE of its headers), not 4.19.0xen: set kernels[0].version and flavour to its release`,
    );
    const noTree = await setPayload(rpmWithPayload('no-tree.rpm', []), [m('./usr/share/doc/x', F, 'x')]);
    execFileSync('cp', [noTree, join(ws, 'kernels/no-tree.rpm')]);
    await expect(prepareKernelTrees(manifest([{ version: RELEASE, develRpm: 'kernels/no-tree.rpm' }]), o)).rejects.toThrow(
      `q/suppack.json: kernels[0].develRpm: kernels/no-tree.rpm holds no kernel build tree for ${RELEASE}: expected /lib/modules/${RELEASE}/build or one directory /usr/src/kernels/<release>/ (a kernel-devel RPM)`,
    );
    const renamed = join(dir, 'tree-other');
    tinyTree(renamed, '4.19.0+2');
    const wrong = await kernelDevelRpm({ release: RELEASE, tree: renamed, outDir: join(ws, 'wrong') });
    await expect(prepareKernelTrees(manifest([{ version: RELEASE, develRpm: relative(ws, wrong) }]), o)).rejects.toThrow(
      `q/suppack.json: kernels[0].develRpm: ${relative(ws, wrong)} builds modules for kernel 4.19.0+2 (UTS_RELEASE of its headers), not ${RELEASE}: set kernels[0].version to its release`,
    );
    await expect(prepareKernelTrees(manifest([{ version: RELEASE, develRpm: 'kernels/none.rpm' }]), o)).rejects.toThrow(
      /^q\/suppack\.json: kernels\[0\]\.develRpm: .*no such file.*\(the kernel-devel RPM kernels\/none\.rpm, relative to the workspace root\)$/i,
    );
  }, 60_000);
});

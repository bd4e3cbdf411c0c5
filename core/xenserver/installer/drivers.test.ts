/**
 * pushinitrd against the real tools: modules compiled with the Debian kernel headers, ramdisks
 * made by GNU cpio + bzip2/gzip/xz/zstd, depmod / modinfo / modprobe from kmod.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDriverMember } from './drivers';
import { readDriverRpm } from './driver-rpm';
import { walkInitramfsFile } from './initramfs';
import { encodeInitrdTree } from './initrd-tree';
import { encodeInitrdMember, initrdPadding } from './initrd';
import { resolveRamdiskPath } from './module-index';
import { KERNEL, buildTestModules, driverRpm, kmod, testInitrd, unpackRamdisk, type TestModules } from './testing';
import { sh, walkInitramfs } from './testing';
import { hostileRpm, withPayloadBytesOverwritten } from '../../formats/rpm/testing';

const EPOCH = 1_700_000_000;
const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-drivers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let ko: TestModules;
let helloRpm: string;
let initrd: Buffer;
const FIRMWARE = Buffer.from('firmware blob\n');

beforeAll(() => {
  expect(KERNEL, 'kernel headers (linux-headers-amd64) must be installed').not.toBe('');
  ko = buildTestModules(join(dir, 'src'));
  helloRpm = driverRpm(join(dir, 'hello.rpm'), 'suppack-hello', {
    [`/lib/modules/${KERNEL}/updates/suppack_hello.ko`]: ko.suppack_hello,
    '/lib/firmware/suppack/hello.bin': FIRMWARE,
    '/usr/share/doc/suppack-hello/README': 'docs\n',
  });
  initrd = testInitrd(join(dir, 'initrd'), ko.suppack_base);
}, 120_000);

const file = (name: string, data: Buffer): string => {
  writeFileSync(join(dir, name), data);
  return join(dir, name);
};

describe('readDriverRpm', () => {
  it('keeps /lib/modules and /lib/firmware files with their modes, reports the rest', async () => {
    const d = await readDriverRpm(helloRpm);
    expect(d.nevra).toBe('suppack-hello-1.0-1.x86_64');
    expect(d.kvers).toEqual([KERNEL]);
    expect(d.files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ['lib/firmware/suppack/hello.bin', '644'],
      [`lib/modules/${KERNEL}/updates/suppack_hello.ko`, '644'],
    ]);
    expect(d.files[1]!.data.equals(ko.suppack_hello)).toBe(true);
    expect(d.modules).toEqual([`lib/modules/${KERNEL}/updates/suppack_hello.ko`]);
    expect(d.ignored).toEqual(['/usr/share/doc/suppack-hello/README']);
  });

  // Issue 19: what reaches depmod's command line (the kernel version from the paths) is checked,
  // and a driver RPM gets the digest and header-name checks of every packed RPM.
  it('refuses a kernel version that would be an option of depmod, and a corrupt or hostile-named RPM', async () => {
    const ko = { path: '/lib/modules/--all/extra/x.ko', mode: 0o100644, content: Buffer.from('not really a module') };
    const dash = hostileRpm(dir, 'dash-kver.rpm', { arch: 'x86_64', files: [ko] });
    await expect(readDriverRpm(dash)).rejects.toThrow(
      `${dash}: payload /lib/modules/--all/extra/x.ko: "--all" is not a kernel version: expected ASCII letters, digits and . _ + ~ - not starting with - or .`,
    );
    const evil = hostileRpm(dir, 'evil-drv.rpm', { name: '-evil', arch: 'x86_64', files: [{ ...ko, path: `/lib/modules/${KERNEL}/extra/x.ko` }] });
    await expect(readDriverRpm(evil)).rejects.toThrow(/main header tag 1000 \(NAME\): "-evil" is not a valid package name/);
    const corrupt = withPayloadBytesOverwritten(helloRpm, dir, 'corrupt-drv.rpm');
    await expect(readDriverRpm(corrupt)).rejects.toThrow(/corrupt-drv\.rpm: signature header tag 1004 \(MD5\): .*the RPM is corrupt/);
  });

  it('reads an rpmbuild RPM with an xz payload (through xz -dc)', async () => {
    const top = join(dir, 'rpmbuild');
    mkdirSync(join(top, 'SPECS'), { recursive: true });
    writeFileSync(join(dir, 'hello-src.ko'), ko.suppack_hello);
    writeFileSync(
      join(top, 'SPECS/xzdrv.spec'),
      [
        'Name: xzdrv', 'Version: 1', 'Release: 1', 'Summary: x', 'License: GPL', 'BuildArch: x86_64',
        '%description', 'x', '%install',
        `mkdir -p %{buildroot}/lib/modules/${KERNEL}/extra`,
        `install -m 0600 ${join(dir, 'hello-src.ko')} %{buildroot}/lib/modules/${KERNEL}/extra/suppack_hello.ko`,
        '%files', `/lib/modules/${KERNEL}/extra/suppack_hello.ko`, '',
      ].join('\n'),
    );
    sh(
      `rpmbuild -bb --quiet --define '_topdir ${top}' --define '_binary_payload w2.xzdio' --define '__os_install_post %{nil}' --define 'debug_package %{nil}' SPECS/xzdrv.spec`,
      top,
    );
    const built = sh('find RPMS -name "*.rpm"', top).toString().trim();
    expect(sh(`rpm -qp --qf '%{PAYLOADCOMPRESSOR}' ${built}`, top).toString()).toBe('xz');
    const d = await readDriverRpm(join(top, built));
    expect(d.files.map((f) => [f.path, f.mode.toString(8)])).toEqual([[`lib/modules/${KERNEL}/extra/suppack_hello.ko`, '600']]);
    expect(d.files[0]!.data.equals(ko.suppack_hello)).toBe(true);
  });

  it('not an RPM, and an RPM without kernel modules: clear errors naming the file', async () => {
    const junk = file('junk.rpm', Buffer.from('definitely not an rpm, just some text'.repeat(10)));
    await expect(readDriverRpm(junk)).rejects.toThrow(/junk\.rpm: .*not an RPM file/);
    await expect(readDriverRpm(rpms['hello-lib']!)).rejects.toThrow(/hello-lib-1\.2-3\.noarch\.rpm: payload: hello-lib-1\.2-3\.noarch has no kernel module/);
    const fwOnly = driverRpm(join(dir, 'fw.rpm'), 'fw-only', { '/lib/firmware/x.bin': 'x' });
    await expect(readDriverRpm(fwOnly)).rejects.toThrow(/fw\.rpm: payload: fw-only-1\.0-1\.x86_64 has no kernel module/);
  });
});

describe('walkInitramfsFile', () => {
  const member = (path: string, text: string) => encodeInitrdMember([{ path, data: Buffer.from(text) }], EPOCH);
  const seen = async (img: Buffer) => {
    const files = new Map<string, Buffer>();
    const members = await walkInitramfsFile(file('walk.img', img), 'walk.img', async (e) => {
      if ((e.mode & 0o170000) === 0o100000) files.set(e.name, await e.buffer());
    });
    return { files, members };
  };

  it('reads concatenated bzip2, gzip, xz, zstd and raw members; later files win', async () => {
    const root = join(dir, 'walk-root');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'a.txt'), 'xz\n');
    const xz = sh('echo a.txt | cpio -o -H newc --quiet | xz -c', root);
    writeFileSync(join(root, 'a.txt'), 'zstd\n');
    const zst = sh('echo a.txt | cpio -o -H newc --quiet | zstd -qc', root);
    writeFileSync(join(root, 'a.txt'), 'raw\n');
    const raw = sh('echo a.txt | cpio -o -H newc --quiet', root);
    const parts = [initrd, member('a.txt', 'gzip\n'), xz, zst, raw, member('b.txt', 'last\n')];
    const img = Buffer.concat(parts.flatMap((p, i) => [p, initrdPadding(p.length + (i === 0 ? 0 : 0))]));
    const { files, members } = await seen(img);
    expect(members.map((m) => m.compression)).toEqual(['bzip2', 'gzip', 'xz', 'zstd', 'newc', 'gzip']);
    expect(members.at(-1)!.end).toBe(img.length);
    expect(files.get('init')?.toString()).toBe('#!/bin/sh\nexec /bin/sh\n');
    expect(files.get('a.txt')?.toString()).toBe('raw\n');
    expect(files.get('b.txt')?.toString()).toBe('last\n');
    expect(files.get(`lib/modules/${KERNEL}/kernel/drivers/misc/suppack_base.ko`)?.equals(ko.suppack_base)).toBe(true);
  });

  it('junk, a truncated member and a missing tool are clear errors', async () => {
    const raw = sh('echo init | cpio -o -H newc --quiet', join(dir, 'initrd/ramdisk-root'));
    await expect(seen(Buffer.concat([raw, Buffer.from('JUNKJUNK')]))).rejects.toThrow(/walk\.img: member 1 at offset 512: junk in the ramdisk/);
    await expect(seen(Buffer.from('JUNKJUNK'))).rejects.toThrow(/walk\.img: member 0 at offset 0: junk in the ramdisk/);
    await expect(seen(initrd.subarray(0, initrd.length - 200))).rejects.toThrow(/walk\.img: member 0 at offset 0: bzip2 data is corrupt or truncated/);
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'empty-bin');
    try {
      await expect(seen(initrd)).rejects.toThrow(/walk\.img: member 0 at offset 0: is bzip2-compressed and the bzip2 program is not installed \(Debian package bzip2\)/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('encodeInitrdTree', () => {
  it('adds the parent directories (0755) before the files, sorted and deterministic; GNU cpio agrees', () => {
    const files = [
      { path: 'lib/modules/k/updates/x.ko', data: Buffer.from('ko'), mode: 0o600 },
      { path: 'lib/firmware/f.bin', data: Buffer.from('fw') },
    ];
    const m = encodeInitrdTree(files, EPOCH);
    expect(encodeInitrdTree([...files].reverse(), EPOCH).equals(m)).toBe(true);
    expect(m.length % 4).toBe(0);
    const [w] = walkInitramfs(m);
    expect(w!.entries.map((e) => [e.name, e.mode.toString(8), e.uid, e.gid, e.mtime])).toEqual([
      ['lib', '40755', 0, 0, EPOCH],
      ['lib/firmware', '40755', 0, 0, EPOCH],
      ['lib/firmware/f.bin', '100644', 0, 0, EPOCH],
      ['lib/modules', '40755', 0, 0, EPOCH],
      ['lib/modules/k', '40755', 0, 0, EPOCH],
      ['lib/modules/k/updates', '40755', 0, 0, EPOCH],
      ['lib/modules/k/updates/x.ko', '100600', 0, 0, EPOCH],
    ]);
    writeFileSync(join(dir, 'tree.gz'), m);
    expect(sh('gzip -dc tree.gz | cpio -itv --quiet', dir).toString()).toMatch(/^drwxr-xr-x .* lib\n[\s\S]*-rw------- .* lib\/modules\/k\/updates\/x\.ko\n$/);
    expect(() => encodeInitrdTree([files[0]!, files[0]!], EPOCH)).toThrow(/given twice/);
    expect(() => encodeInitrdTree([{ path: 'a', data: Buffer.alloc(1) }, { path: 'a/b', data: Buffer.alloc(1) }], EPOCH)).toThrow(/\/a is both a file and a directory/);
  });
});

describe('resolveRamdiskPath', () => {
  it('follows relative and absolute links in the directories, and the last component on request', () => {
    const links = new Map([['lib', 'usr/lib'], ['usr/lib/fw', '/opt/fw'], ['loop', 'loop']]);
    expect(resolveRamdiskPath(links, 'lib/modules/k/x.ko', false)).toBe('usr/lib/modules/k/x.ko');
    expect(resolveRamdiskPath(links, 'lib/fw/a', false)).toBe('opt/fw/a');
    expect(resolveRamdiskPath(links, 'lib', false)).toBe('lib');
    expect(resolveRamdiskPath(links, 'lib', true)).toBe('usr/lib');
    expect(resolveRamdiskPath(links, 'loop/x', false)).toBeUndefined();
  });
});

describe('buildDriverMember', () => {
  const build = (img: Buffer, drivers: string[]) => buildDriverMember(() => createReadStream(file('install.img', img)), 'install.img', drivers, EPOCH);

  it('adds the module, its directories, the firmware and the indexes depmod regenerates; kmod resolves the driver', async () => {
    const r = await build(initrd, [helloRpm]);
    const mods = `lib/modules/${KERNEL}`;
    expect(r.modulesDir).toBe('lib/modules');
    expect(r.drivers).toEqual([
      {
        file: helloRpm,
        nevra: 'suppack-hello-1.0-1.x86_64',
        kvers: [KERNEL],
        files: ['lib/firmware/suppack/hello.bin', `${mods}/updates/suppack_hello.ko`],
        ignored: ['/usr/share/doc/suppack-hello/README'],
      },
    ]);
    expect(r.indexes).toEqual(expect.arrayContaining([`${mods}/modules.dep`, `${mods}/modules.dep.bin`, `${mods}/modules.alias`, `${mods}/modules.alias.bin`, `${mods}/modules.symbols`, `${mods}/modules.symbols.bin`, `${mods}/modules.builtin.bin`, `${mods}/modules.softdep`, `${mods}/modules.devname`]));
    expect(r.indexes).not.toContain(`${mods}/modules.order`);
    const [m] = walkInitramfs(r.member);
    const entries = new Map(m!.entries.map((e) => [e.name, e]));
    expect(entries.get('lib')?.mode).toBe(0o40755);
    expect(entries.get(`${mods}/updates`)?.mode).toBe(0o40755);
    expect(Buffer.from(entries.get(`${mods}/updates/suppack_hello.ko`)!.data).equals(ko.suppack_hello)).toBe(true);
    expect(Buffer.from(entries.get('lib/firmware/suppack/hello.bin')!.data).equals(FIRMWARE)).toBe(true);
    const dep = Buffer.from(entries.get(`${mods}/modules.dep`)!.data).toString();
    expect(dep).toContain('updates/suppack_hello.ko: kernel/drivers/misc/suppack_base.ko\n');
    expect(Buffer.from(entries.get(`${mods}/modules.alias`)!.data).toString()).toContain('alias pci:v00001AF4d0000BEEFsv*sd*bc*sc*i* suppack_hello');
    expect(Buffer.from(entries.get(`${mods}/modules.symbols`)!.data).toString()).toContain('alias symbol:suppack_base_value suppack_base');
    // Unpacked as the kernel would (base, then the member), the real kmod tools find the driver.
    const full = Buffer.concat([initrd, initrdPadding(initrd.length), r.member]);
    const root = unpackRamdisk(full, initrd.length, join(dir, 'unpacked'));
    expect(kmod('modinfo', ['-b', root, '-k', KERNEL, '-F', 'filename', 'suppack_hello']).trim()).toBe(`${root}/${mods}/updates/suppack_hello.ko`);
    const deps = kmod('modprobe', ['--show-depends', '-d', root, '-S', KERNEL, 'suppack_hello']).split('\n').map((l) => l.trim());
    expect(deps.filter((l) => l !== '')).toEqual([`insmod ${root}/${mods}/kernel/drivers/misc/suppack_base.ko`, `insmod ${root}/${mods}/updates/suppack_hello.ko`]);
    // By its alias too (modules.alias.bin).
    expect(kmod('modprobe', ['--show-depends', '-d', root, '-S', KERNEL, 'pci:v00001AF4d0000BEEFsv00000000sd00000000bc02sc00i00'])).toContain('updates/suppack_hello.ko');
    // Same inputs, same bytes.
    expect((await build(initrd, [helloRpm])).member.equals(r.member)).toBe(true);
  });

  it('follows a lib -> usr/lib ramdisk and never replaces that symlink with a directory', async () => {
    const merged = testInitrd(join(dir, 'merged'), ko.suppack_base, { usrMerge: true, compress: 'xz -c' });
    const r = await build(merged, [helloRpm]);
    expect(r.modulesDir).toBe('usr/lib/modules');
    const names = walkInitramfs(r.member)[0]!.entries.map((e) => e.name);
    expect(names.filter((n) => n === 'lib' || n.startsWith('lib/'))).toEqual([]);
    expect(names).toContain(`usr/lib/modules/${KERNEL}/updates/suppack_hello.ko`);
    expect(names).toContain('usr/lib/firmware/suppack/hello.bin');
    expect(names).toContain(`usr/lib/modules/${KERNEL}/modules.dep.bin`);
  });

  it('a later member of the ramdisk counts: a second driver sees the first one', async () => {
    const otherRpm = driverRpm(join(dir, 'other.rpm'), 'suppack-other', { [`/lib/modules/${KERNEL}/updates/suppack_other.ko`]: ko.suppack_other });
    const first = await build(initrd, [helloRpm]);
    const once = Buffer.concat([initrd, initrdPadding(initrd.length), first.member]);
    const second = await build(once, [otherRpm]);
    const dep = Buffer.from(walkInitramfs(second.member)[0]!.entries.find((e) => e.name === `lib/modules/${KERNEL}/modules.dep`)!.data).toString();
    expect(dep).toContain('updates/suppack_hello.ko: kernel/drivers/misc/suppack_base.ko\n');
    expect(dep).toContain('updates/suppack_other.ko:\n');
  });

  it('a driver for a kernel the ramdisk lacks, and the same file in two drivers: errors naming the RPM', async () => {
    const foreign = driverRpm(join(dir, 'foreign.rpm'), 'foreign', { '/lib/modules/9.9.9-xen/updates/f.ko': 'ko' });
    await expect(build(initrd, [helloRpm, foreign])).rejects.toThrow(
      new RegExp(`foreign\\.rpm: its modules are for kernel 9\\.9\\.9-xen, which the installer does not have: install\\.img has /lib/modules/\\{${KERNEL}\\}$`),
    );
    const twin = driverRpm(join(dir, 'twin.rpm'), 'twin', { [`/lib/modules/${KERNEL}/updates/suppack_hello.ko`]: ko.suppack_hello });
    await expect(build(initrd, [helloRpm, twin])).rejects.toThrow(/twin\.rpm: its \/lib\/modules\/.*\/suppack_hello\.ko is also in .*hello\.rpm/);
  });
});

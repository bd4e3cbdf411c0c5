/**
 * Test-only: an independent, kernel-like walk over an initramfs made of concatenated members
 * (linux init/initramfs.c unpack_to_rootfs: skip NULs, raw newc at a 4-aligned '0', else a
 * compressed member). Only raw and gzip members are understood here; Node has no bzip2.
 */
import { tool } from '../../../testing/tools';
import { crc32, inflateRawSync } from 'node:zlib';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRpm } from '../../formats/rpm/write';
import type { RpmSpecFile } from '../../formats/rpm/write';

export interface WalkedEntry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  ino: number;
  data: Buffer;
}

export interface WalkedMember {
  offset: number;
  end: number;
  kind: 'newc' | 'gzip';
  entries: WalkedEntry[];
}

export function walkInitramfs(buf: Buffer): WalkedMember[] {
  const out: WalkedMember[] = [];
  let p = 0;
  while (p < buf.length) {
    if (buf[p] === 0) {
      p++;
      continue;
    }
    if (buf[p] === 0x30 && p % 4 === 0) {
      const { entries, end } = readNewc(buf, p);
      out.push({ offset: p, end, kind: 'newc', entries });
      p = end;
    } else if (buf[p] === 0x1f && buf[p + 1] === 0x8b) {
      if (buf[p + 3] !== 0) throw new Error('walker: gzip header flags not supported');
      const body = p + 10;
      const data = inflateRawSync(buf.subarray(body));
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc32(data), 0);
      trailer.writeUInt32LE(data.length % 0x100000000, 4);
      const at = buf.indexOf(trailer, body);
      if (at < 0) throw new Error('walker: gzip trailer not found');
      out.push({ offset: p, end: at + 8, kind: 'gzip', entries: readNewc(data, 0).entries });
      p = at + 8;
    } else {
      throw new Error(`walker: junk at offset ${p}`);
    }
  }
  return out;
}

/** newc entries up to TRAILER!!!; `end` is just after the trailer's (4-aligned) end. */
function readNewc(buf: Buffer, start: number): { entries: WalkedEntry[]; end: number } {
  const entries: WalkedEntry[] = [];
  let p = start;
  for (;;) {
    const magic = buf.toString('latin1', p, p + 6);
    if (magic !== '070701') throw new Error(`walker: bad magic at ${p}`);
    const f = (k: number): number => parseInt(buf.toString('latin1', p + 6 + 8 * k, p + 14 + 8 * k), 16);
    const nameSize = f(11);
    const size = f(6);
    const name = buf.toString('utf8', p + 110, p + 110 + nameSize - 1);
    const dataAt = (p + 110 + nameSize + 3) & ~3;
    const next = (dataAt + size + 3) & ~3;
    if (name === 'TRAILER!!!') return { entries, end: next };
    entries.push({ name, ino: f(0), mode: f(1), uid: f(2), gid: f(3), nlink: f(4), mtime: f(5), data: buf.subarray(dataAt, dataAt + size) });
    p = next;
  }
}

/** Run a shell pipeline in `cwd`; stdout as a Buffer; throws with stderr on failure. */
export function sh(cmd: string, cwd: string, input?: Buffer): Buffer {
  return tool('sh', ['-c', cmd], { cwd, input });
}

// ---- driver ----
/**
 * Test-only: real kernel modules compiled against the Debian kernel headers, driver RPMs made with
 * the native writer, installer ramdisks made with GNU cpio, and the real kmod tools to check them.
 */

/** The kernel version whose headers are installed (`/lib/modules/<kver>/build`). */
export const KERNEL = readdirSync('/lib/modules').find((k) => existsSync(join('/lib/modules', k, 'build'))) ?? '';

export const SBIN_PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;

const MODULES: Record<string, string> = {
  // In the ramdisk: exports a symbol the driver uses, so depmod must resolve across the two.
  suppack_base: `#include <linux/module.h>
int suppack_base_value(void) { return 42; }
EXPORT_SYMBOL_GPL(suppack_base_value);
static int __init b_init(void) { return 0; }
static void __exit b_exit(void) {}
module_init(b_init);
module_exit(b_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("suppack test: in the installer");
`,
  suppack_hello: `#include <linux/module.h>
extern int suppack_base_value(void);
static int __init h_init(void) { pr_info("hello %d\\n", suppack_base_value()); return 0; }
static void __exit h_exit(void) {}
module_init(h_init);
module_exit(h_exit);
MODULE_LICENSE("GPL");
MODULE_ALIAS("pci:v00001AF4d0000BEEFsv*sd*bc*sc*i*");
MODULE_DESCRIPTION("suppack test: the driver");
`,
  suppack_other: `#include <linux/module.h>
static int __init o_init(void) { return 0; }
static void __exit o_exit(void) {}
module_init(o_init);
module_exit(o_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("suppack test: a second driver");
`,
};

export type TestModules = Record<'suppack_base' | 'suppack_hello' | 'suppack_other', Buffer>;

/** Compiles the three test modules with `make -C <headers> M=<dir> modules`; their .ko bytes. */
export function buildTestModules(dir: string): TestModules {
  mkdirSync(dir, { recursive: true });
  for (const [name, src] of Object.entries(MODULES)) writeFileSync(join(dir, `${name}.c`), src);
  writeFileSync(join(dir, 'Kbuild'), `obj-m := ${Object.keys(MODULES).map((n) => `${n}.o`).join(' ')}\n`);
  const r = spawnSync('make', ['-s', '-C', `/lib/modules/${KERNEL}/build`, `M=${dir}`, 'modules'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make modules failed: ${r.stderr}`);
  return Object.fromEntries(Object.keys(MODULES).map((n) => [n, readFileSync(join(dir, `${n}.ko`))])) as TestModules;
}

/** A driver RPM written with the native writer: `files` maps absolute paths to contents. */
export function driverRpm(out: string, name: string, files: Record<string, Buffer | string>, extra: RpmSpecFile[] = []): string {
  const bytes = encodeRpm({
    name,
    version: '1.0',
    release: '1',
    arch: 'x86_64',
    summary: `${name} driver`,
    description: 'test driver',
    license: 'GPL',
    group: 'System Environment/Kernel',
    buildTime: 1_700_000_000,
    files: [
      ...Object.entries(files).map(([path, data]) => ({ path, mode: 0o100644, content: Buffer.from(data) })),
      ...extra,
    ],
  });
  writeFileSync(out, bytes);
  return out;
}

/**
 * An installer ramdisk made with GNU cpio: /init, lib/modules/<kver>/kernel/drivers/misc/<base>.ko,
 * modules.order, modules.builtin; piped through `compress` (e.g. `bzip2 -9`). With `usrMerge`,
 * `lib` is a symlink to `usr/lib` and the modules are under usr/lib/modules.
 */
export function testInitrd(dir: string, base: Buffer, o: { compress?: string; usrMerge?: boolean; kvers?: string[] } = {}): Buffer {
  const root = join(dir, 'ramdisk-root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'init'), '#!/bin/sh\nexec /bin/sh\n', { mode: 0o755 });
  writeFileSync(join(root, 'etc/issue'), 'installer\n');
  const lib = o.usrMerge ? 'usr/lib' : 'lib';
  for (const kver of o.kvers ?? [KERNEL]) {
    const mods = join(root, lib, 'modules', kver);
    mkdirSync(join(mods, 'kernel/drivers/misc'), { recursive: true });
    writeFileSync(join(mods, 'kernel/drivers/misc/suppack_base.ko'), base);
    writeFileSync(join(mods, 'modules.order'), 'kernel/drivers/misc/suppack_base.ko\n');
    writeFileSync(join(mods, 'modules.builtin'), 'kernel/fs/ext4/ext4.ko\n');
  }
  if (o.usrMerge) execFileSync('ln', ['-s', 'usr/lib', join(root, 'lib')]);
  return sh(`find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | ${o.compress ?? 'bzip2 -9'}`, root);
}

/**
 * Unpacks a ramdisk as the kernel would, with the real tools: `base` (the first `baseLength`
 * bytes, bzip2) through bzip2 + cpio, then each appended gzip member (found by walkInitramfs)
 * through gzip + cpio, overwriting. Returns the root.
 */
export function unpackRamdisk(img: Buffer, baseLength: number, root: string): string {
  mkdirSync(root, { recursive: true });
  sh('bzip2 -dc | cpio -idum --quiet --no-absolute-filenames', root, img.subarray(0, baseLength));
  for (const m of walkInitramfs(img.subarray(baseLength))) {
    sh('gzip -dc | cpio -idu --quiet --no-absolute-filenames', root, img.subarray(baseLength + m.offset, baseLength + m.end));
  }
  return root;
}

/** Runs a kmod tool (modinfo, modprobe, depmod) from /sbin; stdout. */
export function kmod(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', env: { ...process.env, PATH: SBIN_PATH } });
}

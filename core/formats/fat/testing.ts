/** Test-only helpers: build FAT images with the real tools (mtools, dosfstools) and check them. */
import { tool } from '../../../testing/tools';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mtools refuses some images mkfs.vfat makes (geometry checks) unless told not to check. */
const MTOOLS_ENV = { ...process.env, MTOOLS_SKIP_CHECK: '1' };

export function run(cmd: string, args: string[]): Buffer {
  return tool(cmd, args, { env: MTOOLS_ENV });
}

export type ImageKind = 'mformat-2880k' | 'vfat-8m' | 'vfat16-8m' | 'vfat32-40m';

/** A fresh empty image made the way the installers' build scripts do. */
export function makeImage(kind: ImageKind, path: string): void {
  rmSync(path, { force: true });
  switch (kind) {
    case 'mformat-2880k': // XCP-ng's efiboot.img: a 2.88 MB (-f is in KB) FAT12 floppy
      run('mformat', ['-N', '0', '-C', '-f', '2880', '-L', '16', '-i', path, '::']);
      return;
    case 'vfat-8m': // mkfs.vfat picks FAT12 with 2 KB clusters for 8 MB
      run('mkfs.vfat', ['-C', path, '8192']);
      return;
    case 'vfat16-8m':
      run('mkfs.vfat', ['-F', '16', '-s', '1', '-C', path, '8192']);
      return;
    case 'vfat32-40m':
      run('mkfs.vfat', ['-F', '32', '-C', path, '40000']);
      return;
  }
}

export function mmd(image: string, ...dirs: string[]): void {
  run('mmd', ['-i', image, ...dirs.map((d) => `::${d}`)]);
}

/** Copy `data` into the image at `dest` (written to a scratch file in `tmp` first). */
export function mcopyIn(image: string, tmp: string, data: Buffer, dest: string): void {
  const local = join(tmp, `in-${createHash('sha1').update(dest).digest('hex').slice(0, 8)}`);
  writeFileSync(local, data);
  run('mcopy', ['-i', image, local, `::${dest}`]);
  rmSync(local);
}

/** The exact bytes of a file in the image, as mtype prints them. */
export function mtype(image: string, path: string): Buffer {
  return run('mtype', ['-i', image, `::${path}`]);
}

/** The exact bytes of a file in the image, as mcopy copies it out. */
export function mcopyOut(image: string, path: string): Buffer {
  return run('mcopy', ['-n', '-i', image, `::${path}`, '-']);
}

export interface FsckResult {
  status: number | null;
  output: string;
  /** Total data clusters from the summary line "N files, used/total clusters". */
  totalClusters?: number;
  usedClusters?: number;
}

/** `fsck.fat -n` (check only, never write). */
export function fsck(image: string): FsckResult {
  const r = spawnSync('fsck.fat', ['-n', image], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const output = `${r.stdout}${r.stderr}`;
  const m = /(\d+) files, (\d+)\/(\d+) clusters/.exec(output);
  return { status: r.status, output, usedClusters: m ? Number(m[2]) : undefined, totalClusters: m ? Number(m[3]) : undefined };
}

/** Text of exactly `length` bytes, line-structured like a grub.cfg. */
export function grubText(length: number, tag: string): Buffer {
  let s = '';
  for (let i = 0; s.length < length; i++) s += `menuentry "${tag} ${i}" { linux /boot/vmlinuz answerfile=file:///answer.xml }\n`;
  return Buffer.from(s.slice(0, length), 'latin1');
}

/** Offsets at which two equally long buffers differ. */
export function changedOffsets(a: Buffer, b: Buffer): number[] {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

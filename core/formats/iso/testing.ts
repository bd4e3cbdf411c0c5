/** Test-only helpers of the ISO tests: sample trees, running the real tools, images built with them and patched. */
import { randomBytes } from '../../../testing/random';
import { tool, toolResult } from '../../../testing/tools';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IsoEntry } from './tree';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a tool that must succeed and return its binary stdout. */
export function runBinary(cmd: string, args: string[]): Buffer {
  return tool(cmd, args);
}

export function run(cmd: string, args: string[], encoding: 'utf8' | 'latin1' = 'utf8'): Run {
  return toolResult(cmd, args, { encoding });
}

/** Exactly the Joliet limit of 103 characters. */
export const LONG_ASCII = `long-name-${'x'.repeat(89)}.txt`;
/** 102 characters but 200 UTF-8 bytes: its Rock Ridge NM no longer fits in the record (CE). */
export const LONG_UTF8 = `${'ü'.repeat(98)}.txt`;
export const LONG_DIR = `dir-${'d'.repeat(96)}`;
/** A symlink target (~930 bytes) long enough to need several SL entries, in a CE area. */
export const LONG_TARGET = Array.from({ length: 9 }, (_, i) => `component-${i}-${'z'.repeat(90)}`).join('/');

/** What a sample tree file holds, for comparing extracted output. */
export interface SampleFile {
  path: string;
  content: Buffer;
  executable: boolean;
}

export interface SampleTree {
  entries: IsoEntry[];
  files: SampleFile[];
  dirs: string[];
  symlinks: Array<{ path: string; target: string }>;
}

/**
 * Create a sample tree under `root` (nested dirs, long names, spaces, lower case, dots, unicode,
 * a symlink, an executable, an empty file, an empty dir, a directory of many files spanning
 * several blocks, a file of a few MiB) and return the entries describing it.
 */
export function makeSampleTree(root: string, opts: { mtime?: number; many?: number; umask?: number } = {}): SampleTree {
  const files: SampleFile[] = [
    { path: 'XS-PACKAGES', content: Buffer.from('<packages/>\n'), executable: false },
    { path: 'install/install.sh', content: Buffer.from('#!/bin/sh\necho hi\n'), executable: true },
    { path: 'empty', content: Buffer.alloc(0), executable: false },
    { path: 'a/b/c/d/deep file.txt', content: Buffer.from('deep\n'), executable: false },
    { path: 'l1/l2/l3/l4/l5/l6/l7/l8/l9/l10/deeper than eight', content: Buffer.from('deeper\n'), executable: false },
    { path: 'names/lower.case.name.tar.gz', content: randomBytes(3000, 1), executable: false },
    { path: 'names/With Space and UPPER', content: Buffer.from('space\n'), executable: false },
    { path: 'names/ünïcödé-ファイル.txt', content: Buffer.from('unicode\n'), executable: false },
    { path: 'names/.hidden', content: Buffer.from('hidden\n'), executable: false },
    { path: 'names/same-prefix-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1', content: Buffer.from('1\n'), executable: false },
    { path: 'names/same-prefix-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-2', content: Buffer.from('2\n'), executable: false },
    { path: `names/${LONG_ASCII}`, content: Buffer.from('long ascii\n'), executable: false },
    { path: `names/${LONG_UTF8}`, content: Buffer.from('long utf8\n'), executable: false },
    { path: `${LONG_DIR}/inside`, content: Buffer.from('in long dir\n'), executable: false },
    { path: 'big/blob.bin', content: randomBytes(3 * 1024 * 1024 + 123, 7), executable: false },
  ];
  const many = opts.many ?? 120;
  for (let i = 0; i < many; i++) {
    files.push({ path: `many/file-number-${String(i).padStart(4, '0')}.rpm`, content: randomBytes(100 + i, i + 11), executable: false });
  }
  const dirs = ['emptydir'];
  const symlinks = [
    { path: 'names/link-to-big', target: '../big/blob.bin' },
    { path: 'abs-link', target: '/usr/lib/./x' },
    { path: 'long-link', target: LONG_TARGET },
  ];
  for (const f of files) {
    const p = join(root, f.path);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, f.content);
    chmodSync(p, (f.executable ? 0o777 : 0o666) & ~(opts.umask ?? 0o022));
    if (opts.mtime !== undefined) utimesSync(p, opts.mtime, opts.mtime);
  }
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  for (const s of symlinks) symlinkSync(s.target, join(root, s.path));
  const entries: IsoEntry[] = [
    ...files.map((f): IsoEntry => ({
      path: f.path,
      kind: 'file',
      size: f.content.length,
      source: join(root, f.path),
      mode: statSync(join(root, f.path)).mode & 0o7777,
    })),
    ...dirs.map((d): IsoEntry => ({ path: d, kind: 'dir' })),
    ...symlinks.map((s): IsoEntry => ({ path: s.path, kind: 'symlink', target: s.target })),
  ];
  return { entries, files, dirs, symlinks };
}

export function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

export interface ListedNode {
  mode: string;
  size: number;
  /** First block of the data (the extent isoinfo shows in brackets). */
  lba: number;
  target?: string;
}

/**
 * Parse `isoinfo -l` output (with -R or -J) into path → node. Lines look like
 * `-r--r--r--   1    0    0     12 Jan  1 2000 [     58 00]  name ` under `Directory listing of /dir/`.
 */
export function parseIsoinfoListing(text: string): Map<string, ListedNode> {
  const out = new Map<string, ListedNode>();
  let dir = '/';
  for (const line of text.split('\n')) {
    const header = /^Directory listing of (.*)$/.exec(line);
    if (header) {
      dir = header[1];
      continue;
    }
    const m = /^([-dlrwxsStT]{10})\s+\d+\s+\d+\s+\d+\s+(\d+)\s+.*?\[\s*(\d+) \d+\]  (.*?) ?$/.exec(line);
    if (!m) continue;
    let name = m[4];
    let target: string | undefined;
    if (m[1].startsWith('l')) [name, target] = name.split(' -> ');
    if (name === '.' || name === '..') continue;
    out.set(`${dir}${name}`.replace(/^\//, ''), { mode: m[1], size: Number(m[2]), lba: Number(m[3]), target });
  }
  return out;
}

/** Image path → first block of every file, from `isoinfo -R -l` (throws when isoinfo fails). */
export function isoinfoLbas(iso: string): Map<string, number> {
  const r = run('isoinfo', ['-R', '-l', '-i', iso]);
  if (r.code !== 0) throw new Error(`isoinfo -R -l ${iso} failed: ${r.stderr}`);
  const out = new Map<string, number>();
  for (const [path, node] of parseIsoinfoListing(r.stdout)) if (node.mode.startsWith('-')) out.set(path, node.lba);
  return out;
}

/** How `isoinfo -J -j iso8859-1` shows a name: characters beyond Latin-1 become '_'. */
export function latin1View(name: string): string {
  return [...name].map((c) => (c.charCodeAt(0) <= 0xff && c.length === 1 ? c : '_')).join('');
}

// ---- reader ----
// The ISO reader's tests: images built with the real tools, bytes patched.

/** Run a tool that must succeed; its stdout as text. */
export function runText(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return tool(cmd, args, { env }).toString('utf8');
}

/** `xorriso -as mkisofs <flags> -o out src` (SOURCE_DATE_EPOCH fixed so dates are known). */
export function xorriso(src: string, out: string, flags: string[]): string {
  runText('xorriso', ['-as', 'mkisofs', ...flags, '-o', out, src], { SOURCE_DATE_EPOCH: '946684800' });
  return out;
}

export function genisoimage(src: string, out: string, flags: string[]): string {
  runText('genisoimage', ['-quiet', ...flags, '-o', out, src]);
  return out;
}

/** `isoinfo -d` as a map of "label" -> value. */
export function isoinfoD(iso: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of runText('isoinfo', ['-d', '-i', iso]).split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 2));
    else if (line.trim() !== '') m.set(line.trim().replace(/:$/, ''), '');
  }
  return m;
}

export interface TreeEntry {
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
  target?: string;
}

/** The input tree as the reader should see it (depth-first, siblings sorted by name). */
export function listTree(root: string, prefix = ''): TreeEntry[] {
  const out: TreeEntry[] = [];
  const names = readdirSync(join(root, prefix)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = prefix ? `${prefix}/${name}` : name;
    const st = lstatSync(join(root, path));
    if (st.isSymbolicLink()) out.push({ path, kind: 'symlink', size: 0, mode: st.mode, target: readlinkSync(join(root, path)) });
    else if (st.isDirectory()) {
      out.push({ path, kind: 'dir', size: -1, mode: st.mode });
      out.push(...listTree(root, path));
    } else out.push({ path, kind: 'file', size: st.size, mode: st.mode });
  }
  return out;
}

export function writeTree(root: string, files: Record<string, string | Buffer | { link: string }>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    if (typeof content === 'object' && !Buffer.isBuffer(content)) runText('ln', ['-s', content.link, full]);
    else writeFileSync(full, content);
  }
}

/**
 * Offsets of directory records whose file identifier is exactly `id` (e.g. 'SUB' or 'A.TXT;1').
 * Checks LEN_FI, a plausible LEN_DR and the volume sequence number 1 (723) so path-table records
 * with the same name do not match.
 */
export function findRecords(image: Buffer, id: string): number[] {
  const name = Buffer.from(id, 'latin1');
  const out: number[] = [];
  for (let i = image.indexOf(name, 33); i >= 0; i = image.indexOf(name, i + 1)) {
    const off = i - 33;
    if (off < 0 || image[i - 1] !== name.length) continue;
    const lenDr = image[off];
    if (lenDr < 33 + name.length || image.readUInt32LE(off + 28) !== 0x01000001) continue;
    out.push(off);
  }
  return out;
}

export function findRecord(image: Buffer, id: string): number {
  const all = findRecords(image, id);
  if (all.length !== 1) throw new Error(`expected one directory record ${id}, found ${all.length}`);
  return all[0];
}

/** ECMA-119 7.3.3: write a both-endian u32. */
export function put733(buf: Buffer, off: number, value: number): void {
  buf.writeUInt32LE(value, off);
  buf.writeUInt32BE(value, off + 4);
}

export async function streamToBuffer(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of s) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Copy `src` to `dest` after `patch` edits its bytes. */
export function patchedCopy(src: string, dest: string, patch: (image: Buffer) => Buffer | void): string {
  const image = readFileSync(src);
  writeFileSync(dest, patch(image) ?? image);
  return dest;
}

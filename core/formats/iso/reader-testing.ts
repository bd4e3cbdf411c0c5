/** Test-only helpers for the ISO reader tests: build images with the real tools, patch bytes. */
import { tool } from '../../../testing/tools';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return tool(cmd, args, { env }).toString('utf8');
}

/** `xorriso -as mkisofs <flags> -o out src` (SOURCE_DATE_EPOCH fixed so dates are known). */
export function xorriso(src: string, out: string, flags: string[]): string {
  run('xorriso', ['-as', 'mkisofs', ...flags, '-o', out, src], { SOURCE_DATE_EPOCH: '946684800' });
  return out;
}

export function genisoimage(src: string, out: string, flags: string[]): string {
  run('genisoimage', ['-quiet', ...flags, '-o', out, src]);
  return out;
}

/** `isoinfo -d` as a map of "label" -> value. */
export function isoinfoD(iso: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of run('isoinfo', ['-d', '-i', iso]).split('\n')) {
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
    if (typeof content === 'object' && !Buffer.isBuffer(content)) run('ln', ['-s', content.link, full]);
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

/** Test-only helpers of the RPM tests: hand-built headers and cpio archives, and rpm/cpio tool wrappers. */
import { execFileSync } from 'node:child_process';
import { SuppackError } from '../../base/errors';
import { HEADER_MAGIC, RPM_TYPE } from './header';
import { LEAD_SIZE } from './lead';
import { parseRpm } from './read';
import { SIG_TAG } from './tags';
import { encodeRpmUnchecked } from './write';
import type { RpmSpecInput } from './write-validate';
import { tool } from '../../../testing/tools';
import { copyFileSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BuiltEntry {
  tag: number;
  type: number;
  /** numbers for CHAR..INT32, bigints for INT64, string for STRING, strings for arrays, Buffer for BIN. */
  value: number[] | bigint[] | string | string[] | Buffer;
}

export interface BuiltHeader {
  buf: Buffer;
  /** Data offset of each entry (by position in `entries`), to corrupt them in tests. */
  offsets: number[];
  il: number;
  dl: number;
}

/**
 * Encodes a header structure (rpm format_header.md) with, when `regionTag` is given, a region entry
 * first and its 16-byte trailer as the last data bytes. Entries are laid out with their alignment.
 */
export function buildHeader(entries: BuiltEntry[], regionTag?: number): BuiltHeader {
  const parts: Buffer[] = [];
  let size = 0;
  const offsets: number[] = [];
  const align: Record<number, number> = { [RPM_TYPE.INT16]: 2, [RPM_TYPE.INT32]: 4, [RPM_TYPE.INT64]: 8 };
  for (const e of entries) {
    const a = align[e.type] ?? 1;
    const pad = (a - (size % a)) % a;
    if (pad) {
      parts.push(Buffer.alloc(pad));
      size += pad;
    }
    offsets.push(size);
    const data = encodeValue(e);
    parts.push(data);
    size += data.length;
  }
  const all = regionTag === undefined ? entries : [{ tag: regionTag, type: RPM_TYPE.BIN, value: Buffer.alloc(16) }, ...entries];
  const il = all.length;
  if (regionTag !== undefined) {
    offsets.unshift(size);
    const trailer = Buffer.alloc(16);
    trailer.writeUInt32BE(regionTag, 0);
    trailer.writeUInt32BE(RPM_TYPE.BIN, 4);
    trailer.writeInt32BE(-16 * il, 8);
    trailer.writeUInt32BE(16, 12);
    parts.push(trailer);
    size += 16;
  }
  const index = Buffer.alloc(16 * il);
  all.forEach((e, i) => {
    index.writeUInt32BE(e.tag, 16 * i);
    index.writeUInt32BE(e.type, 16 * i + 4);
    index.writeInt32BE(offsets[i]!, 16 * i + 8);
    index.writeUInt32BE(countOf(e), 16 * i + 12);
  });
  const intro = Buffer.alloc(16);
  HEADER_MAGIC.copy(intro);
  intro.writeUInt32BE(il, 8);
  intro.writeUInt32BE(size, 12);
  return { buf: Buffer.concat([intro, index, ...parts]), offsets, il, dl: size };
}

function countOf(e: BuiltEntry): number {
  if (typeof e.value === 'string') return 1;
  return e.value.length;
}

function encodeValue(e: BuiltEntry): Buffer {
  const v = e.value;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(`${v}\0`);
  if (e.type === RPM_TYPE.STRING_ARRAY || e.type === RPM_TYPE.I18NSTRING) return Buffer.from((v as string[]).map((s) => `${s}\0`).join(''));
  if (e.type === RPM_TYPE.INT64) {
    const b = Buffer.alloc(8 * v.length);
    (v as bigint[]).forEach((x, k) => b.writeBigUInt64BE(x, 8 * k));
    return b;
  }
  const size = e.type === RPM_TYPE.INT16 ? 2 : e.type === RPM_TYPE.INT32 ? 4 : 1;
  const b = Buffer.alloc(size * v.length);
  (v as number[]).forEach((x, k) => b.writeUIntBE(x, size * k, size));
  return b;
}

/** One newc entry (docs/formats/containers.md §6), padded to 4; `offset` is where it starts in the archive. */
export function newcEntry(name: string, data: Buffer | string, opts: { mode?: number; magic?: string; offset?: number } = {}): Buffer {
  const body = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const nameBytes = Buffer.from(`${name}\0`);
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  const fields = [1, opts.mode ?? 0o100644, 0, 0, 1, 0, body.length, 0, 0, 0, 0, nameBytes.length, 0];
  const header = Buffer.from((opts.magic ?? '070701') + fields.map(hex).join(''), 'latin1');
  const start = opts.offset ?? 0;
  const afterName = start + header.length + nameBytes.length;
  const namePad = Buffer.alloc((4 - (afterName % 4)) % 4);
  const dataPad = Buffer.alloc((4 - (body.length % 4)) % 4);
  return Buffer.concat([header, nameBytes, namePad, body, dataPad]);
}

/** A whole newc archive with the trailer. */
export function newcArchive(files: { name: string; data: Buffer | string; mode?: number }[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (const f of [...files, { name: 'TRAILER!!!', data: '', mode: 0 }]) {
    const b = newcEntry(f.name, f.data, { mode: f.mode, offset });
    parts.push(b);
    offset += b.length;
  }
  return Buffer.concat(parts);
}

/** `rpm -qp --qf <format> <path>` */
export function rpmQuery(path: string, format: string): string {
  return execFileSync('rpm', ['-qp', '--nosignature', '--nodigest', '--qf', format, path], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
}

/** `rpm2cpio <path> | cpio -t`: the payload's entry names. */
export function cpioList(path: string): string[] {
  const out = execFileSync('sh', ['-c', 'rpm2cpio "$1" | cpio -t --quiet', 'sh', path], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

/** The SuppackError `p` rejects with; throws when it resolves, rejects otherwise, or the message is not one line. */
export async function oneLineRejection(p: Promise<unknown>): Promise<SuppackError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof SuppackError)) throw new Error(`expected a SuppackError, got ${e === undefined ? 'success' : String(e)}`);
  if (e.message.includes('\n')) throw new Error(`expected a one-line message, got: ${e.message}`);
  return e;
}

// ---- hostile ----
/**
 * Test-only: the reproducers of issue 19 as RPM files. Two corruptions rpm itself rejects
 * (`rpm -K --nosignature` fails) and well-formed RPMs with hostile header strings.
 */

/** A copy of `src` in `dir` as `name` with two payload bytes overwritten (in the middle of the payload). */
export function withPayloadBytesOverwritten(src: string, dir: string, name: string): string {
  const b = readFileSync(src);
  const info = parseRpm(b, src, b.length);
  const at = info.payloadOffset + Math.floor((b.length - info.payloadOffset) / 2);
  b[at] = b[at]! ^ 0xff;
  b[at + 1] = b[at + 1]! ^ 0x55;
  const out = join(dir, name);
  writeFileSync(out, b);
  return out;
}

/** A copy of `src` in `dir` as `name` whose signature header MD5 entry points one byte further. */
export function withSignatureMd5OffsetMoved(src: string, dir: string, name: string): string {
  const b = readFileSync(src);
  const il = b.readUInt32BE(LEAD_SIZE + 8);
  for (let i = 0; i < il; i++) {
    const at = LEAD_SIZE + 16 + 16 * i;
    if (b.readUInt32BE(at) === SIG_TAG.MD5) {
      b.writeInt32BE(b.readInt32BE(at + 8) + 1, at + 8);
      const out = join(dir, name);
      writeFileSync(out, b);
      return out;
    }
  }
  throw new Error(`${src} has no MD5 in its signature header`);
}

/** A well-formed noarch RPM (right digests) with the given header strings, written to `dir`/`file`. */
export function hostileRpm(dir: string, file: string, over: Partial<RpmSpecInput>): string {
  const spec: RpmSpecInput = {
    name: 'hostile',
    version: '1.0',
    release: '1',
    arch: 'noarch',
    summary: 'hostile header strings',
    description: 'test only',
    license: 'MIT',
    buildTime: 946684800,
    files: [{ path: '/opt/hostile/readme.txt', mode: 0o100644, content: Buffer.from('hi\n') }],
    ...over,
  };
  const out = join(dir, file);
  writeFileSync(out, encodeRpmUnchecked(spec));
  return out;
}

// ---- write ----
/** Test-only helpers for write.test.ts: a chroot able to run /bin/sh scriptlets, and tool runners. */

/** Runs a tool and returns stdout; throws with stderr when it exits non-zero. */
export function run(cmd: string, args: string[], input?: Buffer): string {
  return tool(cmd, args, { input }).toString();
}

/** Makes `root` an rpm root (rpmdb initialised) holding the host's /bin/sh and the shared libraries it needs. */
export function makeShellRoot(root: string): void {
  const sh = realpathSync('/bin/sh');
  const libs = execFileSync('ldd', [sh], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  for (const [src, dest] of [[sh, '/bin/sh'], ...libs.map((l) => [l, l])] as Array<[string, string]>) {
    mkdirSync(dirname(join(root, dest)), { recursive: true });
    copyFileSync(src, join(root, dest));
  }
  mkdirSync(join(root, 'tmp'), { recursive: true });
  run('rpm', ['--root', root, '--initdb']);
}

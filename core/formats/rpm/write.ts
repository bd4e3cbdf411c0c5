/**
 * Native writer of small binary RPMs (v4 format, gzip'd newc payload), no rpmbuild needed.
 * docs/formats/containers.md §4 (lead, headers, digests) and section 6 (cpio newc).
 * Layout: lead (96) | signature header + pad to 8 | main header | gzip(cpio).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { withFileAsync } from '../../base/errors';
import { writeAtomically } from '../../base/output';
import { encodeNewc, type NewcMember } from './cpio-write';
import { RPM_TYPE } from './header';
import { encodeHeader, type HeaderInput, padTo8 } from './header-write';
import { LEAD, LEAD_MAGIC, LEAD_SIZE } from './lead';
import { HEADERI18NTABLE, REGION_TAG, SIG_TAG, TAG } from './tags';
import { RPMSENSE, type RpmDependency } from './types';
import { ARCH_NUM, type RpmScriptName, type RpmSpecInput, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, validateSpec } from './write-validate';

export type { RpmScriptName, RpmSpecFile, RpmSpecInput } from './write-validate';

/** Zeros left in the signature header so rpmsign can add a signature in place (rpmbuild's size). */
export const RESERVED_SPACE = 4128;
/** The rpm release whose output this writer follows (RPMVERSION tag). */
export const WRITER_RPM_VERSION = '4.18.0';
/** RPM_HASH_SHA256 (rpm include/rpm/rpmcrypto.h), for FILEDIGESTALGO and PAYLOADDIGESTALGO. */
const HASH_SHA256 = 8;
/** RPMFILE_CONFIG (rpm include/rpm/rpmfiles.h). */
const RPMFILE_CONFIG = 1;

const SCRIPTS: ReadonlyArray<{ key: RpmScriptName; tag: number; prog: number; sense: number }> = [
  { key: 'prein', tag: TAG.PREIN, prog: TAG.PREINPROG, sense: RPMSENSE.SCRIPT_PRE },
  { key: 'postin', tag: TAG.POSTIN, prog: TAG.POSTINPROG, sense: RPMSENSE.SCRIPT_POST },
  { key: 'preun', tag: TAG.PREUN, prog: TAG.PREUNPROG, sense: RPMSENSE.SCRIPT_PREUN },
  { key: 'postun', tag: TAG.POSTUN, prog: TAG.POSTUNPROG, sense: RPMSENSE.SCRIPT_POSTUN },
  { key: 'pretrans', tag: TAG.PRETRANS, prog: TAG.PRETRANSPROG, sense: RPMSENSE.PRETRANS },
  { key: 'posttrans', tag: TAG.POSTTRANS, prog: TAG.POSTTRANSPROG, sense: RPMSENSE.POSTTRANS },
];
const SCRIPT_INTERPRETER = '/bin/sh';

/** One file as laid out in the header and payload: sorted by path, inode = position + 1. */
interface LaidOutFile {
  path: string;
  mode: number;
  data: Buffer;
  size: number;
  digest: string;
  linkTo: string;
  flags: number;
  user: string;
  group: string;
  mtime: number;
}

/** Encodes `spec` into the bytes of a .rpm file. Pure and deterministic: same input, same bytes. */
export function encodeRpm(spec: RpmSpecInput): Buffer {
  validateSpec(spec);
  return encodeRpmUnchecked(spec);
}

/**
 * encodeRpm without validateSpec: only for tests that need a well-formed RPM (right digests)
 * carrying hostile header strings, e.g. a NAME of `--eval=%(...)` (docs/security.md).
 */
export function encodeRpmUnchecked(spec: RpmSpecInput): Buffer {
  const files = layOutFiles(spec, spec.fileDigest ?? 'sha256');
  const cpio = encodeNewc(files.map((f, i): NewcMember => ({
    // docs/formats/containers.md §6: RPM payload names are `./`-prefixed, uid/gid 0, ino sequential.
    name: `.${f.path}`,
    ino: i + 1,
    mode: f.mode,
    nlink: (f.mode & S_IFMT) === S_IFDIR ? 2 : 1,
    mtime: f.mtime,
    data: f.data,
  })));
  const payload = deterministicGzip(cpio);
  const header = encodeHeader(mainHeaderEntries(spec, files, payload), REGION_TAG.HEADERIMMUTABLE);
  const signature = padTo8(encodeHeader(signatureEntries(header, payload, cpio.length), REGION_TAG.HEADERSIGNATURES));
  return Buffer.concat([encodeLead(spec), signature, header, payload]);
}

/** Encodes `spec` and writes it to `out` atomically (errors name `out`). */
export async function writeRpm(spec: RpmSpecInput, out: string): Promise<void> {
  await withFileAsync(out, async () => {
    const bytes = encodeRpm(spec);
    await writeAtomically(out, (tmp) => writeFile(tmp, bytes));
  });
}

/** `[epoch:]version-release`, as in the self-provide and the lead name. */
export function specEvr(spec: Pick<RpmSpecInput, 'epoch' | 'version' | 'release'>): string {
  return `${spec.epoch !== undefined ? `${spec.epoch}:` : ''}${spec.version}-${spec.release}`;
}

/**
 * rpm format_lead.md (the LEAD table in lead.ts): magic ED AB EE DB, format 3.0, a binary package.
 */
function encodeLead(spec: RpmSpecInput): Buffer {
  const lead = Buffer.alloc(LEAD_SIZE);
  LEAD_MAGIC.copy(lead, LEAD.magic);
  lead[LEAD.major] = 3;
  lead[LEAD.minor] = 0;
  lead.writeUInt16BE(0, LEAD.type);
  lead.writeUInt16BE(ARCH_NUM[spec.arch]!, LEAD.archnum);
  Buffer.from(`${spec.name}-${specEvr(spec)}`, 'utf8').subarray(0, LEAD.nameSize - 1).copy(lead, LEAD.name);
  lead.writeUInt16BE(1, LEAD.osnum);
  lead.writeUInt16BE(5, LEAD.signatureType);
  return lead;
}

/** docs/formats/containers.md §4 "Signature tags": digests over the main header and over header + payload. */
function signatureEntries(header: Buffer, payload: Buffer, cpioSize: number): HeaderInput[] {
  const md5 = createHash('md5').update(header).update(payload).digest();
  return [
    { tag: SIG_TAG.SHA1, type: RPM_TYPE.STRING, value: createHash('sha1').update(header).digest('hex') },
    { tag: SIG_TAG.SHA256, type: RPM_TYPE.STRING, value: createHash('sha256').update(header).digest('hex') },
    { tag: SIG_TAG.SIZE, type: RPM_TYPE.INT32, value: [header.length + payload.length] },
    { tag: SIG_TAG.MD5, type: RPM_TYPE.BIN, value: md5 },
    { tag: SIG_TAG.PAYLOADSIZE, type: RPM_TYPE.INT32, value: [cpioSize] },
    { tag: SIG_TAG.RESERVEDSPACE, type: RPM_TYPE.BIN, value: Buffer.alloc(RESERVED_SPACE) },
  ];
}

function layOutFiles(spec: RpmSpecInput, digest: 'md5' | 'sha256'): LaidOutFile[] {
  return [...spec.files]
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)))
    .map((f) => {
      const type = f.mode & S_IFMT;
      const data = type === S_IFREG ? (f.content ?? Buffer.alloc(0)) : type === S_IFLNK ? Buffer.from(f.linkTo ?? '', 'utf8') : Buffer.alloc(0);
      return {
        path: f.path,
        mode: f.mode,
        data,
        size: data.length,
        digest: type === S_IFREG ? createHash(digest).update(data).digest('hex') : '',
        linkTo: type === S_IFLNK ? (f.linkTo ?? '') : '',
        flags: f.flags ?? 0,
        user: f.user ?? 'root',
        group: f.group ?? 'root',
        mtime: f.mtime ?? spec.buildTime,
      };
    });
}

/** gzip with a fixed 10-byte member header (RFC 1952 2.3: MTIME 0, OS 3 = Unix) so output is reproducible. */
function deterministicGzip(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  gz.writeUInt32LE(0, 4);
  gz[9] = 3;
  return gz;
}

const str = (tag: number, value: string): HeaderInput => ({ tag, type: RPM_TYPE.STRING, value });
const strs = (tag: number, value: string[]): HeaderInput => ({ tag, type: RPM_TYPE.STRING_ARRAY, value });
const i18n = (tag: number, value: string): HeaderInput => ({ tag, type: RPM_TYPE.I18NSTRING, value: [value] });
const int32 = (tag: number, value: number[]): HeaderInput => ({ tag, type: RPM_TYPE.INT32, value });

/** docs/formats/containers.md §4 "Main header tags", with the set of tags rpmbuild 4.18 writes for a noarch package. */
function mainHeaderEntries(spec: RpmSpecInput, files: LaidOutFile[], payload: Buffer): HeaderInput[] {
  const evr = specEvr(spec);
  const e: HeaderInput[] = [
    strs(HEADERI18NTABLE, ['C']),
    str(TAG.NAME, spec.name),
    str(TAG.VERSION, spec.version),
    str(TAG.RELEASE, spec.release),
    i18n(TAG.SUMMARY, spec.summary),
    i18n(TAG.DESCRIPTION, spec.description),
    int32(TAG.BUILDTIME, [spec.buildTime]),
    str(TAG.BUILDHOST, spec.buildHost ?? 'suppack.invalid'),
    int32(TAG.SIZE, [files.reduce((n, f) => n + f.size, 0)]),
    str(TAG.LICENSE, spec.license),
    i18n(TAG.GROUP, spec.group ?? 'Unspecified'),
    str(TAG.OS, 'linux'),
    str(TAG.ARCH, spec.arch),
    str(TAG.SOURCERPM, `${spec.name}-${spec.version}-${spec.release}.src.rpm`),
    str(TAG.RPMVERSION, WRITER_RPM_VERSION),
    str(TAG.PLATFORM, `${spec.arch}-suppack-linux`),
    str(TAG.PAYLOADFORMAT, 'cpio'),
    str(TAG.PAYLOADCOMPRESSOR, 'gzip'),
    str(TAG.PAYLOADFLAGS, '9'),
    str(TAG.ENCODING, 'utf-8'),
    strs(TAG.PAYLOADDIGEST, [createHash('sha256').update(payload).digest('hex')]),
    int32(TAG.PAYLOADDIGESTALGO, [HASH_SHA256]),
  ];
  if (spec.epoch !== undefined) e.push(int32(TAG.EPOCH, [spec.epoch]));
  if (spec.url !== undefined) e.push(str(TAG.URL, spec.url));
  if (spec.vendor !== undefined) e.push(str(TAG.VENDOR, spec.vendor));
  if (spec.packager !== undefined) e.push(str(TAG.PACKAGER, spec.packager));
  for (const s of SCRIPTS) {
    const body = spec.scripts?.[s.key];
    if (body === undefined) continue;
    // docs/formats/containers.md §4: the *PROG tag is a string, or a string array when the interpreter has arguments.
    const prog = spec.scriptPrograms?.[s.key] ?? [SCRIPT_INTERPRETER];
    e.push(str(s.tag, body), prog.length === 1 ? str(s.prog, prog[0]!) : strs(s.prog, [...prog]));
  }
  const md5Digests = spec.fileDigest === 'md5';
  if (files.length > 0) e.push(...fileEntries(files, md5Digests));
  const hasConfig = files.some((f) => (f.flags & RPMFILE_CONFIG) !== 0);
  const configDep: RpmDependency = { name: `config(${spec.name})`, flags: RPMSENSE.CONFIG | RPMSENSE.EQUAL, version: evr };
  const provides = [...(spec.provides ?? []), { name: spec.name, flags: RPMSENSE.EQUAL, version: evr }];
  if (spec.arch === 'x86_64') provides.push({ name: `${spec.name}(x86-64)`, flags: RPMSENSE.EQUAL, version: evr });
  if (hasConfig) provides.push(configDep);
  const rpmlib = (name: string, version: string): RpmDependency => ({
    name: `rpmlib(${name})`,
    flags: RPMSENSE.RPMLIB | RPMSENSE.LESS | RPMSENSE.EQUAL,
    version,
  });
  const requires = [...(spec.requires ?? []), rpmlib('CompressedFileNames', '3.0.4-1'), rpmlib('PayloadFilesHavePrefix', '4.0-1')];
  // rpmbuild adds rpmlib(FileDigests) for any file digest algorithm but md5 (rpm build/files.c).
  if (files.length > 0 && !md5Digests) requires.push(rpmlib('FileDigests', '4.6.0-1'));
  if (hasConfig) requires.push(configDep);
  for (const s of SCRIPTS) {
    if (spec.scripts?.[s.key] === undefined) continue;
    const interpreter = spec.scriptPrograms?.[s.key]?.[0] ?? SCRIPT_INTERPRETER;
    requires.push({ name: interpreter, flags: RPMSENSE.INTERP | s.sense, version: '' });
  }
  e.push(...dependencyEntries(provides, TAG.PROVIDENAME, TAG.PROVIDEFLAGS, TAG.PROVIDEVERSION));
  e.push(...dependencyEntries(requires, TAG.REQUIRENAME, TAG.REQUIREFLAGS, TAG.REQUIREVERSION));
  e.push(...dependencyEntries(spec.conflicts ?? [], TAG.CONFLICTNAME, TAG.CONFLICTFLAGS, TAG.CONFLICTVERSION));
  e.push(...dependencyEntries(spec.obsoletes ?? [], TAG.OBSOLETENAME, TAG.OBSOLETEFLAGS, TAG.OBSOLETEVERSION));
  return e;
}

/** docs/formats/containers.md §4 "Files": parallel arrays in path order; paths as DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]. */
function fileEntries(files: LaidOutFile[], md5Digests: boolean): HeaderInput[] {
  const dirnames: string[] = [];
  const dirIndex = new Map<string, number>();
  const dirindexes = files.map((f) => {
    const dir = f.path.slice(0, f.path.lastIndexOf('/') + 1);
    let i = dirIndex.get(dir);
    if (i === undefined) {
      i = dirnames.push(dir) - 1;
      dirIndex.set(dir, i);
    }
    return i;
  });
  const each = <T>(fn: (f: LaidOutFile, i: number) => T): T[] => files.map(fn);
  const entries: HeaderInput[] = [
    int32(TAG.FILESIZES, each((f) => f.size)),
    { tag: TAG.FILEMODES, type: RPM_TYPE.INT16, value: each((f) => f.mode) },
    { tag: TAG.FILERDEVS, type: RPM_TYPE.INT16, value: each(() => 0) },
    int32(TAG.FILEMTIMES, each((f) => f.mtime)),
    strs(TAG.FILEDIGESTS, each((f) => f.digest)),
    strs(TAG.FILELINKTOS, each((f) => f.linkTo)),
    int32(TAG.FILEFLAGS, each((f) => f.flags)),
    strs(TAG.FILEUSERNAME, each((f) => f.user)),
    strs(TAG.FILEGROUPNAME, each((f) => f.group)),
    int32(TAG.FILEVERIFYFLAGS, each(() => -1)),
    int32(TAG.FILEDEVICES, each(() => 1)),
    int32(TAG.FILEINODES, each((_, i) => i + 1)),
    strs(TAG.FILELANGS, each(() => '')),
    int32(TAG.FILECOLORS, each(() => 0)),
    int32(TAG.DIRINDEXES, dirindexes),
    strs(TAG.BASENAMES, each((f) => f.path.slice(f.path.lastIndexOf('/') + 1))),
    strs(TAG.DIRNAMES, dirnames),
  ];
  // md5 is rpm's implied algorithm: rpmbuild writes no FILEDIGESTALGO for it.
  if (!md5Digests) entries.push(int32(TAG.FILEDIGESTALGO, [HASH_SHA256]));
  return entries;
}

/** NAME/FLAGS/VERSION parallel arrays, deduplicated and sorted by name, version, flags (as rpmds does). */
function dependencyEntries(deps: RpmDependency[], nameTag: number, flagsTag: number, versionTag: number): HeaderInput[] {
  const seen = new Set<string>();
  const unique = deps.filter((d) => {
    const key = `${d.name}\0${d.version}\0${d.flags}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return [];
  unique.sort(
    (a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || Buffer.compare(Buffer.from(a.version), Buffer.from(b.version)) || a.flags - b.flags,
  );
  return [strs(nameTag, unique.map((d) => d.name)), int32(flagsTag, unique.map((d) => d.flags)), strs(versionTag, unique.map((d) => d.version))];
}

/** Checks an RpmSpecInput before encodeRpm lays it out; every failure is a one-line SuppackError naming the field. */
import { SuppackError } from '../../base/errors';
import type { RpmDependency } from './types';

/** One packaged file. `mode` holds the type bits: 0o100644 regular, 0o040755 directory, 0o120777 symlink. */
export interface RpmSpecFile {
  /** Absolute path as installed, e.g. `/opt/xs/hello.txt`. */
  path: string;
  mode: number;
  /** Content of a regular file (empty when absent); must be absent for directories and links. */
  content?: Buffer;
  /** Target of a symlink; required for links, refused otherwise. */
  linkTo?: string;
  /** RPMFILE_* flags (config 1, doc 2, noreplace 16, ghost 64); default 0. */
  flags?: number;
  /** Owner names; default 'root'. */
  user?: string;
  group?: string;
  /** Seconds since 1970; default the spec's buildTime. */
  mtime?: number;
}

export type RpmScriptName = 'prein' | 'postin' | 'preun' | 'postun' | 'pretrans' | 'posttrans';

export interface RpmSpecInput {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  /** 'noarch' or 'x86_64'. */
  arch: string;
  summary: string;
  description: string;
  license: string;
  /** Default 'Unspecified'. */
  group?: string;
  url?: string;
  vendor?: string;
  packager?: string;
  /** Seconds since 1970, normally sourceDateEpoch(). */
  buildTime: number;
  /** Default 'suppack.invalid'. */
  buildHost?: string;
  requires?: RpmDependency[];
  provides?: RpmDependency[];
  conflicts?: RpmDependency[];
  obsoletes?: RpmDependency[];
  files: RpmSpecFile[];
  /** Scriptlet bodies, run by /bin/sh unless scriptPrograms names another interpreter. */
  scripts?: Partial<Record<RpmScriptName, string>>;
  /** A scriptlet's interpreter and its arguments (rpmbuild's `%pre -p PROG`), absolute path first. */
  scriptPrograms?: Partial<Record<RpmScriptName, readonly string[]>>;
  /**
   * File digest algorithm: 'sha256' (the default, rpm >= 4.6, requires rpmlib(FileDigests)) or
   * 'md5' (what rpm 4.4 checks; no FILEDIGESTALGO, no rpmlib(FileDigests)), from the target host's
   * rpm (core/xenserver/hosts.ts).
   */
  fileDigest?: 'md5' | 'sha256';
}

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

/** Lead archnum (rpm rpmrc arch_canon) per supported ARCH. */
export const ARCH_NUM: Readonly<Record<string, number>> = { noarch: 1, x86_64: 1 };

const NAME_RE = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;
const VERSION_RE = /^[A-Za-z0-9._+~^]+$/;
const OWNER_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const MAX_U32 = 0xffffffff;

export function validateSpec(spec: RpmSpecInput): void {
  const fail = (field: string, what: string): never => {
    throw new SuppackError(what, { field: `RPM spec ${field}` });
  };
  if (!NAME_RE.test(spec.name)) fail('name', `expected letters, digits and . _ + - (not starting with . or -), got ${JSON.stringify(spec.name)}`);
  if (spec.epoch !== undefined && !(Number.isInteger(spec.epoch) && spec.epoch >= 0 && spec.epoch <= 0x7fffffff)) {
    fail('epoch', `expected a non-negative integer, got ${spec.epoch}`);
  }
  for (const field of ['version', 'release'] as const) {
    if (!VERSION_RE.test(spec[field])) fail(field, `expected letters, digits and . _ + ~ ^ (no '-'), got ${JSON.stringify(spec[field])}`);
  }
  if (ARCH_NUM[spec.arch] === undefined) fail('arch', `expected one of ${Object.keys(ARCH_NUM).join(', ')}, got ${JSON.stringify(spec.arch)}`);
  for (const field of ['summary', 'license', 'group', 'url', 'vendor', 'packager', 'buildHost'] as const) {
    const v = spec[field];
    if (v === undefined && field !== 'summary' && field !== 'license') continue;
    if (typeof v !== 'string' || v.trim() === '' || /[\0\n\r]/.test(v)) fail(field, `expected a non-empty single line, got ${JSON.stringify(v)}`);
  }
  if (spec.description.includes('\0')) fail('description', 'must not contain a NUL byte');
  if (!Number.isInteger(spec.buildTime) || spec.buildTime < 0 || spec.buildTime > MAX_U32) {
    fail('buildTime', `expected seconds since 1970 that fit in 32 bits, got ${spec.buildTime}`);
  }
  for (const kind of ['requires', 'provides', 'conflicts', 'obsoletes'] as const) {
    (spec[kind] ?? []).forEach((d, i) => validateDependency(d, (what) => fail(`${kind}[${i}]`, what)));
  }
  for (const [key, body] of Object.entries(spec.scripts ?? {})) {
    if (!['prein', 'postin', 'preun', 'postun', 'pretrans', 'posttrans'].includes(key)) {
      fail(`scripts.${key}`, 'expected one of prein, postin, preun, postun, pretrans, posttrans');
    }
    if (typeof body !== 'string' || body.includes('\0')) fail(`scripts.${key}`, 'expected a script without NUL bytes');
  }
  for (const [key, prog] of Object.entries(spec.scriptPrograms ?? {})) {
    if (spec.scripts?.[key as RpmScriptName] === undefined) fail(`scriptPrograms.${key}`, 'names the interpreter of a script that is not given');
    if (!Array.isArray(prog) || prog.length === 0 || !/^\/\S+$/.test(prog[0] ?? '') || prog.some((a) => typeof a !== 'string' || a === '' || /[\0\s]/.test(a))) {
      fail(`scriptPrograms.${key}`, `expected an absolute interpreter path and words without spaces, got ${JSON.stringify(prog)}`);
    }
  }
  validateFiles(spec, fail);
}

function validateDependency(d: RpmDependency, fail: (what: string) => never): void {
  if (!/^[^\s,]+$/.test(d.name)) fail(`name: expected a non-empty name without spaces or commas, got ${JSON.stringify(d.name)}`);
  if (!Number.isInteger(d.flags) || d.flags < 0 || d.flags > MAX_U32) fail(`flags: expected RPMSENSE bits, got ${d.flags}`);
  if (d.version !== '' && !/^(\d+:)?[A-Za-z0-9._+~^]+(-[A-Za-z0-9._+~^]+)?$/.test(d.version)) {
    fail(`version: expected [epoch:]version[-release], got ${JSON.stringify(d.version)}`);
  }
  if ((d.version === '') !== ((d.flags & 15) === 0)) fail('version and flags: a version needs a comparison (LESS/GREATER/EQUAL) and vice versa');
}

function validateFiles(spec: RpmSpecInput, fail: (field: string, what: string) => never): void {
  const types = new Map<string, number>();
  spec.files.forEach((f, i) => {
    const field = `files[${i}]`;
    if (!/^(\/[^/\0\n\r]+)+$/.test(f.path) || f.path.split('/').some((c) => c === '.' || c === '..')) {
      fail(`${field}.path`, `expected an absolute normalized path like /opt/x, got ${JSON.stringify(f.path)}`);
    }
    if (types.has(f.path)) fail(`${field}.path`, `duplicate path ${f.path}`);
    const type = f.mode & S_IFMT;
    if (!Number.isInteger(f.mode) || f.mode < 0 || f.mode > 0xffff || ![S_IFREG, S_IFDIR, S_IFLNK].includes(type)) {
      fail(`${field}.mode`, `expected a regular file (0o100xxx), directory (0o040xxx) or symlink (0o120xxx) mode, got 0o${f.mode.toString(8)}`);
    }
    types.set(f.path, type);
    if (type !== S_IFREG && f.content !== undefined) fail(`${field}.content`, 'only regular files have content');
    if (type === S_IFLNK) {
      if (f.linkTo === undefined || f.linkTo === '' || /[\0\n]/.test(f.linkTo)) fail(`${field}.linkTo`, 'a symlink needs a non-empty target');
    } else if (f.linkTo !== undefined) {
      fail(`${field}.linkTo`, 'only symlinks have a target');
    }
    if (f.flags !== undefined && !(Number.isInteger(f.flags) && f.flags >= 0 && f.flags <= MAX_U32)) fail(`${field}.flags`, `expected RPMFILE bits, got ${f.flags}`);
    for (const owner of ['user', 'group'] as const) {
      const v = f[owner];
      if (v !== undefined && !OWNER_RE.test(v)) fail(`${field}.${owner}`, `expected a user/group name, got ${JSON.stringify(v)}`);
    }
    if (f.mtime !== undefined && !(Number.isInteger(f.mtime) && f.mtime >= 0 && f.mtime <= MAX_U32)) {
      fail(`${field}.mtime`, `expected seconds since 1970 that fit in 32 bits, got ${f.mtime}`);
    }
    if (f.content !== undefined && f.content.length > MAX_U32) fail(`${field}.content`, 'files of 4 GiB or more are not supported');
  });
  spec.files.forEach((f, i) => {
    for (let cut = f.path.lastIndexOf('/'); cut > 0; cut = f.path.lastIndexOf('/', cut - 1)) {
      const parent = f.path.slice(0, cut);
      const t = types.get(parent);
      if (t !== undefined && t !== S_IFDIR) fail(`files[${i}].path`, `${f.path} is inside ${parent}, which is not a directory`);
    }
  });
}

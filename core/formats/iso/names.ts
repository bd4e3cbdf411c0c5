/**
 * Name rules of the three namespaces of an `-r -J -joliet-long` image:
 * - ISO 9660 identifiers (ECMA-119 7.5, 7.6): upper-case d-chars, `NAME.EXT;1`, name+ext ≤ 30,
 *   directories ≤ 31, de-duplicated with a numeric suffix;
 * - Joliet identifiers: UCS-2BE, ≤ 103 characters (`-joliet-long`), no `* / : ; ? \` or controls;
 * - Rock Ridge NM names: the real name as UTF-8, ≤ 255 bytes.
 */
import { SuppackError } from '../../base/errors';

/** ECMA-119 7.5.1: name + extension of a file identifier (level 2). */
export const ISO_FILE_MAX = 30;
/** ECMA-119 7.6.3: directory identifier (level 2). */
export const ISO_DIR_MAX = 31;
/** `mkisofs -joliet-long` / libisofs: Joliet names up to 103 UCS-2 characters. */
export const JOLIET_MAX = 103;
/** Rock Ridge names as Linux takes them (NAME_MAX). */
export const RR_NAME_MAX = 255;
/** Extension kept when a file name has to be shortened. */
const EXT_KEEP = 10;

export interface IsoName {
  /** Name part (d-chars). */
  name: string;
  /** Extension (d-chars), '' when none; always '' for directories. */
  ext: string;
}

/** ECMA-119 7.4.1: d-characters A–Z 0–9 _; lower case is upper-cased, anything else becomes '_'. */
function dChars(s: string): string {
  let out = '';
  for (const ch of s) {
    const up = ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch;
    out += /^[A-Z0-9_]$/.test(up) ? up : '_';
  }
  return out;
}

/** The ISO name a real name mangles to before de-duplication. */
export function isoBaseName(real: string, isDir: boolean): IsoName {
  if (isDir) return { name: dChars(real).slice(0, ISO_DIR_MAX), ext: '' };
  const dot = real.lastIndexOf('.');
  let name = dot > 0 ? dChars(real.slice(0, dot)) : dChars(real);
  let ext = dot > 0 ? dChars(real.slice(dot + 1)) : '';
  if (name.length + ext.length > ISO_FILE_MAX) {
    ext = ext.slice(0, Math.min(ext.length, EXT_KEEP));
    name = name.slice(0, ISO_FILE_MAX - ext.length);
  }
  return { name, ext };
}

/**
 * The name a Linux host shows for the ISO 9660 identifier of `real` on an image with neither Rock
 * Ridge nor Joliet (the isofs default map=normal: lower case, without ";1" and without the "." of
 * a name that has no extension). Only a name it shows as itself can be found there.
 */
export function plainNameAsMounted(real: string, isDir: boolean): string {
  const n = isoBaseName(real, isDir);
  return (n.ext === '' ? n.name : `${n.name}.${n.ext}`).toLowerCase();
}

/** `base` shortened so that `suffix` fits, then `suffix` appended. */
function withSuffix(base: IsoName, suffix: string, isDir: boolean): IsoName {
  if (isDir) return { name: base.name.slice(0, ISO_DIR_MAX - suffix.length) + suffix, ext: '' };
  const ext = base.ext.slice(0, Math.min(base.ext.length, ISO_FILE_MAX - suffix.length - 1));
  return { name: base.name.slice(0, ISO_FILE_MAX - ext.length - suffix.length) + suffix, ext };
}

function key(n: IsoName, isDir: boolean): string {
  return isDir ? n.name : `${n.name}.${n.ext}`;
}

/**
 * ISO names of the children of one directory, in the order given. Deterministic: children are
 * processed in code-unit order of their real names; the first to claim a mangled name keeps it,
 * later ones get the smallest numeric suffix that is free.
 */
export function assignIsoNames(children: ReadonlyArray<{ name: string; isDir: boolean }>): IsoName[] {
  const bases = children.map((c) => isoBaseName(c.name, c.isDir));
  const taken = new Set<string>();
  bases.forEach((b, i) => taken.add(key(b, children[i].isDir)));
  const order = children.map((_, i) => i).sort((a, b) => compareCodeUnits(children[a].name, children[b].name));
  const claimed = new Set<string>();
  const out: IsoName[] = new Array<IsoName>(children.length);
  for (const i of order) {
    const isDir = children[i].isDir;
    let n = bases[i];
    if (claimed.has(key(n, isDir))) {
      for (let k = 1; ; k++) {
        const candidate = withSuffix(bases[i], String(k), isDir);
        const ck = key(candidate, isDir);
        if (!taken.has(ck) && !claimed.has(ck)) {
          n = candidate;
          break;
        }
      }
    }
    claimed.add(key(n, isDir));
    out[i] = n;
  }
  return out;
}

/** ECMA-119 9.1.11 / 7.5: the identifier bytes written in a directory record. */
export function isoIdentifier(n: IsoName, isDir: boolean): Buffer {
  return Buffer.from(isDir ? n.name : `${n.name}.${n.ext};1`, 'latin1');
}

/**
 * ECMA-119 9.3: order of directory records. Names are compared as if padded with spaces, which
 * for d-chars (all above 0x20) is plain string order; then extensions; versions are all 1.
 */
export function compareIsoNames(a: IsoName, b: IsoName): number {
  return compareCodeUnits(a.name, b.name) || compareCodeUnits(a.ext, b.ext);
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const JOLIET_FORBIDDEN = /[*/:;?\\\u0000-\u001f]/;

/** Joliet identifier (UCS-2BE) of a real name; `path` names the entry in errors. */
export function jolietIdentifier(real: string, path: string): Buffer {
  const bad = JOLIET_FORBIDDEN.exec(real);
  if (bad) {
    const shown = bad[0] < ' ' ? `control character 0x${bad[0].charCodeAt(0).toString(16).padStart(2, '0')}` : `'${bad[0]}'`;
    throw new SuppackError(`name contains ${shown}, which Joliet forbids (* / : ; ? \\ and control characters)`, {
      file: path,
      field: 'Joliet name',
    });
  }
  if (real.length > JOLIET_MAX) {
    throw new SuppackError(`name is ${real.length} characters long, Joliet allows at most ${JOLIET_MAX}`, {
      file: path,
      field: 'Joliet name',
    });
  }
  const b = Buffer.alloc(real.length * 2);
  for (let i = 0; i < real.length; i++) b.writeUInt16BE(real.charCodeAt(i), 2 * i);
  return b;
}

/** Rock Ridge NM bytes of a real name; `path` names the entry in errors. */
export function rockRidgeName(real: string, path: string): Buffer {
  const b = Buffer.from(real, 'utf8');
  if (b.length > RR_NAME_MAX) {
    throw new SuppackError(`name is ${b.length} bytes long in UTF-8, at most ${RR_NAME_MAX} are allowed`, {
      file: path,
      field: 'Rock Ridge name',
    });
  }
  return b;
}

/** RPM version comparison and naming (rpm's rpmvercmp semantics, written from its documented behaviour). */
import type { RpmInfo } from './types';

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlnum = (c: string): boolean => isDigit(c) || isAlpha(c);

/**
 * Compares two version (or release) strings the way rpm does:
 * - separators (anything but ASCII letters, digits, `~` and `^`) only split segments;
 * - `~` sorts before everything, even the end of the string (1.0~rc1 < 1.0);
 * - `^` sorts after the end of the string but before any other segment (1.0 < 1.0^git1 < 1.0.1);
 * - numeric segments compare as numbers (leading zeros ignored) and beat alphabetic ones;
 * - alphabetic segments compare byte-wise; when all segments tie, the longer string wins.
 */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): string => (k < s.length ? s[k]! : '');
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]!) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]!) && b[j] !== '~' && b[j] !== '^') j++;
    const ca = at(a, i);
    const cb = at(b, j);
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '^' || cb === '^') {
      if (ca === '') return -1;
      if (cb === '') return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '' || cb === '') break;
    const numeric = isDigit(ca);
    const inSegment = numeric ? isDigit : isAlpha;
    const si = i;
    const sj = j;
    while (i < a.length && inSegment(a[i]!)) i++;
    while (j < b.length && inSegment(b[j]!)) j++;
    let sa = a.slice(si, i);
    let sb = b.slice(sj, j);
    // Segments of different kinds: the numeric one is newer.
    if (sb === '') return numeric ? 1 : -1;
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
  }
  const restA = i < a.length;
  const restB = j < b.length;
  if (!restA && !restB) return 0;
  return restA ? 1 : -1;
}

export interface Evr {
  /** Missing means 0. */
  epoch?: number;
  version: string;
  /** Missing compares as ''. */
  release?: string;
}

/** Compares epoch (numerically, missing = 0), then version, then release with rpmvercmp. */
export function compareEvr(a: Evr, b: Evr): -1 | 0 | 1 {
  const ea = a.epoch ?? 0;
  const eb = b.epoch ?? 0;
  if (ea !== eb) return ea < eb ? -1 : 1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release ?? '', b.release ?? '');
}

/** `name-[epoch:]version-release.arch`, the epoch shown when the package has one (like rpm's %{NEVRA}). */
export function formatNevra(info: Pick<RpmInfo, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  const epoch = info.epoch === undefined ? '' : `${info.epoch}:`;
  return `${info.name}-${epoch}${info.version}-${info.release}.${info.arch}`;
}

/** The conventional file name `name-version-release.arch.rpm` (`.src.rpm` for source packages). */
export function rpmFileName(info: Pick<RpmInfo, 'name' | 'version' | 'release' | 'arch' | 'isSource'>): string {
  return `${info.name}-${info.version}-${info.release}.${info.isSource ? 'src' : info.arch}.rpm`;
}

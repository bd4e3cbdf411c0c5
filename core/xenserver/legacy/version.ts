/**
 * Pack version semantics of the installer and suppack-install (python-libs `xcp/version.py`,
 * docs/formats/xenserver.md §1.11). The pack's `install` script must implement the same rule:
 * - split at the FIRST `-`: version, then build; the build is ignored by every comparison;
 * - the version is split on `.`; all-digit arcs are numbers, others strings;
 * - arcs compare one by one; when one arc list is a prefix of the other the shorter is
 *   smaller (`1.0 < 1.0.0`);
 * - comparing a string arc is an error (Python raised TypeError), so `requires` versions must
 *   be numeric and dotted.
 */
import { SuppackError, type ErrorWhere } from '../../base/errors';
import type { LegacyTest } from './metadata';

export type XcpArc = { kind: 'number'; digits: string } | { kind: 'string'; text: string };

export interface XcpVersion {
  arcs: XcpArc[];
  /** The part after the first `-`, if any (may be ''). */
  build?: string;
}

export function parseXcpVersion(s: string): XcpVersion {
  const dash = s.indexOf('-');
  const ver = dash < 0 ? s : s.slice(0, dash);
  const arcs = ver.split('.').map(
    (a): XcpArc => (/^[0-9]+$/.test(a) ? { kind: 'number', digits: a.replace(/^0+(?=.)/, '') } : { kind: 'string', text: a }),
  );
  return dash < 0 ? { arcs } : { arcs, build: s.slice(dash + 1) };
}

export function formatXcpVersion(v: XcpVersion): string {
  const ver = v.arcs.map((a) => (a.kind === 'number' ? a.digits : a.text)).join('.');
  return v.build ? `${ver}-${v.build}` : ver;
}

/**
 * Sign of a - b (-1, 0, 1) by the rule above. Throws a SuppackError (at `where`) when a string
 * arc has to be compared, as the installer would fail.
 */
export function compareXcpVersions(a: string | XcpVersion, b: string | XcpVersion, where: ErrorWhere = {}): -1 | 0 | 1 {
  const va = typeof a === 'string' ? parseXcpVersion(a) : a;
  const vb = typeof b === 'string' ? parseXcpVersion(b) : b;
  const n = Math.min(va.arcs.length, vb.arcs.length);
  for (let i = 0; i < n; i++) {
    const x = va.arcs[i]!;
    const y = vb.arcs[i]!;
    if (x.kind !== 'number' || y.kind !== 'number') {
      const bad = x.kind === 'string' ? x.text : y.kind === 'string' ? y.text : '';
      throw new SuppackError(
        `cannot compare versions ${formatXcpVersion(va)} and ${formatXcpVersion(vb)}: arc ${JSON.stringify(bad)} is not a number; expected numeric dotted versions such as 8.2.1`,
        where,
      );
    }
    const c = compareDigits(x.digits, y.digits);
    if (c !== 0) return c;
  }
  return sign(va.arcs.length - vb.arcs.length);
}

/** `installed <test> wanted`, as suppack-install evaluates a `<requires>`. */
export function testXcpVersion(installed: string, test: LegacyTest, wanted: string, where: ErrorWhere = {}): boolean {
  const c = compareXcpVersions(installed, wanted, where);
  switch (test) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'lt':
      return c < 0;
    case 'gt':
      return c > 0;
    case 'le':
      return c <= 0;
    case 'ge':
      return c >= 0;
  }
}

/** Display symbols of the tests (python-libs OPER_MAP). */
export const XCP_TEST_SYMBOLS: Readonly<Record<LegacyTest, string>> = {
  eq: ' = ',
  ne: ' != ',
  lt: ' < ',
  gt: ' > ',
  le: ' <= ',
  ge: ' >= ',
};

// Arbitrary-size non-negative integers without leading zeros: longer is bigger, else lexical.
function compareDigits(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * The header strings of an input RPM that reach a command line: NAME, VERSION, RELEASE and ARCH
 * end up as arguments of rpm, yum/dnf and depmod on the host (install.sh runs `rpm -q` over the
 * pack's names), so every pack build checks them first with rpmbuild's own rules
 * (docs/security.md "Names from RPM headers"; rpm build/parsePreamble.c rpmCharCheck):
 *
 * - NAME: ASCII letters, digits and `. - _ +`, starting with a letter, a digit or `_`;
 * - VERSION, RELEASE: ASCII letters, digits and `. _ + ~ ^` (no `-`);
 * - ARCH: like NAME;
 * - none contains `..`, none is empty.
 *
 * rpmbuild also lets `% { }` through, because in a spec they are macros it expands; in a built
 * header they can only be an unexpanded macro (rpmbuild warns "Possible unexpanded macro"), so
 * they are refused here. A leading `-` would make rpm read the name as an option.
 */
import { SuppackError } from '../../base/errors';
import { TAG, describeTag } from './tags';
import type { RpmInfo } from './types';

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;
const VERREL_RE = /^[A-Za-z0-9._+~^]+$/;

type Field = 'name' | 'version' | 'release' | 'arch';

const RULES: Record<Field, { tag: number; re: RegExp; expected: string }> = {
  name: { tag: TAG.NAME, re: NAME_RE, expected: 'ASCII letters, digits and . - _ + starting with a letter, a digit or _' },
  version: { tag: TAG.VERSION, re: VERREL_RE, expected: 'ASCII letters, digits and . _ + ~ ^ (no -)' },
  release: { tag: TAG.RELEASE, re: VERREL_RE, expected: 'ASCII letters, digits and . _ + ~ ^ (no -)' },
  arch: { tag: TAG.ARCH, re: NAME_RE, expected: 'ASCII letters, digits and . - _ + starting with a letter, a digit or _' },
};

/** A header string as it may be shown in a one-line message: escaped, and cut when long. */
export function showHeaderString(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(cut);
}

/** Why `value` is not a valid `field` (rpmbuild's rules), or undefined when it is. */
export function rpmStringProblem(field: Field, value: string): string | undefined {
  const rule = RULES[field];
  if (value === '') return `is empty, expected ${rule.expected}`;
  if (!rule.re.test(value)) {
    const lead = value.startsWith('-') ? ' (rpm would read it as an option)' : '';
    return `${showHeaderString(value)} is not a valid package ${field}${lead}: expected ${rule.expected} (rpmbuild's rule)`;
  }
  if (value.includes('..')) return `${showHeaderString(value)} is not a valid package ${field}: ".." is not allowed (rpmbuild's rule)`;
  return undefined;
}

/**
 * Throws a one-line SuppackError naming the RPM file and the header tag when NAME, VERSION,
 * RELEASE or ARCH breaks rpmbuild's rules. Every pack build calls it for every input RPM.
 */
export function checkRpmIdentity(info: Pick<RpmInfo, 'path' | 'name' | 'version' | 'release' | 'arch'>): void {
  for (const field of ['name', 'version', 'release', 'arch'] as const) {
    const problem = rpmStringProblem(field, info[field]);
    if (problem !== undefined) {
      throw new SuppackError(problem, { file: info.path, field: `main header tag ${describeTag('main', RULES[field].tag)}` });
    }
  }
}

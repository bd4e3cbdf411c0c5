/**
 * What `suppack lint` reports: findings of the rules in rules.ts (docs/lint.md), each naming the
 * RPM and the file it is about, and the DDK guide section the rule comes from.
 */

export type Severity = 'error' | 'warning';

export interface Finding {
  /** The rule's id, e.g. `KMOD-GROUP`. */
  rule: string;
  severity: Severity;
  /** The DDK guide section, e.g. `7.1`. */
  section: string;
  /** The RPM's file name (basename), absent for a finding about the pack itself. */
  rpm?: string;
  /** The path inside the RPM (or the scriptlet, e.g. `%post`) the finding is about. */
  file?: string;
  message: string;
  /** Set when the project turned the rule off (`lint.ignore` in suppack.json): the reason given. */
  ignored?: string;
}

export interface LintReport {
  findings: Finding[];
  /** One-line facts for the reader (installed size against dom0's memory, RPMs read). */
  notes: string[];
}

/** `acme.rpm: /lib/modules/x/a.ko: message [KMOD-DIR, DDK guide 7.1]` */
export function formatFinding(f: Finding): string {
  const where = [f.rpm, f.file].filter((s) => s !== undefined && s !== '').join(': ');
  const source = f.section.includes('/') ? f.section : `DDK guide ${f.section}`;
  const tag = `[${f.rule}, ${source}${f.ignored !== undefined ? `, ignored: ${f.ignored}` : ''}]`;
  return `${f.severity}: ${where ? `${where}: ` : ''}${f.message} ${tag}`;
}

/** Errors that are not ignored: what makes lint (and build-iso) fail. */
export function failingFindings(report: LintReport): Finding[] {
  return report.findings.filter((f) => f.severity === 'error' && f.ignored === undefined);
}

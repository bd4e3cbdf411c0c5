/**
 * `suppack lint`'s one entry point, for the CLI, the Nx executor and the gulp plugin: the DDK
 * guide's rules (rules.ts, docs/lint.md) over a pack's RPMs or a built pack ISO.
 */
import { SuppackError } from '../../base/errors';
import type { LintReport } from './findings';
import { checkIgnore, lintRead, readLintRpm } from './lint';
import { previousRpms, readLintIso } from './pack-iso';
import type { LintPack, LintRpm } from './rules';
import { uninstallCheckUnavailable, uninstallLeftovers } from './uninstall';
import { checkRpmIdentity } from '../../formats/rpm/identity';

export type { Finding, LintReport, Severity } from './findings';
export { failingFindings, formatFinding } from './findings';
export { assertLintClean, formatLintReport } from './lint';
export { lintSarif } from './sarif';
export { RULES, type LintPack, type Rule } from './rules';

export interface LintRun {
  /** One pack ISO, or RPM files. */
  inputs: readonly string[];
  /** The pack's facts: required for RPM inputs, taken from the ISO otherwise. */
  pack?: Omit<LintPack, 'previous'>;
  /** The previous release's pack ISO (UPGRADE-PREVIOUS). */
  previous?: string;
  /** Rule id → reason (checked against the rule ids). */
  ignore?: Readonly<Record<string, string>>;
  /** Where `ignore` came from, for its errors (e.g. `packs/acme/suppack.json`, field `lint.ignore`). */
  ignoreWhere?: { file?: string; field?: string };
  /** Install and erase each RPM in a private root (UNINSTALL-CLEAN); RPM files only, root only. */
  uninstallCheck?: boolean;
}

export async function runLint(o: LintRun): Promise<LintReport> {
  const ignore = checkIgnore(o.ignore ?? {}, o.ignoreWhere);
  let pack: Omit<LintPack, 'previous'>;
  let rpms: LintRpm[];
  const iso = o.inputs.length === 1 && /\.iso$/i.test(o.inputs[0]!) ? o.inputs[0]! : undefined;
  if (iso !== undefined && o.uninstallCheck) throw new SuppackError('the uninstall check takes RPM files; lint the pack\'s RPMs for it', { file: iso });
  if (iso !== undefined) {
    ({ pack, rpms } = await readLintIso(iso));
  } else {
    if (o.pack === undefined) throw new SuppackError('lint needs the pack the RPMs are for (legacy with its product version, or update)');
    const isos = o.inputs.filter((i) => /\.iso$/i.test(i));
    if (isos.length > 0) throw new SuppackError(`is an ISO among RPMs; lint takes one pack ISO or RPM files`, { file: isos[0] });
    pack = o.pack;
    rpms = [];
    for (const path of o.inputs) rpms.push(await readLintRpm(path));
    if (o.uninstallCheck) {
      const why = uninstallCheckUnavailable();
      if (why !== undefined) throw new SuppackError(`cannot run the uninstall check: ${why}`);
      for (const [i, path] of o.inputs.entries()) {
        checkRpmIdentity(rpms[i]!.info);
        rpms[i] = { ...rpms[i]!, leftovers: await uninstallLeftovers(path, rpms[i]!.info.name) };
      }
    }
  }
  const previous = o.previous !== undefined ? await previousRpms(o.previous) : undefined;
  return lintRead({ ...pack, ...(previous !== undefined ? { previous } : {}) }, rpms, ignore);
}

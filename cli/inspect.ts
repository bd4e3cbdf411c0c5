/** `suppack inspect <iso>` and `suppack verify <iso>`: print what a pack holds / check it like the installer. */
import { inspectPack, verifyPack, type LegacyPackReport } from '../core/pack-report';
import { parseCommandLine, UsageError, type OptionSpec } from './args';

export const inspectUsage = `Usage: suppack inspect [--json] PACK.iso

Prints a supplemental pack's metadata: XS-REPOSITORY, its requirements and every package.`;

export const verifyUsage = `Usage: suppack verify [--json] PACK.iso

Recomputes the md5 of every package against XS-PACKAGES, like the installer's Verify button.
Exits 0 when every package is intact, 1 otherwise.`;

const options: OptionSpec = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

export async function inspectCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, options);
  if (values.help) return void out.write(`${inspectUsage}\n`), 0;
  const report = await inspectPack(oneIso(positionals));
  out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}

export async function verifyCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, options);
  if (values.help) return void out.write(`${verifyUsage}\n`), 0;
  const { report, checks, ok } = await verifyPack(oneIso(positionals));
  if (values.json) {
    out.write(`${JSON.stringify({ ok, metadataMd5: report.metadataMd5, packages: checks }, null, 2)}\n`);
  } else {
    for (const c of checks) out.write(`${c.ok ? 'OK    ' : 'FAILED'}  ${c.file}${c.ok ? '' : `: ${c.problem}`}\n`);
    out.write(`metadata md5: ${report.metadataMd5}\n`);
    const n = `${checks.length} package${checks.length === 1 ? '' : 's'}`;
    out.write(ok ? `${n} verified\n` : `${checks.filter((c) => !c.ok).length} of ${n} FAILED\n`);
  }
  return ok ? 0 : 1;
}

function oneIso(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`expected one ISO file, got ${positionals.length}`);
  return positionals[0];
}

export function formatReport(r: LegacyPackReport): string {
  const repo = r.repository;
  const lines = [
    `format:         legacy supplemental pack (XS-REPOSITORY)`,
    `volume id:      ${r.volume.volumeId}`,
    `application id: ${r.volume.applicationId}`,
    `pack:           ${repo.originator}:${repo.name} ${repo.version}${repo.build ? ` build ${repo.build}` : ''}`,
    `description:    ${repo.description}`,
    `product:        ${repo.product}`,
  ];
  if (repo.memoryRequirementMb !== undefined) lines.push(`memory:         ${repo.memoryRequirementMb} MB`);
  lines.push(`homogeneous:    ${repo.enforceHomogeneity ? 'yes' : 'no'}`);
  if (repo.hidden) lines.push('hidden:         yes');
  lines.push(`requires:       ${repo.requires.length === 0 ? '(nothing)' : ''}`);
  for (const q of repo.requires) {
    lines.push(`  ${q.originator}:${q.name} ${q.test} ${q.version}${q.build ? `-${q.build}` : ''}${q.product ? ` (${q.product})` : ''}`);
  }
  lines.push(`packages (${r.packages.length}, in install order):`);
  for (const p of r.packages) {
    const extra = [p.kernel !== undefined ? `kernel ${p.kernel}` : '', p.options ? `options ${p.options}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${p.file}  ${p.type}  label ${p.label}  ${p.size} bytes  md5 ${p.md5}${extra ? `  ${extra}` : ''}`);
  }
  if (r.otherFiles.length) lines.push(`other files:    ${r.otherFiles.join(' ')}`);
  lines.push(`metadata md5:   ${r.metadataMd5}`);
  return `${lines.join('\n')}\n`;
}

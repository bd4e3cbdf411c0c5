/** `suppack inspect <iso>` and `suppack verify <iso>`: print what a pack holds / check it like the installer. */
import { inspectPack, verifyPack, type LegacyPackReport, type MediumReport, type PackReport } from '../core';
import type { UpdatePackReport } from '../core';
import type { RpmHostSummary } from '../core';
import { UsageError } from './args';
import { commandFlags } from './flags';
import { printableStrings, redactAnswerfile } from '../core';

const flags = commandFlags({
  after: [
    { flag: 'json', help: 'the report as JSON' },
    { flag: 'help', short: 'h', help: 'show this help' },
  ],
});

export const inspectUsage = `Usage: suppack inspect [--json] PACK.iso

Prints a pack's metadata: XS-REPOSITORY, its requirements and every package (legacy packs),
or update.xml, the repo's groups and packages and the signatures present (update packs);
and for every package the oldest host rpm that can install it (rpm 4.4.2.3: XenServer 5.6-6.5;
rpm 4.11.3: XenServer 7.x, Citrix Hypervisor 8.x, XCP-ng 8.x).

${flags.usage()}`;

export const verifyUsage = `Usage: suppack verify [--json] PACK.iso

Recomputes the digest of every package like the installer does: md5 against XS-PACKAGES
(legacy packs), sha256 and size against repodata's primary.xml (update packs).
Exits 0 when every package is intact, 1 otherwise.

${flags.usage()}`;

export async function inspectCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { own: values, positionals } = flags.parse(argv);
  if (values.help) return void out.write(`${inspectUsage}\n`), 0;
  const found = await inspectPack(oneIso(positionals));
  // The answerfile's root password never reaches the output (docs/security.md).
  const report = found.format === 'installer' && typeof found.answerfile === 'string' ? { ...found, answerfile: redactAnswerfile(found.answerfile) } : found;
  // As text, what the ISO holds is shown with its control characters escaped (docs/security.md).
  out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(printableStrings(report, new Set(['answerfile']))));
  return 0;
}

export async function verifyCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { own: values, positionals } = flags.parse(argv);
  if (values.help) return void out.write(`${verifyUsage}\n`), 0;
  const { report, checks, ok } = await verifyPack(oneIso(positionals));
  if (values.json) {
    const extra = report.format === 'legacy' ? { metadataMd5: report.metadataMd5 } : { format: 'update' };
    out.write(`${JSON.stringify({ ok, ...extra, packages: checks }, null, 2)}\n`);
  } else {
    for (const c of printableStrings(checks)) out.write(`${c.ok ? 'OK    ' : 'FAILED'}  ${c.file}${c.ok ? '' : `: ${c.problem}`}\n`);
    if (report.format === 'legacy') out.write(`metadata md5: ${report.metadataMd5}\n`);
    // Update packs: the repodata files repomd.xml lists are checked too.
    const what = report.format === 'update' ? 'file' : 'package';
    const n = `${checks.length} ${what}${checks.length === 1 ? '' : 's'}`;
    out.write(ok ? `${n} verified\n` : `${checks.filter((c) => !c.ok).length} of ${n} FAILED\n`);
  }
  return ok ? 0 : 1;
}

function oneIso(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`expected one ISO file, got ${positionals.length}`);
  return positionals[0];
}

export function formatReport(r: PackReport): string {
  if (r.format === 'legacy') return formatLegacyReport(r);
  if (r.format === 'update') return formatUpdateReport(r);
  return formatMediumReport(r);
}

function formatMediumReport(r: MediumReport): string {
  const lines = [
    `format:         ${r.format === 'installer' ? 'installer ISO' : 'combined legacy packs'}`,
    `volume id:      ${r.volume.volumeId}`,
  ];
  if (r.repositoryList) lines.push(`repository list: ${r.repositoryList.join(' ') || '(empty)'}`);
  lines.push(`repositories (${r.repositories.length}):`);
  for (const p of r.repositories) {
    const repo = p.repository;
    lines.push(`  ${p.directory || '.'}/  ${repo.originator}:${repo.name} ${repo.version}  ${p.packages.length} package(s)  metadata md5 ${p.metadataMd5}`);
    for (const h of p.rpmHosts) lines.push(`    ${formatRpmHost(h)}`);
  }
  if (r.format === 'installer') {
    lines.push('boot entries:');
    for (const b of r.boot) {
      lines.push(`  ${b.menu}: ${b.name} (${b.kind === 'other' ? 'not Xen' : `Xen ${b.kind}`}${b.loader ? `, ${b.loader}` : ''})`);
      if (b.hypervisor !== undefined) lines.push(`    hypervisor: ${b.hypervisor}`);
      if (b.kind !== 'other') lines.push(`    dom0:       ${b.dom0 ?? '(none: no module after the hypervisor)'}`);
      if (b.boots !== undefined) lines.push(`    boots:      ${b.boots}`);
    }
    lines.push(r.answerfile == null ? 'answerfile:     (none in install.img)' : `answerfile:     /answerfile.xml in install.img\n${r.answerfile.replace(/\n$/, '')}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatUpdateReport(r: UpdatePackReport): string {
  const u = r.update;
  const lines = [
    `format:         ${r.driverDisk ? 'driver disk' : 'update'} (update.xml + yum repo)`,
    `volume id:      ${r.volume.volumeId}`,
    `update:         ${u.label} ${u.version}`,
    `uuid:           ${u.uuid}`,
    `description:    ${u.description}`,
    `after apply:    ${u.afterApply.length ? u.afterApply.join(', ') : '(nothing)'}`,
    `install size:   ${u.installationSize} bytes`,
    `control:        ${u.control ?? '(none)'}`,
    `key:            ${u.key ?? '(unsigned)'}`,
    `homogeneous:    ${u.enforceHomogeneity ? 'yes' : 'no'}`,
    `signatures:     update.xml.asc ${r.signatures.updateXml ? 'present' : 'absent'}, repomd.xml.asc ${r.signatures.repomd ? 'present' : 'absent'}` +
      (r.signatures.updateXml || r.signatures.repomd ? ' (not checked here: suppack verify checks them)' : ''),
    `groups:         ${r.groups.join(', ') || '(none)'}`,
  ];
  for (const x of u.rollups) lines.push(`rolls up:       ${x}`);
  lines.push(`packages (${r.packages.length}):`);
  for (const p of r.packages) lines.push(`  ${p.href}  ${p.size} bytes  sha256 ${p.sha256}`);
  lines.push(...formatRpmHosts(r.rpmHosts ?? []));
  return `${lines.join('\n')}\n`;
}

/** One line per RPM: the oldest host rpm that installs it (docs/hosts.md). */
function formatRpmHosts(hosts: RpmHostSummary[]): string[] {
  if (hosts.length === 0) return [];
  return [
    'oldest host rpm that installs each package:',
    ...hosts.map((h) => `  ${formatRpmHost(h)}`),
  ];
}

function formatRpmHost(h: RpmHostSummary): string {
  return `${h.file}  ${h.oldestRpm === null ? `none: ${h.hosts}` : `rpm ${h.oldestRpm} (${h.hosts})`}`;
}

function formatLegacyReport(r: LegacyPackReport): string {
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
  lines.push(...formatRpmHosts(r.rpmHosts));
  if (r.otherFiles.length) lines.push(`other files:    ${r.otherFiles.join(' ')}`);
  lines.push(`metadata md5:   ${r.metadataMd5}`);
  return `${lines.join('\n')}\n`;
}

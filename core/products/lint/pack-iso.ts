/**
 * A built pack ISO as lint input: the pack's own facts from its metadata (XS-REPOSITORY or
 * update.xml) and each RPM read from the ISO in one pass (lint.ts, readLintRpmStream).
 */
import { openIso } from '../../formats/iso/reader';
import { targetHost, targetPlatform } from '../../xenserver/hosts';
import { inspectPack } from '../report/pack-report';
import { SuppackError } from '../../base/errors';
import { readLintRpmStream } from './lint';
import type { LintPack, LintRpm, PreviousRpm } from './rules';

export interface LintIso {
  pack: Omit<LintPack, 'previous'>;
  rpms: LintRpm[];
}

/** Reads a legacy or update pack ISO for lint; a combined pack or an installer ISO is refused. */
export async function readLintIso(isoPath: string): Promise<LintIso> {
  const report = await inspectPack(isoPath);
  let pack: LintIso['pack'];
  let files: string[];
  if (report.format === 'legacy') {
    const r = report.repository;
    const selector = {
      format: 'legacy' as const,
      pack: { product: r.product === 'XCP' ? ('XCP' as const) : ('XenServer' as const), requires: r.requires.map((q) => ({ originator: q.originator, name: q.name, test: q.test, version: q.version })) },
    };
    pack = {
      format: 'legacy',
      vendorCode: r.originator,
      // The vendor name is the ISO's application id (build-supplemental-pack --vendor-name).
      vendorName: report.volume.applicationId || undefined,
      version: r.version,
      platform: targetPlatform(selector),
      host: targetHost(selector),
      memMiB: r.memoryRequirementMb,
    };
    files = report.packages.filter((p) => p.type !== 'tbz2').map((p) => (report.directory ? `${report.directory}/${p.file}` : p.file));
  } else if (report.format === 'update') {
    pack = { format: 'update', version: report.update.version, host: targetHost({ format: 'update' }) };
    files = report.packages.map((p) => p.href);
  } else {
    throw new SuppackError(`is ${report.format === 'combined' ? 'a combined pack' : 'an installer ISO'}; lint checks one pack at a time (lint each pack ISO, or its RPMs)`, { file: isoPath });
  }
  const iso = await openIso(isoPath);
  try {
    const rpms: LintRpm[] = [];
    for (const file of files) {
      const entry = iso.lookup(file);
      if (!entry || entry.kind !== 'file') throw new SuppackError(`lists ${file}, which is not on the ISO (run suppack verify)`, { file: isoPath });
      const rpm = await readLintRpmStream(iso.createReadStream(entry), entry.size, `${isoPath}: ${file}`);
      rpms.push({ ...rpm, name: file.slice(file.lastIndexOf('/') + 1) });
    }
    return { pack, rpms };
  } finally {
    await iso.close();
  }
}

/** The RPM names and versions of a previous release's pack ISO (UPGRADE-PREVIOUS). */
export async function previousRpms(isoPath: string): Promise<PreviousRpm[]> {
  const { rpms } = await readLintIso(isoPath);
  return rpms.map((r) => ({ name: r.info.name, epoch: r.info.epoch, version: r.info.version, release: r.info.release }));
}

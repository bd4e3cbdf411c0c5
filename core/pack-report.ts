/**
 * Reading a pack ISO back: what `suppack inspect` shows and what `suppack verify` checks
 * (the installer's Verify button: every package's md5 against XS-PACKAGES, formats.md 1.6, 1.9).
 */
import { createHash } from 'node:crypto';
import { SuppackError } from './errors';
import { openIso, type IsoImage, type IsoVolume } from './iso';
import { checkUpdate, updateReport, type UpdatePackReport, type UpdatePackageCheck } from './update/report';
import { parseXsPackages, parseXsRepository, type LegacyPackage, type LegacyRepository } from './legacy';

/** Metadata files are small; anything bigger is not a pack's metadata. */
const MAX_METADATA_BYTES = 16 << 20;

export interface LegacyPackReport {
  format: 'legacy';
  volume: Pick<IsoVolume, 'volumeId' | 'applicationId' | 'publisherId'>;
  /** Directory of the repository inside the ISO ('' for the root). */
  directory: string;
  repository: LegacyRepository;
  packages: LegacyPackage[];
  /** The installer's "MD5 hash" of the pack: md5(XS-REPOSITORY ‖ XS-PACKAGES). */
  metadataMd5: string;
  /** Other files at the repository's level (install scripts, docs). */
  otherFiles: string[];
}

export interface PackageCheck {
  file: string;
  ok: boolean;
  /** What is wrong, when not ok. */
  problem?: string;
  md5?: string;
}

export type PackReport = LegacyPackReport | UpdatePackReport;

export async function inspectPack(isoPath: string): Promise<PackReport> {
  const iso = await openIso(isoPath);
  try {
    return iso.lookup('update.xml') ? await updateReport(iso, isoPath) : await legacyReport(iso, isoPath);
  } finally {
    await iso.close();
  }
}

export type PackVerification =
  | { report: LegacyPackReport; checks: PackageCheck[]; ok: boolean }
  | { report: UpdatePackReport; checks: UpdatePackageCheck[]; ok: boolean };

/** Legacy packs: md5 of every package against XS-PACKAGES; update packs: sha256 against primary.xml. */
export async function verifyPack(isoPath: string): Promise<PackVerification> {
  const iso = await openIso(isoPath);
  try {
    if (iso.lookup('update.xml')) {
      const report = await updateReport(iso, isoPath);
      const checks = await checkUpdate(iso, report);
      return { report, checks, ok: checks.every((c) => c.ok) };
    }
    const report = await legacyReport(iso, isoPath);
    const checks: PackageCheck[] = [];
    for (const p of report.packages) checks.push(await checkPackage(iso, report.directory, p));
    return { report, checks, ok: checks.every((c) => c.ok) };
  } finally {
    await iso.close();
  }
}

async function legacyReport(iso: IsoImage, isoPath: string): Promise<LegacyPackReport> {
  if (!iso.lookup('XS-REPOSITORY') || !iso.lookup('XS-PACKAGES')) {
    throw new SuppackError('no XS-REPOSITORY and XS-PACKAGES, nor update.xml, at the top level: not a supplemental pack', { file: isoPath });
  }
  const repoBytes = await iso.readFile('XS-REPOSITORY', MAX_METADATA_BYTES);
  const pkgBytes = await iso.readFile('XS-PACKAGES', MAX_METADATA_BYTES);
  const repository = parseXsRepository(repoBytes.toString('utf8'), `${isoPath}: XS-REPOSITORY`);
  const packages = parseXsPackages(pkgBytes.toString('utf8'), `${isoPath}: XS-PACKAGES`);
  const listed = new Set(['XS-REPOSITORY', 'XS-PACKAGES', ...packages.map((p) => p.file)]);
  return {
    format: 'legacy',
    volume: { volumeId: iso.volume.volumeId, applicationId: iso.volume.applicationId, publisherId: iso.volume.publisherId },
    directory: '',
    repository,
    packages,
    metadataMd5: createHash('md5').update(repoBytes).update(pkgBytes).digest('hex'),
    otherFiles: iso
      .readdir('')
      .map((e) => e.name)
      .filter((n) => !listed.has(n))
      .sort(),
  };
}

async function checkPackage(iso: IsoImage, dir: string, p: LegacyPackage): Promise<PackageCheck> {
  const path = dir ? `${dir}/${p.file}` : p.file;
  const entry = iso.lookup(path);
  if (!entry || entry.kind !== 'file') return { file: p.file, ok: false, problem: 'missing from the ISO' };
  if (entry.size !== p.size) {
    return { file: p.file, ok: false, problem: `size ${entry.size} bytes, XS-PACKAGES says ${p.size}` };
  }
  const hash = createHash('md5');
  for await (const chunk of iso.createReadStream(entry) as AsyncIterable<Buffer>) hash.update(chunk);
  const md5 = hash.digest('hex');
  if (md5 !== p.md5) return { file: p.file, ok: false, md5, problem: `md5 ${md5}, XS-PACKAGES says ${p.md5}` };
  return { file: p.file, ok: true, md5 };
}

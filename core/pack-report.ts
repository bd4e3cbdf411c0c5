/**
 * Reading a pack ISO back: what `suppack inspect` shows and what `suppack verify` checks
 * (the installer's Verify button: every package's md5 against XS-PACKAGES, formats.md 1.6, 1.9).
 */
import { createHash } from 'node:crypto';
import { SuppackError } from './errors';
import { caseInsensitiveNames, openIso, type IsoImage, type IsoVolume } from './iso';
import { promises as fsp } from 'node:fs';
import { REPOSITORY_LIST, grubEntries, isolinuxEntries, parseRepositoryList, type BootEntry } from './installer';
import { checkUpdate, updateReport, type UpdatePackReport, type UpdatePackageCheck } from './update/report';
import { injectedAnswerfile } from './installer/injected';
import { checkRpmIdentity, verifyRpmStream } from './rpm';
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

/** An installer ISO, or a combined pack: several legacy repositories on one medium (formats.md 1.9, 3, 5). */
export interface MediumReport {
  format: 'installer' | 'combined';
  volume: Pick<IsoVolume, 'volumeId' | 'applicationId' | 'publisherId'>;
  /** XS-REPOSITORY-LIST, when present. */
  repositoryList?: string[];
  /** Every legacy repository the installer would find, in its search order. */
  repositories: LegacyPackReport[];
  /** Installer only: the boot menu entries and their dom0 command lines. */
  boot: BootEntry[];
  /** Installer only: the answerfile appended to install.img, or null when there is none. */
  answerfile?: string | null;
}

export type PackReport = LegacyPackReport | UpdatePackReport | MediumReport;

export async function inspectPack(isoPath: string): Promise<PackReport> {
  // Plain ISO 9660 names are matched without regard to case, as rebuild-iso and a Linux mount do.
  const iso = caseInsensitiveNames(await openIso(isoPath));
  try {
    return await reportOf(iso, isoPath);
  } finally {
    await iso.close();
  }
}

async function reportOf(iso: IsoImage, isoPath: string): Promise<PackReport> {
  if (iso.lookup('update.xml')) return updateReport(iso, isoPath);
  const installer = iso.lookup('install.img') !== undefined;
  if (installer || iso.lookup(REPOSITORY_LIST)) return mediumReport(iso, isoPath, installer);
  return legacyReport(iso, isoPath);
}

/** formats.md 1.9: the installer's candidate directories, then each line of XS-REPOSITORY-LIST. */
const CANDIDATE_DIRS = ['', 'packages', 'packages.main', 'packages.linux', 'packages.site'];

async function mediumReport(iso: IsoImage, isoPath: string, installer: boolean): Promise<MediumReport> {
  const listEntry = iso.lookup(REPOSITORY_LIST);
  const repositoryList = listEntry ? parseRepositoryList(await iso.readFile(REPOSITORY_LIST, MAX_METADATA_BYTES), `${isoPath}: ${REPOSITORY_LIST}`) : undefined;
  const dirs = [...new Set([...CANDIDATE_DIRS, ...(repositoryList ?? [])])];
  const repositories: LegacyPackReport[] = [];
  for (const d of dirs) {
    const at = (f: string) => (d === '' ? f : `${d}/${f}`);
    if (iso.lookup(at('XS-REPOSITORY')) && iso.lookup(at('XS-PACKAGES'))) repositories.push(await legacyReport(iso, isoPath, d));
  }
  const report: MediumReport = {
    format: installer ? 'installer' : 'combined',
    volume: { volumeId: iso.volume.volumeId, applicationId: iso.volume.applicationId, publisherId: iso.volume.publisherId },
    ...(repositoryList ? { repositoryList } : {}),
    repositories,
    boot: [],
  };
  if (installer) {
    const menus = iso.entries().filter((e) => e.kind === 'file' && (/^boot\/isolinux\/isolinux\.cfg$/i.test(e.path) || /^EFI\/[^/]+\/grub[^/]*\.cfg$/i.test(e.path)));
    for (const m of menus) {
      const text = (await iso.readFile(m.path, MAX_METADATA_BYTES)).toString('utf8');
      report.boot.push(...(/isolinux/i.test(m.path) ? isolinuxEntries(text, m.path) : grubEntries(text, m.path)));
    }
    report.answerfile = await injectedAnswerfile(iso, isoPath);
  }
  return report;
}

export type PackVerification =
  | { report: LegacyPackReport | MediumReport; checks: PackageCheck[]; ok: boolean }
  | { report: UpdatePackReport; checks: UpdatePackageCheck[]; ok: boolean };

/** Legacy packs: md5 of every package against XS-PACKAGES; update packs: sha256 against primary.xml. */
export async function verifyPack(isoPath: string): Promise<PackVerification> {
  // Plain ISO 9660 names are matched without regard to case, as rebuild-iso and a Linux mount do.
  const iso = caseInsensitiveNames(await openIso(isoPath));
  try {
    const report = await reportOf(iso, isoPath);
    if (report.format === 'update') {
      const checks = await checkUpdate(iso, report);
      return { report, checks, ok: checks.every((c) => c.ok) };
    }
    const checks: PackageCheck[] = [];
    const repos = report.format === 'legacy' ? [report] : report.repositories;
    for (const r of repos) for (const p of r.packages) checks.push(await checkPackage(iso, r.directory, p));
    if (report.format !== 'legacy') {
      for (const d of report.repositoryList ?? []) {
        if (!report.repositories.some((r) => r.directory === d)) {
          checks.push({ file: `${d}/`, ok: false, problem: `listed in ${REPOSITORY_LIST} but has no XS-REPOSITORY and XS-PACKAGES` });
        }
      }
    }
    return { report, checks, ok: checks.every((c) => c.ok) };
  } finally {
    await iso.close();
  }
}

async function legacyReport(iso: IsoImage, isoPath: string, directory = ''): Promise<LegacyPackReport> {
  const at = (f: string) => (directory === '' ? f : `${directory}/${f}`);
  if (!iso.lookup(at('XS-REPOSITORY')) || !iso.lookup(at('XS-PACKAGES'))) {
    throw new SuppackError('no XS-REPOSITORY and XS-PACKAGES, nor update.xml, at the top level: not a supplemental pack', { file: isoPath });
  }
  const repoBytes = await iso.readFile(at('XS-REPOSITORY'), MAX_METADATA_BYTES);
  const pkgBytes = await iso.readFile(at('XS-PACKAGES'), MAX_METADATA_BYTES);
  const repository = parseXsRepository(repoBytes.toString('utf8'), `${isoPath}: ${at('XS-REPOSITORY')}`);
  const packages = parseXsPackages(pkgBytes.toString('utf8'), `${isoPath}: ${at('XS-PACKAGES')}`);
  const listed = new Set(['XS-REPOSITORY', 'XS-PACKAGES', ...packages.map((p) => p.file)]);
  return {
    format: 'legacy',
    volume: { volumeId: iso.volume.volumeId, applicationId: iso.volume.applicationId, publisherId: iso.volume.publisherId },
    directory,
    repository,
    packages,
    metadataMd5: createHash('md5').update(repoBytes).update(pkgBytes).digest('hex'),
    otherFiles: iso
      .readdir(directory)
      .map((e) => e.name)
      .filter((n) => !listed.has(n))
      .sort(),
  };
}

async function checkPackage(iso: IsoImage, dir: string, p: LegacyPackage): Promise<PackageCheck> {
  const path = dir ? `${dir}/${p.file}` : p.file;
  const entry = iso.lookup(path);
  if (!entry || entry.kind !== 'file') return { file: path, ok: false, problem: 'missing from the ISO' };
  if (entry.size !== p.size) {
    return { file: path, ok: false, problem: `size ${entry.size} bytes, XS-PACKAGES says ${p.size}` };
  }
  const stream = iso.createReadStream(entry) as AsyncIterable<Buffer>;
  if (p.type !== 'rpm' && p.type !== 'driver-rpm') {
    const hash = createHash('md5');
    for await (const chunk of stream) hash.update(chunk);
    const md5 = hash.digest('hex');
    if (md5 !== p.md5) return { file: path, ok: false, md5, problem: `md5 ${md5}, XS-PACKAGES says ${p.md5}` };
    return { file: path, ok: true, md5 };
  }
  // One read: the md5 the installer checks, and the RPM's own digests and names (rpm -K, rpmbuild rules).
  const verdict = await verifyRpmStream(stream, path, entry.size, ['md5'], checkRpmIdentity);
  const md5 = verdict.hex.md5!;
  if (md5 !== p.md5) return { file: path, ok: false, md5, problem: `md5 ${md5}, XS-PACKAGES says ${p.md5}` };
  if (verdict.problem !== undefined) return { file: path, ok: false, md5, problem: verdict.problem };
  return { file: path, ok: true, md5 };
}

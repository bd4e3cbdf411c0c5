/**
 * Reading a pack ISO back: what `suppack inspect` shows and what `suppack verify` checks
 * (the installer's Verify button: every package's md5 against XS-PACKAGES, docs/formats/xenserver.md §1.6, 1.9).
 */
import { createHash } from 'node:crypto';
import { SuppackError } from '../../base/errors';
import { FileDigester, caseInsensitiveNames, digesterPays, openIso, type IsoImage, type IsoVolume } from '../../formats/iso';
import { closeSync, fstatSync, promises as fsp } from 'node:fs';
import { REPOSITORY_LIST, detectInstallerLayout, parseRepositoryList, readInstallerMenus, type EntryKind } from '../../xenserver/installer';
import { checkUpdate, updateReport, type UpdatePackReport, type UpdatePackageCheck } from '../../xenserver/update/report';
import { injectedAnswerfile } from '../../xenserver/installer/injected';
import { checkRpmDigest, checkRpmIdentity, readRpmHeadAt, rpmDigestPlan, verifyRpmStream, type RpmDigestRange, type RpmInfo } from '../../formats/rpm';
import { openInputSync } from '../../base/open-input';
import { parseXsPackages, parseXsRepository, type LegacyPackage, type LegacyRepository } from '../../xenserver/legacy';
import { decodeXmlBytes } from '../../formats/xml/encoding';
import { streamRpmHostFacts, summarizeRpmHosts, type RpmHostSummary } from '../../xenserver/host-check';

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
  /** Per package, the oldest host rpm that can install it (docs/hosts.md). */
  rpmHosts: RpmHostSummary[];
}

export interface PackageCheck {
  file: string;
  ok: boolean;
  /** What is wrong, when not ok. */
  problem?: string;
  md5?: string;
}

/** An installer ISO, or a combined pack: several legacy repositories on one medium (docs/formats/xenserver.md §1.9, 3, 5). */
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

/** One boot menu entry as `inspect` shows it (docs/cli/rebuild-iso.md, "Boot menus"). */
export interface BootEntry {
  /** The menu: an ISO path, or `<FAT image>:<path>` for a copy inside an El Torito image. */
  menu: string;
  /** isolinux LABEL or GRUB title, with its submenus (`advanced-options>common-criteria-prep`). */
  name: string;
  kind: EntryKind;
  /** mboot.c32, multiboot2, xen_hypervisor, multiboot, linux, chainloader, LOCALBOOT... */
  loader?: string;
  /** Xen entries: the hypervisor line (image and arguments). */
  hypervisor?: string;
  /** Xen entries: the dom0 kernel line (image and arguments). */
  dom0?: string;
  /** Other entries: what they boot. */
  boots?: string;
}

function unlessRefused<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SuppackError) return undefined;
    throw e;
  }
}

export type PackReport = LegacyPackReport | UpdatePackReport | MediumReport;

export async function inspectPack(isoPath: string): Promise<PackReport> {
  // Plain ISO 9660 names are matched without regard to case, as rebuild-iso and a Linux mount do.
  const iso = caseInsensitiveNames(await openIso(isoPath));
  try {
    const report = await reportOf(iso, isoPath);
    if (report.format === 'update') return { ...report, rpmHosts: await rpmHostsOf(iso, isoPath, report.packages.map((p) => p.href)) };
    for (const r of report.format === 'legacy' ? [report] : report.repositories) {
      r.rpmHosts = await rpmHostsOf(iso, isoPath, r.packages.map((p) => (r.directory === '' ? p.file : `${r.directory}/${p.file}`)));
    }
    return report;
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

/** docs/formats/xenserver.md §1.9: the installer's candidate directories, then each line of XS-REPOSITORY-LIST. */
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
    const paths = iso.entries().filter((e) => e.kind === 'file').map((e) => e.path);
    // An install.img without any boot menu has no entries to show (detectInstallerLayout refuses it).
    const layout = unlessRefused(() => detectInstallerLayout(paths, isoPath)) ?? { grubCfgs: [] };
    const { menus } = await readInstallerMenus(iso, isoPath, layout);
    for (const m of menus) {
      for (const e of m.menu.entries) {
        report.boot.push({
          menu: m.file,
          name: e.path,
          kind: e.kind,
          ...(e.loader !== undefined ? { loader: e.loader } : {}),
          ...(e.hypervisor !== undefined ? { hypervisor: e.hypervisor } : {}),
          ...(e.dom0 !== undefined ? { dom0: e.dom0 } : {}),
          ...(e.boots !== undefined ? { boots: e.boots } : {}),
        });
      }
    }
    report.answerfile = await injectedAnswerfile(iso, isoPath);
  }
  return report;
}

export type PackVerification =
  | { report: LegacyPackReport | MediumReport; checks: PackageCheck[]; ok: boolean }
  | { report: UpdatePackReport; checks: UpdatePackageCheck[]; ok: boolean };

/**
 * Legacy packs: md5 of every package against XS-PACKAGES; update packs: sha256 against
 * primary.xml. `fileDigester` (@internal, for tests): hash a legacy pack's packages with a
 * FileDigester always (true) or never (false); by default once it pays.
 */
export async function verifyPack(isoPath: string, { fileDigester }: { fileDigester?: boolean } = {}): Promise<PackVerification> {
  // Plain ISO 9660 names are matched without regard to case, as rebuild-iso and a Linux mount do.
  const iso = caseInsensitiveNames(await openIso(isoPath));
  try {
    const report = await reportOf(iso, isoPath);
    if (report.format === 'update') {
      const checks = await checkUpdate(iso, report);
      return { report, checks, ok: checks.every((c) => c.ok) };
    }
    const repos = report.format === 'legacy' ? [report] : report.repositories;
    const checks = await checkPackages(iso, isoPath, repos.flatMap((r) => r.packages.map((p) => ({ dir: r.directory, p }))), fileDigester);
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
  // decoded as the installer's parser does (an encoding declaration honoured)
  const repository = parseXsRepository(decodeXmlBytes(repoBytes, `${isoPath}: ${at('XS-REPOSITORY')}`).text, `${isoPath}: ${at('XS-REPOSITORY')}`);
  const packages = parseXsPackages(decodeXmlBytes(pkgBytes, `${isoPath}: ${at('XS-PACKAGES')}`).text, `${isoPath}: ${at('XS-PACKAGES')}`);
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
    rpmHosts: [], // filled by inspectPack (verify reads no headers)
  };
}

/** The oldest host rpm of each RPM in the ISO that is there (a missing one is verify's business). */
async function rpmHostsOf(iso: IsoImage, isoPath: string, paths: string[]): Promise<RpmHostSummary[]> {
  const out: RpmHostSummary[] = [];
  for (const path of paths) {
    const entry = iso.lookup(path);
    if (!entry || entry.kind !== 'file') continue;
    try {
      const facts = await streamRpmHostFacts(iso.createReadStream(entry), entry.size, `${isoPath}: ${path}`);
      out.push(summarizeRpmHosts(path, facts));
    } catch (e) {
      // A damaged package is verify's finding; inspect still shows the rest.
      if (!(e instanceof SuppackError)) throw e;
      out.push({ file: path, oldestRpm: null, hosts: `unreadable: ${e.message}` });
    }
  }
  return out;
}

/** A package whose bytes the FileDigester hashes, and what its head said. */
interface Digested {
  index: number;
  path: string;
  p: LegacyPackage;
  at: number;
  size: number;
  /** An RPM's headers as read, and the digests of its other bytes to check. */
  rpm?: { info: RpmInfo; checks: RpmDigestRange[] };
  /** What is wrong with an RPM's headers (then only its md5 is computed). */
  problem?: string;
}

/**
 * checkPackage of every package, in order. The packages stored in one extent are hashed by a
 * FileDigester over the image, several at a time (an RPM's md5 and rpm's own MD5 side by side in
 * its lanes: docs/formats/containers.md §3, "Lanes across files"), once they are enough to pay for
 * it; the others one by one from a stream, as checkPackage does.
 */
async function checkPackages(iso: IsoImage, isoPath: string, packages: ReadonlyArray<{ dir: string; p: LegacyPackage }>, fileDigester?: boolean): Promise<PackageCheck[]> {
  const out: Array<PackageCheck | undefined> = new Array(packages.length);
  const digested: Digested[] = [];
  packages.forEach(({ dir, p }, index) => {
    const path = dir ? `${dir}/${p.file}` : p.file;
    const entry = iso.lookup(path);
    if (!entry || entry.kind !== 'file') out[index] = { file: path, ok: false, problem: 'missing from the ISO' };
    else if (entry.size !== p.size) out[index] = { file: path, ok: false, problem: `size ${entry.size} bytes, XS-PACKAGES says ${p.size}` };
    else if (entry.extents.length === 1 && entry.size > 0) digested.push({ index, path, p, at: entry.extents[0]!.lba * iso.volume.blockSize, size: entry.size });
  });
  const bytes = digested.reduce((n, d) => n + d.size, 0);
  if (digested.length > 0 && (fileDigester === undefined ? digesterPays(bytes) : fileDigester && digesterPays(Infinity))) {
    const fd = openInputSync(isoPath);
    try {
      for (const d of digested) {
        if (d.p.type !== 'rpm' && d.p.type !== 'driver-rpm') continue;
        try {
          const head = readRpmHeadAt(fd, d.at, d.size, d.path);
          d.rpm = { info: head.info, checks: rpmDigestPlan(head.bytes, head.info, head.headers) };
        } catch (e) {
          d.problem = rpmProblem(e, d.path);
        }
      }
      const requests = (d: Digested) => [{ algorithm: 'md5' }, ...(d.rpm?.checks ?? []).map((c) => ({ algorithm: c.algorithm, from: c.start }))];
      const digester = new FileDigester(fd, isoPath, digested.map((d) => ({ at: d.at, size: d.size, requests: requests(d) })));
      try {
        digester.written(fstatSync(fd).size);
        for (const [k, d] of digested.entries()) out[d.index] = judge(d, await digester.result(k));
      } finally {
        await digester.close();
      }
    } finally {
      closeSync(fd);
    }
  }
  for (const [index, { dir, p }] of packages.entries()) out[index] ??= await checkPackage(iso, dir, p);
  return out as PackageCheck[];
}

/** A digested package's check from its digests (md5, then its RPM checks in order), as checkPackage judges it. */
function judge(d: Digested, hex: string[]): PackageCheck {
  const md5 = hex[0]!;
  if (md5 !== d.p.md5) return { file: d.path, ok: false, md5, problem: `md5 ${md5}, XS-PACKAGES says ${d.p.md5}` };
  let problem = d.problem;
  if (problem === undefined && d.rpm !== undefined) {
    try {
      d.rpm.checks.forEach((c, i) => checkRpmDigest(d.path, c, hex[1 + i]!));
      checkRpmIdentity(d.rpm.info);
    } catch (e) {
      problem = rpmProblem(e, d.path);
    }
  }
  return problem === undefined ? { file: d.path, ok: true, md5 } : { file: d.path, ok: false, md5, problem };
}

/** A bad RPM's problem as verifyRpmStream words it; anything but a SuppackError is thrown on. */
function rpmProblem(e: unknown, path: string): string {
  if (!(e instanceof SuppackError)) throw e;
  const problem = e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message;
  return `not a sound RPM: ${problem}`;
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

/**
 * The legacy supplemental pack, end to end: RPMs + metadata in, `<label>.iso` (XS-REPOSITORY,
 * XS-PACKAGES, the RPMs, install/install.sh), `<label>.iso.md5`, `<label>.metadata.md5` and
 * optionally `<label>.tar.gz` out — what the DDK's build-supplemental-pack.sh made (docs/formats/xenserver.md §1).
 */
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { basename, join } from 'node:path';
import { SuppackError, withFile } from '../../base/errors';
import { writeAllAtomically } from '../../base/output';
import { packOutputFamily } from '../output-family';
import { checkPackRpmDigests, packRpmDigestRequests, readPackRpmHead, readPackRpms, type RpmInfo } from '../../formats/rpm';
import {
  classifyPackage,
  checkPackagePaths,
  reorderPackages,
  xsRepositoryXml,
  xsPackagesXml,
  metadataMd5File,
  isoMd5File,
  type LegacyPackage,
  type LegacyRepository,
  type LegacyRequires,
} from '../../xenserver/legacy';
import { writeIso, type FileDigestRequest, type FileDigests, type IsoEntry } from '../../formats/iso';
import { writeTarGz } from '../../formats/tar';
import { type RpmHostFacts, checkRpmsForHost, rpmHostFacts } from '../../xenserver/host-check';
import { targetHost } from '../../xenserver/hosts';
import { INSTALL_SCRIPT_NAMES, installScriptPath } from '../../xenserver/pack-script';
import type { LegacyPack } from '../../../schemas/legacy-pack';
import { removingNewDirsOnFailure } from '../../base/make-dir';

export interface LegacyPackBuild {
  /** Validated pack metadata (schemas/legacy-pack.ts). */
  pack: LegacyPack;
  /** The package files, in the order the user gave them. */
  rpms: string[];
  /** Output directory. */
  outDir: string;
  /** Write `<label>.iso` and `<label>.iso.md5` (default true). */
  iso?: boolean;
  /** Write `<label>.tar.gz` (default false). */
  tarball?: boolean;
  /** Seconds since 1970 for every timestamp in the outputs. */
  epoch: number;
  onProgress?: (p: { written: number; total: number }) => void;
}

export interface LegacyPackResult {
  repository: LegacyRepository;
  packages: LegacyPackage[];
  repositoryXml: string;
  packagesXml: string;
  /** Paths of the files written, by kind. */
  outputs: { iso?: string; isoMd5?: string; metadataMd5: string; tarball?: string };
  /** Files of an earlier output set of the same label that this one does not write, removed (packOutputFamily). */
  removed: string[];
}

/** What goes into the pack (the DDK's staging directory), in one place for the ISO and the tarball. */
export interface PackMember {
  name: string;
  source: string | Buffer;
  mode: number;
  /** Its data lies after the other members' in the ISO (XS-PACKAGES: see writeLegacyIso). */
  last?: boolean;
}

export async function buildLegacyPack(build: LegacyPackBuild): Promise<LegacyPackResult> {
  return removingNewDirsOnFailure(build.outDir, () => buildLegacyPackIn(build));
}

async function buildLegacyPackIn(build: LegacyPackBuild): Promise<LegacyPackResult> {
  const wantIso = build.iso ?? true;
  const wantTar = build.tarball ?? false;
  if (!wantIso && !wantTar) {
    throw new SuppackError('nothing to build: no ISO and no tarball requested (drop --no-iso or add --tarball)');
  }
  const label = build.pack.label;
  const outputs: LegacyPackResult['outputs'] = { metadataMd5: join(build.outDir, `${label}.metadata.md5`) };
  const writes: Array<{ dest: string; write: (tmp: string) => Promise<unknown> }> = [];
  // Made by the ISO's one pass (XS-PACKAGES needs every RPM's md5), or read before without an ISO.
  let meta: LegacyPackMetadata | undefined;
  if (wantIso) {
    outputs.iso = join(build.outDir, `${label}.iso`);
    outputs.isoMd5 = join(build.outDir, `${label}.iso.md5`);
    // Headers first: a bad one is refused before any output is touched.
    const onePass = await legacyOnePass(build);
    let isoMd5 = '';
    writes.push({
      dest: outputs.iso,
      write: async (tmp) => {
        ({ meta, isoMd5 } = await onePass.write(tmp));
      },
    });
    writes.push({ dest: outputs.isoMd5, write: (tmp) => writeText(tmp, isoMd5File(isoMd5, `${label}.iso`)) });
  } else {
    meta = await legacyPackMetadata(build.pack, build.rpms);
  }
  const metadata = (): LegacyPackMetadata => meta as LegacyPackMetadata;
  if (wantTar) {
    outputs.tarball = join(build.outDir, `${label}.tar.gz`);
    writes.push({
      dest: outputs.tarball,
      write: (tmp) => writeTarGz(packMembers(metadata().repositoryXml, metadata().packagesXml, metadata().rpms), tmp, build.epoch),
    });
  }
  writes.push({ dest: outputs.metadataMd5, write: (tmp) => writeText(tmp, metadataMd5File(metadata().repositoryXml, metadata().packagesXml)) });
  const { removed } = await writeAllAtomically(writes, packOutputFamily(join(build.outDir, `${label}.iso`)));
  const { repository, packages, repositoryXml, packagesXml } = metadata();
  return { repository, packages, repositoryXml, packagesXml, outputs, removed };
}

/**
 * The ISO of a legacy pack from its RPMs in one pass (issue 16): each RPM's headers are read
 * and checked first (here), then `write` copies its bytes into the image while the writer's
 * workers compute its md5 for XS-PACKAGES, its own digests (rpm -K) and the image's md5;
 * XS-PACKAGES, whose data lies after the RPMs', is made from them. The same bytes as the two
 * stages write.
 */
async function legacyOnePass(build: LegacyPackBuild) {
  checkPackFileNames(build.rpms);
  // Each RPM's decoded headers give its host facts and are let go: kept, they took ~15 MB more for 1,000 RPMs.
  const heads = build.rpms.map((p) => {
    const { headers, ...head } = readPackRpmHead(p);
    return { ...head, facts: withFile(p, () => rpmHostFacts(head.head, head.info, headers)) };
  });
  const plan = await legacyPackPlan(build.pack, heads);
  const requests = new Map(heads.map((h) => [basename(h.info.path), packRpmDigestRequests(h, ['md5'])] as const));
  // XS-PACKAGES's size is known before the md5s: each is 32 hex digits.
  const placeholder = plan.render(new Map(heads.map((h) => [h.info, '0'.repeat(32)])));
  const members = packMembers(plan.repositoryXml, placeholder.packagesXml, plan.rpms);
  return {
    async write(dest: string): Promise<{ meta: LegacyPackMetadata; isoMd5: string }> {
      let meta: LegacyPackMetadata | undefined;
      const isoMd5 = await writeLegacyIso(members, build, dest, {
        requests,
        packagesXml: (digests) => {
          // Checked in the order the RPMs were given, so the first bad one is named, as readPackRpms does.
          const md5 = new Map(heads.map((h) => [h.info, checkPackRpmDigests(h, ['md5'], digests.get(basename(h.info.path))!).md5!] as const));
          meta = plan.render(md5);
          return meta.packagesXml;
        },
      });
      return { meta: meta as LegacyPackMetadata, isoMd5 };
    },
  };
}

/** The one pass of writeLegacyIso: what to hash of each RPM (by file name), and XS-PACKAGES made from it. */
export interface LegacyIsoPass {
  requests: ReadonlyMap<string, readonly FileDigestRequest[]>;
  /** XS-PACKAGES from the requested digests of each RPM (by file name); the same length as the members' XS-PACKAGES. */
  packagesXml: (digests: FileDigests) => string;
}

/**
 * Write the pack ISO of `members` to `dest` (volume id = text, application id = vendor name,
 * every time = epoch); returns its md5 hex. The one place both the CLI and the build-iso stage
 * write the ISO, so they give the same bytes. XS-PACKAGES's data lies after the RPMs' (`last`), so
 * that with `pass` it is made from their digests while the image is written in one pass.
 */
export async function writeLegacyIso(
  members: PackMember[],
  o: { pack: LegacyPack; epoch: number; onProgress?: LegacyPackBuild['onProgress'] },
  dest: string,
  pass?: LegacyIsoPass,
): Promise<string> {
  const options = { volumeId: o.pack.text, applicationId: o.pack.vendorName, epoch: o.epoch, onProgress: o.onProgress };
  const written = await writeIso(isoEntries(members, pass), { ...options, digests: ['md5'] }, dest);
  return written.md5 as string;
}

/** The pack's metadata: its RPMs in pack order, XS-REPOSITORY and XS-PACKAGES with their models. */
export interface LegacyPackMetadata {
  rpms: RpmInfo[];
  repository: LegacyRepository;
  packages: LegacyPackage[];
  repositoryXml: string;
  packagesXml: string;
}

/** Every package in a pack needs its own file name (they share one directory). */
function checkPackFileNames(rpmPaths: readonly string[]): void {
  if (rpmPaths.length === 0) throw new SuppackError('no packages given: expected one or more RPM files');
  const seen = new Map<string, string>();
  for (const p of rpmPaths) {
    const prior = seen.get(basename(p));
    if (prior !== undefined) {
      throw new SuppackError(`same file name as ${prior}: every package in a pack needs its own file name`, { file: p });
    }
    seen.set(basename(p), p);
  }
}

/**
 * Everything of the metadata that the RPMs' headers decide: the host check, each package's
 * class and paths, the order; `render` completes it with each RPM's md5.
 */
async function legacyPackPlan(pack: LegacyPack, rpms: ReadonlyArray<{ info: RpmInfo; size: number; head: Buffer; facts?: RpmHostFacts }>) {
  const infos = rpms.map((r) => r.info);
  const sizes = new Map(rpms.map((r) => [r.info, r.size] as const));
  // Every RPM must install with the rpm of the host the pack names (docs/hosts.md).
  await checkRpmsForHost(rpms.map(({ info, head, facts }) => ({ path: info.path, head: { info, bytes: head }, facts })), targetHost({ format: 'legacy', pack }));
  const classified = new Map(infos.map((info) => [info, classifyPackage(info)] as const));
  for (const [info, c] of classified) checkPackagePaths(info, c);
  const ordered = pack.reorder ? reorderPackages(infos) : infos;
  const repository = legacyRepository(pack);
  const repositoryXml = xsRepositoryXml(repository);
  return {
    rpms: ordered,
    repositoryXml,
    render(md5: ReadonlyMap<RpmInfo, string>): LegacyPackMetadata {
      const packages: LegacyPackage[] = ordered.map((info) => {
        const c = classified.get(info)!;
        return {
          file: basename(info.path),
          label: c.label,
          type: c.type,
          size: sizes.get(info)!,
          md5: md5.get(info)!,
          ...(c.options !== undefined ? { options: c.options } : {}),
          ...(c.kernel !== undefined ? { kernel: c.kernel } : {}),
        };
      });
      return { rpms: ordered, repository, packages, repositoryXml, packagesXml: xsPackagesXml(packages) };
    },
  };
}

/** Read, check, order and digest the RPMs; render XS-REPOSITORY and XS-PACKAGES. No output is written. */
export async function legacyPackMetadata(pack: LegacyPack, rpmPaths: string[]): Promise<LegacyPackMetadata> {
  checkPackFileNames(rpmPaths);
  // One read per RPM: headers, digests (rpm -K), header strings (rpmbuild's rules) and the md5.
  const read = await readPackRpms(rpmPaths, ['md5']);
  const plan = await legacyPackPlan(pack, read);
  return plan.render(new Map(read.map((r) => [r.info, r.hex.md5!] as const)));
}

/** XS-REPOSITORY's model from the pack metadata: the platform requirement first, then the user's. */
export function legacyRepository(pack: LegacyPack): LegacyRepository {
  const requires: LegacyRequires[] = [];
  const platform = pack.product === 'XCP' ? 'xcp' : 'xs';
  const namesPlatform = pack.requires.some((r) => r.originator === platform && r.name === 'main');
  if (pack.baseRequires && !namesPlatform) {
    if (pack.productVersion === undefined) {
      throw new SuppackError(
        `required: the ${pack.product} version the pack is for (the DDK took it from its own build), e.g. 7.0.0; ` +
          `or require ${platform}:main explicitly, or turn the base requirement off`,
        { field: 'productVersion' },
      );
    }
    requires.push({ originator: platform, name: 'main', test: 'eq', product: pack.product, version: pack.productVersion });
  }
  for (const r of pack.requires) requires.push({ ...r, product: r.product ?? pack.product });
  return {
    originator: pack.vendorCode,
    name: pack.label,
    product: pack.product,
    version: pack.version,
    description: pack.text,
    ...(pack.build !== undefined ? { build: pack.build } : {}),
    ...(pack.memoryMb !== undefined ? { memoryRequirementMb: pack.memoryMb } : {}),
    ...(pack.homogeneous ? { enforceHomogeneity: true } : {}),
    requires,
  };
}

export function packMembers(repositoryXml: string, packagesXml: string, rpms: ReadonlyArray<Pick<RpmInfo, 'path'>>): PackMember[] {
  const script = installScriptPath();
  return [
    { name: 'XS-REPOSITORY', source: Buffer.from(repositoryXml, 'utf8'), mode: 0o644 },
    { name: 'XS-PACKAGES', source: Buffer.from(packagesXml, 'utf8'), mode: 0o644, last: true },
    ...INSTALL_SCRIPT_NAMES.map((name) => ({ name, source: script, mode: 0o755 })),
    ...rpms.map((r) => ({ name: basename(r.path), source: r.path, mode: 0o644 })),
  ];
}

function isoEntries(members: PackMember[], pass?: LegacyIsoPass): IsoEntry[] {
  const entries: IsoEntry[] = [];
  for (const m of members) {
    if (typeof m.source === 'string') {
      // Synchronous: from the page cache a stat takes microseconds, an asynchronous one a thread-pool
      // round trip (~0.1 ms; docs/formats/containers.md §3), 25 ms for a pack of 220 RPMs.
      const { size } = withFile(m.source, () => statSync(m.source as string));
      const digests = pass?.requests.get(m.name);
      entries.push({ path: m.name, kind: 'file', size, source: m.source, mode: m.mode, ...(digests ? { digests } : {}) });
    } else if (m.last) {
      const buf = m.source;
      const make = (digests: FileDigests): Buffer => (pass ? Buffer.from(pass.packagesXml(digests), 'utf8') : buf);
      entries.push({ path: m.name, kind: 'file', size: buf.length, source: { make }, mode: m.mode });
    } else {
      const buf = m.source;
      entries.push({ path: m.name, kind: 'file', size: buf.length, source: () => Readable.from([buf]), mode: m.mode });
    }
  }
  return entries;
}

function writeText(path: string, text: string): Promise<void> {
  return writeFile(path, text, { mode: 0o644 });
}

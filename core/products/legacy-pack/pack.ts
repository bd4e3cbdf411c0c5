/**
 * The legacy supplemental pack, end to end: RPMs + metadata in, `<label>.iso` (XS-REPOSITORY,
 * XS-PACKAGES, the RPMs, install/install.sh), `<label>.iso.md5`, `<label>.metadata.md5` and
 * optionally `<label>.tar.gz` out — what the DDK's build-supplemental-pack.sh made (docs/formats/xenserver.md §1).
 */
import { stat, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { basename, join } from 'node:path';
import { SuppackError, withFileAsync } from '../../base/errors';
import { writeAllAtomically } from '../../base/output';
import { readPackRpms, type RpmInfo } from '../../formats/rpm';
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
import { writeIso, type IsoEntry } from '../../formats/iso';
import { writeTarGz } from '../../formats/tar';
import { checkRpmsForHost } from '../../xenserver/host-check';
import { targetHost } from '../../xenserver/hosts';
import { INSTALL_SCRIPT_NAMES, installScriptPath } from '../../xenserver/pack-script';
import type { LegacyPack } from '../../../schemas/legacy-pack';

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
}

/** What goes into the pack (the DDK's staging directory), in one place for the ISO and the tarball. */
export interface PackMember {
  name: string;
  source: string | Buffer;
  mode: number;
}

export async function buildLegacyPack(build: LegacyPackBuild): Promise<LegacyPackResult> {
  const wantIso = build.iso ?? true;
  const wantTar = build.tarball ?? false;
  if (!wantIso && !wantTar) {
    throw new SuppackError('nothing to build: no ISO and no tarball requested (drop --no-iso or add --tarball)');
  }
  const { rpms, repository, packages, repositoryXml, packagesXml } = await legacyPackMetadata(build.pack, build.rpms);
  const members = packMembers(repositoryXml, packagesXml, rpms);
  const label = build.pack.label;
  const outputs: LegacyPackResult['outputs'] = { metadataMd5: join(build.outDir, `${label}.metadata.md5`) };
  const writes: Array<{ dest: string; write: (tmp: string) => Promise<unknown> }> = [];
  if (wantIso) {
    outputs.iso = join(build.outDir, `${label}.iso`);
    outputs.isoMd5 = join(build.outDir, `${label}.iso.md5`);
    let isoMd5 = '';
    writes.push({
      dest: outputs.iso,
      write: async (tmp) => {
        isoMd5 = await writeLegacyIso(members, build, tmp);
      },
    });
    writes.push({ dest: outputs.isoMd5, write: (tmp) => writeText(tmp, isoMd5File(isoMd5, `${label}.iso`)) });
  }
  if (wantTar) {
    outputs.tarball = join(build.outDir, `${label}.tar.gz`);
    writes.push({ dest: outputs.tarball, write: (tmp) => writeTarGz(members, tmp, build.epoch) });
  }
  writes.push({ dest: outputs.metadataMd5, write: (tmp) => writeText(tmp, metadataMd5File(repositoryXml, packagesXml)) });
  await writeAllAtomically(writes);
  return { repository, packages, repositoryXml, packagesXml, outputs };
}

/**
 * Write the pack ISO of `members` to `dest` (volume id = text, application id = vendor name,
 * every time = epoch); returns its md5 hex. The one place both the CLI and the build-iso stage
 * write the ISO, so they give the same bytes.
 */
export async function writeLegacyIso(
  members: PackMember[],
  o: { pack: LegacyPack; epoch: number; onProgress?: LegacyPackBuild['onProgress'] },
  dest: string,
): Promise<string> {
  const options = { volumeId: o.pack.text, applicationId: o.pack.vendorName, epoch: o.epoch, onProgress: o.onProgress };
  const written = await writeIso(await isoEntries(members), { ...options, digests: ['md5'] }, dest);
  return written.md5 as string;
}

/** Read, check, order and digest the RPMs; render XS-REPOSITORY and XS-PACKAGES. No output is written. */
export async function legacyPackMetadata(pack: LegacyPack, rpmPaths: string[]) {
  if (rpmPaths.length === 0) throw new SuppackError('no packages given: expected one or more RPM files');
  const seen = new Map<string, string>();
  for (const p of rpmPaths) {
    const prior = seen.get(basename(p));
    if (prior !== undefined) {
      throw new SuppackError(`same file name as ${prior}: every package in a pack needs its own file name`, { file: p });
    }
    seen.set(basename(p), p);
  }
  // One read per RPM: headers, digests (rpm -K), header strings (rpmbuild's rules) and the md5.
  const infos: RpmInfo[] = [];
  const digests = new Map<RpmInfo, { size: number; md5: string }>();
  const read = await readPackRpms(rpmPaths, ['md5']);
  for (const { info, size, hex } of read) {
    infos.push(info);
    digests.set(info, { size, md5: hex.md5! });
  }
  // Every RPM must install with the rpm of the host the pack names (docs/hosts.md).
  await checkRpmsForHost(read.map(({ info, head }) => ({ path: info.path, head: { info, bytes: head } })), targetHost({ format: 'legacy', pack }));
  const classified = new Map(infos.map((info) => [info, classifyPackage(info)] as const));
  for (const [info, c] of classified) checkPackagePaths(info, c);
  const ordered = pack.reorder ? reorderPackages(infos) : infos;

  const packages: LegacyPackage[] = [];
  for (const info of ordered) {
    const { size, md5 } = digests.get(info)!;
    const c = classified.get(info)!;
    packages.push({
      file: basename(info.path),
      label: c.label,
      type: c.type,
      size,
      md5,
      ...(c.options !== undefined ? { options: c.options } : {}),
      ...(c.kernel !== undefined ? { kernel: c.kernel } : {}),
    });
  }
  const repository = legacyRepository(pack);
  return {
    rpms: ordered,
    repository,
    packages,
    repositoryXml: xsRepositoryXml(repository),
    packagesXml: xsPackagesXml(packages),
  };
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
    { name: 'XS-PACKAGES', source: Buffer.from(packagesXml, 'utf8'), mode: 0o644 },
    ...INSTALL_SCRIPT_NAMES.map((name) => ({ name, source: script, mode: 0o755 })),
    ...rpms.map((r) => ({ name: basename(r.path), source: r.path, mode: 0o644 })),
  ];
}

async function isoEntries(members: PackMember[]): Promise<IsoEntry[]> {
  const entries: IsoEntry[] = [];
  for (const m of members) {
    if (typeof m.source === 'string') {
      const { size } = await withFileAsync(m.source, () => stat(m.source as string));
      entries.push({ path: m.name, kind: 'file', size, source: m.source, mode: m.mode });
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

/**
 * The legacy pack split into the two cached stages of a pack project: pack-metadata writes
 * XS-REPOSITORY and XS-PACKAGES from the collected RPMs; build-iso reads them back and writes
 * `<label>.iso`, `<label>.iso.md5` and `<label>.metadata.md5` — the same bytes
 * `buildLegacyPack` (`suppack build-supplemental-pack`) writes for the same RPMs and options.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { FileDigests } from '../../formats/iso';
import { SuppackError, isNodeError, withFileAsync, describeError } from '../../base/errors';
import { isoMd5File, metadataMd5File, parseXsPackages, xsRepositoryXml } from '../../xenserver/legacy';
import { legacyPackMetadata, legacyRepository, packMembers, writeLegacyIso, type LegacyPackBuild } from './pack';
import { replaceDir } from '../../base/output';
import type { LegacyPack } from '../../../schemas/legacy-pack';
import { readInput } from '../../base/read-input';

export const XS_REPOSITORY = 'XS-REPOSITORY';
export const XS_PACKAGES = 'XS-PACKAGES';

/**
 * Replace `outDir` with XS-REPOSITORY and XS-PACKAGES of the RPMs in `rpmsDir`, taken in file
 * name order and then, with `pack.reorder`, in dependency order.
 */
export async function writeLegacyPackMetadata(o: { pack: LegacyPack; rpmsDir: string; outDir: string }): Promise<void> {
  const rpms = (await rpmFilesIn(o.rpmsDir, 'collect-rpms')).map((name) => join(o.rpmsDir, name));
  const { repositoryXml, packagesXml } = await legacyPackMetadata(o.pack, rpms);
  await replaceDir(o.outDir, async (tmp) => {
    await fsp.writeFile(join(tmp, XS_REPOSITORY), repositoryXml, { mode: 0o644 });
    await fsp.writeFile(join(tmp, XS_PACKAGES), packagesXml, { mode: 0o644 });
  });
}

export interface LegacyIsoBuild {
  pack: LegacyPack;
  /** pack-metadata's output. */
  metadataDir: string;
  /** collect-rpms' output: exactly the RPMs XS-PACKAGES lists. */
  rpmsDir: string;
  outDir: string;
  epoch: number;
  onProgress?: LegacyPackBuild['onProgress'];
}

/** Replace `outDir` with the ISO and both md5 files; returns their paths. */
export async function buildLegacyIsoFromMetadata(o: LegacyIsoBuild): Promise<{ iso: string; isoMd5: string; metadataMd5: string }> {
  const repoFile = join(o.metadataDir, XS_REPOSITORY);
  const pkgFile = join(o.metadataDir, XS_PACKAGES);
  const repositoryXml = await readMetadata(repoFile);
  const packagesXml = await readMetadata(pkgFile);
  if (repositoryXml !== xsRepositoryXml(legacyRepository(o.pack))) {
    throw new SuppackError('does not match the pack metadata of the manifest: stale, run the pack-metadata target again', {
      file: repoFile,
    });
  }
  const packages = parseXsPackages(packagesXml, pkgFile);
  const onDisk = new Set(await rpmFilesIn(o.rpmsDir, 'collect-rpms'));
  const stale = (i: number, what: string) =>
    new SuppackError(`${what}: stale metadata, run the pack-metadata target again`, { file: pkgFile, field: `package[${i}]` });
  for (const [i, p] of packages.entries()) {
    if (!onDisk.delete(p.file)) throw stale(i, `${p.file} is not in ${o.rpmsDir}`);
    const path = join(o.rpmsDir, p.file);
    const { size } = await withFileAsync(path, () => fsp.stat(path));
    if (size !== p.size) throw stale(i, `${p.file} has ${size} bytes, the metadata says ${p.size}`);
  }
  if (onDisk.size > 0) {
    throw new SuppackError(`does not list ${[...onDisk].sort().join(', ')} of ${o.rpmsDir}: stale, run the pack-metadata target again`, {
      file: pkgFile,
    });
  }

  const label = o.pack.label;
  const names = { iso: `${label}.iso`, isoMd5: `${label}.iso.md5`, metadataMd5: `${label}.metadata.md5` };
  const members = packMembers(
    repositoryXml,
    packagesXml,
    packages.map((p) => ({ path: join(o.rpmsDir, p.file) })),
  );
  // One pass: each RPM's md5 is computed as it goes into the ISO and compared with XS-PACKAGES
  // before XS-PACKAGES, whose data lies after the RPMs', is written.
  const pass = {
    requests: new Map(packages.map((p) => [p.file, [{ algorithm: 'md5' }]] as const)),
    packagesXml: (digests: FileDigests) => {
      for (const [i, p] of packages.entries()) {
        const md5 = digests.get(p.file)![0];
        if (md5 !== p.md5) throw stale(i, `${p.file} has md5 ${md5}, the metadata says ${p.md5}`);
      }
      return packagesXml;
    },
  };
  await replaceDir(o.outDir, async (tmp) => {
    const md5 = await writeLegacyIso(members, o, join(tmp, names.iso), pass);
    await fsp.writeFile(join(tmp, names.isoMd5), isoMd5File(md5, names.iso), { mode: 0o644 });
    await fsp.writeFile(join(tmp, names.metadataMd5), metadataMd5File(repositoryXml, packagesXml), { mode: 0o644 });
  });
  return { iso: join(o.outDir, names.iso), isoMd5: join(o.outDir, names.isoMd5), metadataMd5: join(o.outDir, names.metadataMd5) };
}

async function readMetadata(path: string): Promise<string> {
  return (await readInput(path, { missing: 'missing: expected the output of pack-metadata (run the pack-metadata target first)' })).toString('utf8');
}

/** The `*.rpm` file names directly in `dir`, sorted. */
export async function rpmFilesIn(dir: string, stage: string): Promise<string[]> {
  try {
    const ents = await fsp.readdir(dir, { withFileTypes: true });
    return ents
      .filter((d) => d.isFile() && d.name.endsWith('.rpm') && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    if (isNodeError(e) && e.code === 'ENOENT') {
      throw new SuppackError(`missing: expected the RPMs of ${stage} (run the ${stage} target first)`, { file: dir });
    }
    throw new SuppackError(describeError(e), { file: dir });
  }
}

/**
 * build-srctarballs: each `rpms[].sources` directory packed as `<specbase>-<version>.tar.gz`
 * (Source0, see core/products/rpms/render-spec.ts), top directory `<specbase>-<version>/`. Deterministic through
 * core/formats/tar.ts: sorted names, mtime = the epoch, uid/gid 0 (root), modes 0644/0755,
 * symlinks kept as links, fixed gzip header.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { specBaseOf } from './render-spec';
import { replaceDir } from '../../base/output';
import { directoryEntries, writeTarGz } from '../../formats/tar';
import { MANIFEST_FILE, type Manifest } from '../../../schemas/manifest';

export interface SourceTarballPlan {
  /** Index in rpms[]. */
  index: number;
  /** `<specbase>-<version>`: the tarball's top directory. */
  prefix: string;
  /** `<specbase>-<version>.tar.gz`. */
  fileName: string;
  /** The source directory as suppack.json names it. */
  sources: string;
}

/** The tarballs build-srctarballs writes: one per distinct `<specbase>-<version>`. */
export function planSourceTarballs(m: Manifest, manifestFile: string = MANIFEST_FILE): SourceTarballPlan[] {
  const byName = new Map<string, SourceTarballPlan>();
  m.rpms.forEach((r, index) => {
    if (r.sources === undefined) return;
    const prefix = `${specBaseOf(r.spec)}-${r.version}`;
    const fileName = `${prefix}.tar.gz`;
    const other = byName.get(fileName);
    if (other && other.sources !== r.sources) {
      throw new SuppackError(`makes ${fileName} like rpms[${other.index}] but from another directory (${other.sources})`, {
        file: manifestFile,
        field: `rpms[${index}].sources`,
      });
    }
    if (!other) byName.set(fileName, { index, prefix, fileName, sources: r.sources });
  });
  return [...byName.values()];
}

/**
 * Write every source tarball into `outDir` (replacing it as a whole: no stale tarball survives).
 * Returns the paths written, in manifest order.
 */
export async function buildSourceTarballs(o: { manifest: Manifest; projectDir: string; outDir: string; epoch: number; manifestFile?: string }): Promise<string[]> {
  const manifestFile = o.manifestFile ?? MANIFEST_FILE;
  const plans = planSourceTarballs(o.manifest, manifestFile);
  for (const p of plans) {
    const dir = join(o.projectDir, p.sources);
    const st = await fsp.stat(dir).catch((e: unknown) => {
      if (isNodeError(e) && e.code === 'ENOENT') return undefined;
      throw isNodeError(e) ? new SuppackError(`cannot read the source directory ${dir}: ${describeNodeError(e)}`, { file: manifestFile, field: `rpms[${p.index}].sources` }) : e;
    });
    if (!st?.isDirectory()) {
      throw new SuppackError(`${st ? 'expected a directory, found a file' : 'source directory not found'}: ${dir}`, {
        file: manifestFile,
        field: `rpms[${p.index}].sources`,
      });
    }
  }
  await replaceDir(o.outDir, async (tmp) => {
    for (const p of plans) {
      const entries = await directoryEntries(join(o.projectDir, p.sources), p.prefix);
      await writeTarGz(entries, join(tmp, p.fileName), o.epoch);
    }
  });
  return plans.map((p) => join(o.outDir, p.fileName));
}

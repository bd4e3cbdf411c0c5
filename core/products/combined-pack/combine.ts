/**
 * combine-packs (docs/formats/xenserver.md §3, the DDK's combine-supplemental-packs.sh): several legacy pack ISOs
 * become one, each in `packages.<label>/` with its XS-REPOSITORY and XS-PACKAGES, and a top-level
 * `XS-REPOSITORY-LIST` naming those directories. Writes `<name>.iso` and `<name>.iso.md5`.
 */
import { promises as fsp, type Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { basename, join } from 'node:path';
import { SuppackError } from '../../base/errors';
import { makeOutputDir, writeAllAtomically } from '../../base/output';
import { packOutputFamily } from '../output-family';
import { writeIso, type IsoEntry } from '../../formats/iso';
import { REPOSITORY_LIST, encodeRepositoryList } from '../../xenserver/installer';
import { isoMd5File } from '../../xenserver/legacy';
import { openPackSources } from '../../xenserver/pack-sources';
import { removingNewDirsOnFailure } from '../../base/make-dir';

export interface CombinePacksBuild {
  /** Legacy pack ISOs (or combined ones), in the order XS-REPOSITORY-LIST should list them. */
  packs: readonly string[];
  outDir: string;
  /** The output's base name: `<name>.iso`. */
  name: string;
  /** ISO volume id, at most 32 characters. */
  volumeId: string;
  epoch: number;
  onProgress?: (p: { written: number; total: number }) => void;
}

export async function combinePacks(o: CombinePacksBuild): Promise<{ iso: string; isoMd5: string; removed: string[] }> {
  return removingNewDirsOnFailure(o.outDir, () => combinePacksIn(o));
}

async function combinePacksIn(o: CombinePacksBuild): Promise<{ iso: string; isoMd5: string; removed: string[] }> {
  if (o.packs.length === 0) throw new SuppackError('no packs given: expected one or more pack ISOs to combine');
  if (!/^[A-Za-z0-9._-]+$/.test(o.name)) {
    throw new SuppackError(`expected letters, digits, ".", "_" or "-" (it names the ISO file), got ${JSON.stringify(o.name)}`, { field: 'name' });
  }
  const iso = join(o.outDir, `${o.name}.iso`);
  await refuseOutputAmongInputs(iso, o.packs);
  const { sources, close } = await openPackSources(o.packs);
  try {
    const list = Buffer.from(encodeRepositoryList(sources.map((s) => s.dir)), 'utf8');
    const entries: IsoEntry[] = [
      { path: REPOSITORY_LIST, kind: 'file', size: list.length, source: () => Readable.from([list]), mode: 0o644 },
      ...sources.flatMap((s) => s.entries),
    ];
    const isoMd5 = join(o.outDir, `${o.name}.iso.md5`);
    let md5 = '';
    await makeOutputDir(o.outDir);
    const { removed } = await writeAllAtomically([
      {
        dest: iso,
        write: async (tmp) => {
          const written = await writeIso(
            entries,
            { volumeId: o.volumeId, epoch: o.epoch, digests: ['md5'], ...(o.onProgress ? { onProgress: o.onProgress } : {}) },
            tmp,
          );
          md5 = written.md5 as string;
        },
      },
      { dest: isoMd5, write: (tmp) => fsp.writeFile(tmp, isoMd5File(md5, basename(iso)), { mode: 0o644 }) },
    ], packOutputFamily(iso));
    return { iso, isoMd5, removed };
  } finally {
    await close();
  }
}

/**
 * The output may not be one of the packs (by any name: a symlink or a hard link is the same
 * file). Replacing a pack with the combination would leave the pack's `.metadata.md5` beside an
 * ISO it does not describe, and lose the pack.
 */
async function refuseOutputAmongInputs(iso: string, packs: readonly string[]): Promise<void> {
  const same = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;
  const out = await fsp.stat(iso).catch(() => undefined);
  if (out === undefined) return;
  for (const pack of packs) {
    const st = await fsp.stat(pack).catch(() => undefined);
    if (st !== undefined && same(st, out)) {
      throw new SuppackError(`is also the output ${iso}: expected an output that is not one of the packs combined`, { file: pack });
    }
  }
}

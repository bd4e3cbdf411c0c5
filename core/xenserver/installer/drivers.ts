/**
 * The DDK's "pushinitrd" (docs/formats/xenserver.md §4: rebuild-initrd.sh unpacked a driver RPM into the installer
 * ramdisk and ran `depmod -a <ver>`), as one appended member: the drivers' /lib/modules and
 * /lib/firmware files plus the module indexes depmod regenerates over the ramdisk's own modules.
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SuppackError, describeError } from '../../base/errors';
import { readDriverRpm } from './driver-rpm';
import { encodeInitrdTree } from './initrd-tree';
import { regenerateModuleIndexes } from './module-index';

export interface InjectedDriver {
  file: string;
  nevra: string;
  kvers: string[];
  /** Its files as put into the ramdisk (no leading `/`), sorted. */
  files: string[];
  /** Payload paths left out (not under /lib/modules/<kver>/ or /lib/firmware/). */
  ignored: string[];
}

export interface DriverMember {
  /** The gzip newc member to append (length a multiple of 4). */
  member: Buffer;
  drivers: InjectedDriver[];
  /** The regenerated index files in it (e.g. `lib/modules/<kver>/modules.dep`). */
  indexes: string[];
  /** Where /lib/modules really is in the ramdisk (`lib/modules` or `usr/lib/modules`). */
  modulesDir: string;
}

/**
 * Builds the member for the driver RPMs `drivers` over the ramdisk read by `openImage` (named
 * `imageName` in errors). A scratch directory under the system temp dir holds a copy of the
 * ramdisk and the extracted module trees; it is removed afterwards.
 */
export async function buildDriverMember(
  openImage: () => NodeJS.ReadableStream,
  imageName: string,
  drivers: readonly string[],
  epoch: number,
): Promise<DriverMember> {
  const rpms = [];
  for (const d of drivers) rpms.push(await readDriverRpm(d));
  const work = await fsp.mkdtemp(join(tmpdir(), 'suppack-drivers-'));
  try {
    const image = join(work, 'install.img');
    await pipeline(openImage(), createWriteStream(image)).catch((e: unknown) => {
      throw e instanceof SuppackError ? e : new SuppackError(`cannot copy it: ${describeError(e)}`, { file: imageName });
    });
    const idx = await regenerateModuleIndexes(image, imageName, rpms, join(work, 'tree'));
    const member = encodeInitrdTree(idx.files, epoch);
    return {
      member,
      drivers: rpms.map((r, i) => ({ file: r.file, nevra: r.nevra, kvers: r.kvers, files: idx.placed[i]!, ignored: r.ignored })),
      indexes: idx.indexes,
      modulesDir: idx.modulesDir,
    };
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}

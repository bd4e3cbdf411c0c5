/**
 * A driver RPM as the DDK's rebuild-initrd.sh used it (docs/formats/xenserver.md §4): the files it installs under
 * /lib/modules/<kver>/ (kernel modules) and /lib/firmware/, read from its payload (docs/formats/containers.md §4, 6).
 */
import { SuppackError, withFileAsync } from '../../base/errors';
import { readNewc } from '../../formats/rpm/cpio';
import { readPackRpm } from '../../formats/rpm/pack-input';
import { openRpmPayload } from './decompress';

export interface DriverFile {
  /** Path in the root file system without the leading `/`, always `lib/modules/...` or `lib/firmware/...`. */
  path: string;
  /** Permission bits (the regular-file type removed). */
  mode: number;
  data: Buffer;
}

export interface DriverRpm {
  file: string;
  /** NAME-VERSION-RELEASE.ARCH. */
  nevra: string;
  /** The kernel versions it has modules for, sorted. */
  kvers: string[];
  /** Every file that goes into the ramdisk, sorted by path. */
  files: DriverFile[];
  /** The kernel modules among them (`lib/modules/<kver>/...ko`). */
  modules: string[];
  /** Payload paths left out: not under /lib/modules/<kver>/ or /lib/firmware/, or not regular files. */
  ignored: string[];
}

const MODULE_RE = /\.ko(\.(xz|gz|zst))?$/;
const MAX_FILE_BYTES = 256 * 1024 * 1024;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;


/** A kernel release as `uname -r` prints it (e.g. 4.19.0+1, 6.1.0-56-amd64). */
const KVER_RE = /^[A-Za-z0-9_][A-Za-z0-9._+~-]*$/;

/** `lib/modules/<kver>/<rest>` or `lib/firmware/<rest>` for a payload name such as `./usr/lib/modules/...`. */
export function driverPath(name: string): { path: string; kver?: string } | undefined {
  const p = name.replace(/^\.?\/+/, '').replace(/^usr\//, '');
  const parts = p.split('/');
  if (parts.some((c) => c === '' || c === '.' || c === '..')) return undefined;
  if (parts[0] !== 'lib') return undefined;
  if (parts[1] === 'modules' && parts.length >= 4) return { path: p, kver: parts[2] };
  if (parts[1] === 'firmware' && parts.length >= 3) return { path: p };
  return undefined;
}

/** Reads the header and the payload of `file`; errors name it. */
export async function readDriverRpm(file: string): Promise<DriverRpm> {
  return withFileAsync(file, async () => {
    // Digests (rpm -K) and header names (rpmbuild's rules) first, as for every RPM a build packs.
    const { info } = await readPackRpm(file);
    const nevra = `${info.name}-${info.version}-${info.release}.${info.arch}`;
    const data = await openRpmPayload(file, info);
    const files: DriverFile[] = [];
    const ignored: string[] = [];
    const kvers = new Set<string>();
    try {
      for await (const e of readNewc(data.chunks)) {
        const where = driverPath(e.name);
        const type = e.mode & S_IFMT;
        if (type === S_IFDIR) continue;
        if (where === undefined || type !== S_IFREG) {
          ignored.push(`/${e.name.replace(/^\.?\/+/, '')}`);
          continue;
        }
        if (where.kver !== undefined && !KVER_RE.test(where.kver)) {
          // The kernel version reaches depmod's command line: a kernel release's characters only.
          throw new SuppackError(`${JSON.stringify(where.kver.slice(0, 80))} is not a kernel version: expected ASCII letters, digits and . _ + ~ - not starting with - or .`, {
            field: `payload /${e.name.replace(/^\.?\/+/, '').slice(0, 200)}`,
          });
        }
        files.push({ path: where.path, mode: e.mode & 0o7777, data: await e.buffer(MAX_FILE_BYTES) });
        if (where.kver !== undefined) kvers.add(where.kver);
      }
    } catch (e) {
      throw await data.explain(e);
    } finally {
      data.close();
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const modules = files.map((f) => f.path).filter((p) => p.startsWith('lib/modules/') && MODULE_RE.test(p));
    if (modules.length === 0) {
      throw new SuppackError(`${nevra} has no kernel module (no /lib/modules/<kernel version>/**/*.ko file), expected a driver RPM`, {
        field: 'payload',
      });
    }
    return { file, nevra, kvers: [...kvers].sort(), files, modules, ignored: ignored.sort() };
  });
}


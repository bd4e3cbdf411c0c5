/**
 * Kernel build trees from the vendors' kernel-devel RPMs (docs/kernel-devel.md), so that driver
 * modules build against the exact headers of the host's kernel without the DDK VM.
 *
 * A kernel-devel RPM (XenServer, XCP-ng, CentOS) installs the build tree under
 * `/usr/src/kernels/<dir>/` (XCP-ng: `<release>-x86_64`) and the link
 * `/lib/modules/<release>/build` → that directory. build-rpms extracts the RPM natively (the RPM
 * reader, the payload decompressed as driver-rpm.ts does, the cpio newc reader: docs/formats/containers.md §4, 6)
 * into `<rpmbuild work dir>/kernels/<k>/` and passes the tree as %{kernel_build_dir}. Inside the
 * work dir the tree is under rpmbuild's `-ffile-prefix-map` (core/products/rpms/rpmbuild.ts), so the modules'
 * debug info holds no workspace path.
 *
 * The payload is untrusted input until it is on disk: every name is made relative and may not
 * climb with `..`; a symlink's target is kept inside the extraction root (an absolute target is
 * rewritten relative to the root, a relative one that climbs out is refused); nothing is written
 * through a symlink; no entry appears twice; device nodes, fifos and sockets are skipped; modes
 * lose setuid/setgid/sticky; entry count and total size are bounded. After extraction every
 * symlink is resolved by the file system and must stay inside the root. (The tree's Makefile runs
 * when the module builds: only use kernel-devel RPMs from the vendor.)
 */
import { closeSync, createWriteStream, existsSync, fchmodSync, futimesSync, openSync, promises as fsp, readdirSync, realpathSync, writeSync } from 'node:fs';
import { release as osRelease } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { posix, join, sep } from 'node:path';
import { SuppackError, describeNodeError, isNodeError, withFileAsync, describeError } from '../../base/errors';
import { hashFile } from '../../base/digest';
import { readNewc, type CpioEntry } from '../../formats/rpm/cpio';
import { parseRpm, readRpm } from '../../formats/rpm/read';
import { rpmvercmp } from '../../formats/rpm/version';
import { openRpmPayload } from '../../xenserver/installer/decompress';
import { kernelRelease } from './render-spec';
import type { Kernel, Manifest } from '../../../schemas/manifest';
import { makeDir } from '../../base/make-dir';

/** Subdirectory of build-rpms' work directory (dist/<project>/.rpmbuild) holding the extracted trees. */
export const KERNELS_SUBDIR = 'kernels';

export interface ExtractLimits {
  /** Most cpio entries accepted. */
  maxEntries: number;
  /** Most bytes of file data written in all. */
  maxBytes: number;
}

/** A kernel-devel tree has 15-60 thousand entries and 60-300 MB; these leave room and stop a bomb. */
export const EXTRACT_LIMITS: ExtractLimits = { maxEntries: 1_000_000, maxBytes: 4 * 1024 ** 3 };

export interface Extracted {
  /** Entries written (directories, files, hard links, symlinks). */
  entries: number;
  /** Bytes of file data written. */
  bytes: number;
  /** Payload names skipped: device nodes, fifos, sockets. */
  skipped: string[];
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** PATH_MAX: the longest symlink target accepted. */
const MAX_LINK_TARGET = 4096;
/** Files up to this size are read whole and written with one call; bigger ones are streamed. */
const SMALL_FILE = 1 << 20;

/**
 * The path of a payload entry relative to the extraction root (`./usr/src/x` → `usr/src/x`), ''
 * for the root itself, or a SuppackError for a name that climbs with `..`.
 */
export function entryPath(name: string): string {
  const parts = name.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw new SuppackError(`entry ${JSON.stringify(name)} climbs out of the extraction root with ".."`, { field: 'payload' });
  return parts.join('/');
}

/**
 * Where the symlink at `path` (relative to the root) may point, as a target relative to its own
 * directory: an absolute target means the same path inside the root; a relative one must not
 * leave the root. Throws a SuppackError otherwise.
 */
export function linkTarget(path: string, target: string): string {
  if (target === '' || target.includes('\0')) throw new SuppackError(`symlink ${JSON.stringify(path)} has an empty or NUL-holding target`, { field: 'payload' });
  const dir = posix.dirname(path);
  if (target.startsWith('/')) {
    const inRoot = posix.normalize(target).replace(/^\/+/, '');
    return posix.relative(dir, inRoot) || '.';
  }
  const resolved = posix.normalize(posix.join(dir, target));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw new SuppackError(`symlink ${JSON.stringify(path)} -> ${JSON.stringify(target)} points outside the extraction root`, { field: 'payload' });
  }
  return target;
}

/**
 * Extract every file, directory, hard link and symlink of the RPM `file` into `dest` (created,
 * must not exist). Errors are one line naming `file`; on error `dest` may hold a partial tree
 * (callers extract into a temporary directory).
 */
export async function extractRpm(file: string, dest: string, limits: ExtractLimits = EXTRACT_LIMITS): Promise<Extracted> {
  return withFileAsync(file, async () => {
    const info = await readRpm(file);
    await fsp.mkdir(dest, { recursive: false });
    const data = await openRpmPayload(file, info);
    try {
      return await extractEntries(data.chunks, dest, limits);
    } catch (e) {
      throw await data.explain(e);
    } finally {
      data.close();
    }
  });
}

async function extractEntries(chunks: AsyncIterable<Buffer>, dest: string, limits: ExtractLimits): Promise<Extracted> {
  const seen = new Set<string>();
  const links = new Set<string>();
  const dirModes = new Map<string, number>();
  const hardLinks = new Map<string, { data?: string; pending: string[] }>();
  const skipped: string[] = [];
  let entries = 0;
  let bytes = 0;
  const fail = (what: string): never => {
    throw new SuppackError(what, { field: 'payload' });
  };
  const madeDirs = new Set<string>(['']);
  const ensureParent = async (rel: string) => {
    const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
    if (madeDirs.has(parent)) return;
    await makeDir(join(dest, parent));
    for (let p = parent; p !== '' && !madeDirs.has(p); p = posix.dirname(p) === '.' ? '' : posix.dirname(p)) madeDirs.add(p);
  };

  let current = '';
  try {
    for await (const e of readNewc(chunks)) {
      current = e.name;
      await extractEntry(e);
    }
  } catch (e) {
    // A file where a directory must be, no space left...: one line naming the entry.
    if (isNodeError(e) && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) fail(`cannot write entry ${JSON.stringify(current)}: ${describeNodeError(e)}`);
    throw e;
  }
  // Directories get their modes last (a read-only one would stop its own extraction).
  for (const [rel, mode] of [...dirModes].sort((a, b) => b[0].length - a[0].length)) await fsp.chmod(join(dest, rel), mode);
  checkLinksInside(dest, links);
  return { entries, bytes, skipped: skipped.sort() };

  async function extractEntry(e: CpioEntry): Promise<void> {
    const rel = entryPath(e.name);
    const type = e.mode & S_IFMT;
    if (rel === '') return; // the root directory itself
    if (++entries > limits.maxEntries) fail(`more than ${limits.maxEntries} entries`);
    if (seen.has(rel)) fail(`entry ${JSON.stringify(rel)} appears twice`);
    seen.add(rel);
    // Nothing is written through a symlink: no ancestor of the entry may be one.
    for (let p = posix.dirname(rel); p !== '.'; p = posix.dirname(p)) {
      if (links.has(p)) fail(`entry ${JSON.stringify(rel)} lies under the symlink ${JSON.stringify(p)}`);
    }
    const abs = join(dest, rel);
    if (type === S_IFDIR) {
      await makeDir(abs);
      for (let p = rel; p !== '' && !madeDirs.has(p); p = posix.dirname(p) === '.' ? '' : posix.dirname(p)) madeDirs.add(p);
      dirModes.set(rel, (e.mode & 0o777) | 0o700);
      return;
    }
    if (type === S_IFLNK) {
      if (e.size > MAX_LINK_TARGET) fail(`symlink ${JSON.stringify(rel)} has a ${e.size}-byte target, more than ${MAX_LINK_TARGET}`);
      const target = linkTarget(rel, (await e.buffer(MAX_LINK_TARGET)).toString('utf8'));
      await ensureParent(rel);
      await fsp.symlink(target, abs);
      links.add(rel);
      return;
    }
    if (type !== S_IFREG) {
      skipped.push(rel);
      return;
    }
    bytes += e.size;
    if (bytes > limits.maxBytes) fail(`more than ${limits.maxBytes} bytes of file data`);
    await ensureParent(rel);
    const mode = (e.mode & 0o777) | 0o600;
    // `wx` (O_CREAT|O_EXCL) never follows a symlink at the path itself.
    if (e.size <= SMALL_FILE) {
      // Synchronous: a tree has tens of thousands of small files, and these calls are quick.
      const data = await e.buffer(SMALL_FILE);
      const fd = openSync(abs, 'wx', mode);
      try {
        for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
        fchmodSync(fd, mode); // the umask does not apply
        futimesSync(fd, e.mtime, e.mtime);
      } finally {
        closeSync(fd);
      }
    } else {
      await pipeline(e.body(), createWriteStream(abs, { flags: 'wx', mode }));
      await fsp.chmod(abs, mode);
      await fsp.utimes(abs, e.mtime, e.mtime);
    }
    // newc hard links (docs/formats/containers.md §6): one name of the inode carries the data (rpm and GNU cpio:
    // the last), the others none; each name becomes a link to the one with the data.
    if (e.nlink > 1) {
      const key = `${e.devMajor}:${e.devMinor}:${e.ino}`;
      const group = hardLinks.get(key) ?? { pending: [] };
      hardLinks.set(key, group);
      if (e.size > 0 || group.data !== undefined) {
        const data = e.size > 0 ? rel : group.data!;
        for (const other of e.size > 0 ? group.pending : [rel]) {
          await fsp.rm(join(dest, other));
          await fsp.link(join(dest, data), join(dest, other));
        }
        if (e.size > 0) group.data = rel;
        group.pending = [];
      } else {
        group.pending.push(rel);
      }
    }
  }
}

/** Every symlink, resolved by the file system (through other links), stays inside `dest`. */
function checkLinksInside(dest: string, links: Set<string>): void {
  // realpath(3), not Node's JS realpath, which folds `..` before it follows links.
  const root = realpathSync.native(dest);
  for (const rel of [...links].sort()) {
    let real: string;
    try {
      real = realpathSync.native(join(dest, rel));
    } catch {
      continue; // dangling or looping: it reaches nothing
    }
    if (real !== root && !real.startsWith(root + sep)) {
      throw new SuppackError(`symlink ${JSON.stringify(rel)} resolves (through other symlinks) outside the extraction root`, { field: 'payload' });
    }
  }
}

/**
 * The kernel build tree of `release` in an extracted kernel-devel root: where
 * `lib/modules/<release>/build` leads, else `usr/src/kernels/<release>`, else the only directory
 * of `usr/src/kernels/`. Undefined when there is none.
 */
export async function findBuildTree(root: string, release: string): Promise<string | undefined> {
  const isDir = (p: string) => fsp.stat(p).then((s) => s.isDirectory(), () => false);
  const link = join(root, 'lib', 'modules', release, 'build');
  if (await isDir(link)) return realpathSync.native(link);
  const named = join(root, 'usr', 'src', 'kernels', release);
  if (await isDir(named)) return realpathSync.native(named);
  const kernels = join(root, 'usr', 'src', 'kernels');
  const dirs: string[] = [];
  for (const d of await fsp.readdir(kernels).catch(() => [] as string[])) if (await isDir(join(kernels, d))) dirs.push(d);
  return dirs.length === 1 ? realpathSync.native(join(kernels, dirs[0]!)) : undefined;
}

/**
 * The kernel release a build tree builds modules for (their vermagic): UTS_RELEASE of
 * include/generated/utsrelease.h (Linux 2.6.33+) or include/linux/utsrelease.h (2.6.18-2.6.32),
 * or undefined when neither says.
 */
export async function treeRelease(tree: string): Promise<string | undefined> {
  for (const f of ['include/generated/utsrelease.h', 'include/linux/utsrelease.h', 'include/linux/version.h']) {
    const text = await fsp.readFile(join(tree, f), 'utf8').catch(() => undefined);
    const m = text === undefined ? null : /^#define\s+UTS_RELEASE\s+"([^"\n]*)"/m.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

export interface KernelTreesOptions {
  /** Where `kernels[].develRpm` paths start: the workspace root. */
  baseDir: string;
  /** build-rpms' work directory (dist/<project>/.rpmbuild); the trees go to its kernels/ subdirectory. */
  workDir: string;
  /** The manifest as errors name it. */
  manifestFile: string;
  log?: (line: string) => void;
  limits?: ExtractLimits;
}

/**
 * For every kernel with a `develRpm`: its build tree extracted (again only when the RPM's bytes
 * changed: a sha256 stamp sits next to the tree) and checked to build for that kernel's release.
 * Returns the manifest with those kernels' `buildDir` set to the trees, for buildRpms.
 */
export async function prepareKernelTrees(manifest: Manifest, o: KernelTreesOptions): Promise<Manifest> {
  const base = join(o.workDir, KERNELS_SUBDIR);
  const wanted = manifest.rpms.some((r) => r.kind === 'kernel-module') ? manifest.kernels.flatMap((k, i) => (k.develRpm !== undefined ? [String(i)] : [])) : [];
  // Trees of kernels no longer listed (or moved to another index) go.
  for (const name of await fsp.readdir(base).catch(() => [] as string[])) {
    if (!wanted.includes(name.replace(/\.(sha256|tmp)$/, ''))) await fsp.rm(join(base, name), { recursive: true, force: true });
  }
  if (wanted.length === 0) return manifest;
  const kernels: Kernel[] = [];
  await makeDir(base);
  for (const [i, k] of manifest.kernels.entries()) {
    if (k.develRpm === undefined) {
      kernels.push(k);
      continue;
    }
    const field = `kernels[${i}].develRpm`;
    const rpm = join(o.baseDir, k.develRpm);
    const digest = await hashFile(rpm, ['sha256']).catch((e: unknown) => {
      throw new SuppackError(`${describeError(e)} (the kernel-devel RPM ${k.develRpm}, relative to the workspace root)`, {
        file: o.manifestFile,
        field,
      });
    });
    const stamp = `${digest.hex.sha256!}\n`;
    const root = join(base, String(i));
    const stampFile = `${root}.sha256`;
    const release = kernelRelease(k);
    if ((await fsp.readFile(stampFile, 'utf8').catch(() => '')) !== stamp) {
      await fsp.rm(stampFile, { force: true });
      await fsp.rm(root, { recursive: true, force: true });
      const tmp = `${root}.tmp`;
      await fsp.rm(tmp, { recursive: true, force: true });
      o.log?.(`extracting ${k.develRpm} for kernel ${release}`);
      try {
        await extractRpm(rpm, tmp, o.limits);
      } catch (e) {
        await fsp.rm(tmp, { recursive: true, force: true });
        throw e;
      }
      await fsp.rename(tmp, root);
      await fsp.writeFile(stampFile, stamp);
    }
    const tree = await findBuildTree(root, release);
    if (tree === undefined) {
      throw new SuppackError(
        `${k.develRpm} holds no kernel build tree for ${release}: expected /lib/modules/${release}/build or one directory /usr/src/kernels/<release>/ (a kernel-devel RPM)`,
        { file: o.manifestFile, field },
      );
    }
    const built = await treeRelease(tree);
    if (built !== undefined && built !== release) {
      throw new SuppackError(
        `${k.develRpm} builds modules for kernel ${built} (UTS_RELEASE of its headers), not ${release}: set kernels[${i}].version${k.flavour !== undefined ? ' and flavour' : ''} to its release`,
        { file: o.manifestFile, field },
      );
    }
    kernels.push({ ...k, buildDir: tree });
  }
  return { ...manifest, kernels };
}

/**
 * The kernel releases whose build trees are installed on this machine (`<modulesDir>/<release>/build`
 * holding a Makefile, as linux-headers-* and kernel-devel install them): `running` first when it
 * is one of them, then the newest first (rpmvercmp).
 */
export function installedKernels(modulesDir = '/lib/modules', running = osRelease()): string[] {
  let names: string[];
  try {
    names = readdirSync(modulesDir);
  } catch {
    return [];
  }
  const found = names.filter((k) => existsSync(join(modulesDir, k, 'build', 'Makefile')));
  return found.sort((a, b) => (a === running ? -1 : b === running ? 1 : rpmvercmp(b, a)));
}

/**
 * The releases a kernel-devel RPM builds for, from its header's file list (`/lib/modules/<release>/build`),
 * sorted; the payload is not read.
 */
export function develRpmReleases(bytes: Buffer, file: string): string[] {
  const info = parseRpm(bytes, file, bytes.length);
  const releases = new Set<string>();
  for (const f of info.files) {
    const m = /^\/lib\/modules\/([^/]+)\/build$/.exec(f.path);
    if (m) releases.add(m[1]!);
  }
  return [...releases].sort();
}

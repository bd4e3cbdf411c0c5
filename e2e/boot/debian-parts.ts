/**
 * The Debian binaries an installer fixture is made of (docs/boot-testing.md "Debian packages that
 * provide the parts"): the dom0 kernel, Xen and a static busybox are fetched with
 * `apt-get download` and unpacked with `dpkg-deb -x` (never installed); the boot loaders come
 * from installed packages. Downloads are cached under os.tmpdir(), keyed by package version.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Installed files the fixture copies (packages isolinux, syslinux-common, ovmf). */
export const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';
export const ISOHDPFX_BIN = '/usr/lib/ISOLINUX/isohdpfx.bin';
export const SYSLINUX_BIOS_MODULES = '/usr/lib/syslinux/modules/bios';
export const GRUB_EFI_MODULES = '/usr/lib/grub/x86_64-efi';

/** Meta packages whose Depends name the versioned packages (so a Debian release bump needs no edit). */
const XEN_META_PACKAGE = 'xen-system-amd64';
const KERNEL_META_PACKAGE = 'linux-image-amd64';
const BUSYBOX_PACKAGE = 'busybox-static';

export interface DebianParts {
  /** The dom0 kernel (bzImage), from linux-image-<abi>-amd64. */
  vmlinuz: string;
  /** The gzip'd multiboot hypervisor, from xen-hypervisor-<version>-amd64. */
  xenGz: string;
  /** A statically linked busybox, from busybox-static. */
  busybox: string;
  /** package name -> version of the three downloaded packages. */
  versions: Record<string, string>;
}

/** The cache root shared by every fixture build on this machine (not the test run's own TMPDIR: testing/global-setup.ts). */
export function fixtureCacheDir(): string {
  return join(process.env['SUPPACK_TEST_CACHE_ROOT'] ?? tmpdir(), 'suppack-boot-fixture-cache');
}

/** Fetch (or reuse from the cache) the kernel, Xen and busybox. */
export function debianParts(cacheDir: string = fixtureCacheDir()): DebianParts {
  mkdirSync(cacheDir, { recursive: true });
  const kernelPackage = dependencyOf(KERNEL_META_PACKAGE, /(linux-image-[0-9][^\s,(]*-amd64)/);
  const xenPackage = dependencyOf(XEN_META_PACKAGE, /(xen-hypervisor-[0-9][^\s,(]*-amd64)/);
  const versions: Record<string, string> = {};
  const extract = (pkg: string, pick: (root: string) => string, as: string): string => {
    const version = candidateVersion(pkg);
    versions[pkg] = version;
    return cachedFile(cacheDir, pkg, version, pick, as);
  };
  const vmlinuz = extract(kernelPackage, (root) => findOne(join(root, 'boot'), /^vmlinuz-/), 'vmlinuz');
  const xenGz = extract(xenPackage, (root) => findOne(join(root, 'boot'), /^xen-.*\.gz$/), 'xen.gz');
  const busybox = extract(BUSYBOX_PACKAGE, (root) => join(root, 'bin/busybox'), 'busybox');
  return { vmlinuz, xenGz, busybox, versions };
}

/** The versioned package a meta package depends on, e.g. linux-image-6.1.0-56-amd64, xen-hypervisor-4.17-amd64. */
function dependencyOf(meta: string, pattern: RegExp): string {
  const show = execFileSync('apt-cache', ['show', '--no-all-versions', meta], { encoding: 'utf8' });
  const depends = /^Depends: (.*)$/m.exec(show)?.[1] ?? '';
  const name = pattern.exec(depends)?.[1];
  if (!name) throw new Error(`cannot find ${pattern} in "${meta}" Depends: ${depends}`);
  return name;
}

function candidateVersion(pkg: string): string {
  const show = execFileSync('apt-cache', ['show', '--no-all-versions', pkg], { encoding: 'utf8' });
  const version = /^Version: (\S+)$/m.exec(show)?.[1];
  if (!version) throw new Error(`apt-cache knows no version of ${pkg}`);
  return version;
}

/**
 * `<cacheDir>/<pkg>_<version>/<as>`: downloaded and extracted once. Work happens in a temp dir
 * that is renamed into place, so concurrent builds never see a half-extracted entry.
 */
function cachedFile(cacheDir: string, pkg: string, version: string, pick: (root: string) => string, as: string): string {
  const entry = join(cacheDir, `${pkg}_${version.replace(/[^A-Za-z0-9.+~-]/g, '_')}`);
  const file = join(entry, as);
  if (existsSync(file)) return file;
  const work = mkdtempSync(join(cacheDir, `.${pkg}-`));
  try {
    execFileSync('apt-get', ['download', '-q', `${pkg}=${version}`], { cwd: work, stdio: 'pipe' });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg}=${version} left no .deb in ${work}`);
    const root = join(work, 'root');
    execFileSync('dpkg-deb', ['-x', join(work, deb), root], { stdio: 'pipe' });
    const staged = join(work, 'entry');
    mkdirSync(staged);
    copyFileSync(pick(root), join(staged, as));
    try {
      renameSync(staged, entry);
    } catch (e) {
      // Another build got there first: theirs is as good as ours.
      if (!existsSync(file)) throw e;
    }
    return file;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function findOne(dir: string, re: RegExp): string {
  const hits = readdirSync(dir).filter((f) => re.test(f));
  if (hits.length !== 1) throw new Error(`expected exactly one ${re} in ${dir}, found ${hits.join(', ') || 'none'}`);
  return join(dir, hits[0]!);
}

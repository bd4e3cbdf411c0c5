/**
 * kernel-devel RPMs for tests, laid out as XCP-ng's (docs/kernel-devel.md): the build tree under
 * /usr/src/kernels/<release>/ and the absolute link /lib/modules/<release>/build → it, built by
 * the real rpmbuild. `debianHeadersTree` makes a self-contained build tree from the Debian
 * linux-headers installed here (the arch package links into the -common one and into
 * linux-kbuild: both dereferenced and merged), renamed to another release, so a module built
 * against it carries that release in its vermagic.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Commands run without blocking the event loop (vitest's worker must keep answering). */
const run = promisify(execFile);

/** The installed Debian headers: /lib/modules/<k>/build → /usr/src/linux-headers-<k> (the arch part). */
export function installedHeaders(): { kernel: string; arch: string; common: string } {
  const kernel = readdirSync('/lib/modules')
    .filter((k) => existsSync(join('/lib/modules', k, 'build', 'Makefile')))
    .sort()[0];
  if (kernel === undefined) throw new Error('no kernel headers under /lib/modules/*/build: apt-get install linux-headers-amd64');
  const arch = realpathSync(join('/lib/modules', kernel, 'build'));
  const include = /^include (\/\S+)\/Makefile$/m.exec(readFileSync(join(arch, 'Makefile'), 'utf8'));
  if (!include) throw new Error(`${arch}/Makefile: expected Debian's "include <common>/Makefile" wrapper`);
  return { kernel, arch, common: include[1]! };
}

/**
 * A self-contained kernel build tree in `dest` for `release`: the -common tree and the arch tree
 * copied with every symlink dereferenced, the arch Makefile's variables (ARCH, CC, release) put
 * before the kernel's own Makefile, and the release files rewritten.
 */
export async function debianHeadersTree(dest: string, release: string): Promise<void> {
  const h = installedHeaders();
  mkdirSync(dest, { recursive: true });
  await run('cp', ['-rL', `${h.common}/.`, dest]);
  await run('cp', ['-rL', `${h.arch}/.`, dest]);
  const wrapper = readFileSync(join(h.arch, 'Makefile'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('include '))
    .map((l) => (l.startsWith('override KERNELRELEASE') ? `override KERNELRELEASE = ${release}` : l))
    .join('\n');
  writeFileSync(join(dest, 'Makefile'), `${wrapper}\n${readFileSync(join(h.common, 'Makefile'), 'utf8')}`);
  writeFileSync(join(dest, 'include/config/kernel.release'), `${release}\n`);
  writeFileSync(join(dest, 'include/generated/utsrelease.h'), `#define UTS_RELEASE "${release}"\n`);
}

export interface KernelDevelRpmOptions {
  /** The kernel release: /usr/src/kernels/<release>/, /lib/modules/<release>/build. */
  release: string;
  /** The build tree to package. */
  tree: string;
  /** Directory for the RPM (and rpmbuild's scratch). */
  outDir: string;
  /** RPM Release tag (default 1): another one gives other bytes from the same tree. */
  rpmRelease?: string;
  /** rpmbuild's %_binary_payload (default w1.gzdio, fast; XCP-ng's own RPMs have w2.xzdio). */
  payload?: string;
  /** The directory under /usr/src/kernels/ (default the release; XCP-ng uses <release>-x86_64). */
  srcDir?: string;
}

/** Builds kernel-devel-<release>.rpm with rpmbuild; returns its path. */
export async function kernelDevelRpm(o: KernelDevelRpmOptions): Promise<string> {
  const top = mkdtempSync(join(tmpdir(), 'suppack-kdevel-top-'));
  const srcDir = o.srcDir ?? o.release;
  const spec = join(top, 'kernel-devel.spec');
  writeFileSync(
    spec,
    [
      'Name: kernel-devel',
      'Version: %{kversion}',
      `Release: ${o.rpmRelease ?? '1'}`,
      'Summary: Kernel build tree for test modules',
      'License: GPL-2.0-only',
      'AutoReqProv: no',
      '%description',
      'Test kernel-devel laid out as XCP-ng ships it.',
      '%install',
      'mkdir -p %{buildroot}/usr/src/kernels/%{srcdir} %{buildroot}/lib/modules/%{krel}',
      'cp -a %{tree}/. %{buildroot}/usr/src/kernels/%{srcdir}/',
      'ln -s /usr/src/kernels/%{srcdir} %{buildroot}/lib/modules/%{krel}/build',
      '%files',
      '/usr/src/kernels/%{srcdir}',
      '/lib/modules/%{krel}/build',
      '',
    ].join('\n'),
  );
  const defines: Record<string, string> = {
    _topdir: top,
    tree: o.tree,
    krel: o.release,
    srcdir: srcDir,
    kversion: o.release.replace(/[^A-Za-z0-9._+~]/g, '.'),
    _binary_payload: o.payload ?? 'w1.gzdio',
    debug_package: '%{nil}',
    __os_install_post: '%{nil}',
    _build_id_links: 'none',
  };
  await run('rpmbuild', ['-bb', '--nodeps', ...Object.entries(defines).flatMap(([k, v]) => ['--define', `${k} ${v}`]), spec], {
    env: { ...process.env, LC_ALL: 'C' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const arch = readdirSync(join(top, 'RPMS'))[0]!;
  const built = readdirSync(join(top, 'RPMS', arch))[0]!;
  mkdirSync(o.outDir, { recursive: true });
  const out = join(o.outDir, built);
  await run('cp', [join(top, 'RPMS', arch, built), out]);
  rmSync(top, { recursive: true, force: true });
  return out;
}

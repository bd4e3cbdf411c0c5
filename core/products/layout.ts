/**
 * Where each stage of a pack, bundle or installer project writes, relative to the workspace root. One place for the
 * Nx plugin (target outputs), the executors and the gulp plugin, so they cannot disagree.
 * Paths are POSIX and relative: no machine path ever reaches a target or a cache key.
 */
import { posix } from 'node:path';
import type { Kernel } from '../../schemas/manifest';

export interface StageDirs {
  /** Everything of the project: dist/<projectRoot>. */
  root: string;
  /** render-spec: rendered .spec files and extras/ (status-report XML, EULAs). */
  specs: string;
  /** build-srctarballs: <name>-<version>.tar.gz. */
  sources: string;
  /** build-rpms: binary RPMs rpmbuild made (debuginfo left out). */
  built: string;
  /** collect-rpms: every RPM of the pack, built and prebuilt. */
  rpms: string;
  /** lint: lint.json and lint.sarif (docs/lint.md). */
  lint: string;
  /** pack-metadata: XS-REPOSITORY and XS-PACKAGES. */
  metadata: string;
  /** build-iso: <label>.iso, <label>.iso.md5, <label>.metadata.md5. */
  iso: string;
  /** bundle: <label>.zip. */
  bundle: string;
  /** combine-packs (bundle projects): <name>.iso, <name>.iso.md5. */
  bundleIso: string;
  /** rebuild-iso (installer projects): the rebuilt installer ISO. */
  installer: string;
  /** Scratch space of build-rpms (rpmbuild's BUILD, BUILDROOT; kernels/: extracted kernel-devel trees); not a target output, never cached. */
  work: string;
}

export function stageDirs(projectRoot: string): StageDirs {
  const root = posix.join('dist', toPosix(projectRoot) || '.');
  return {
    root,
    specs: posix.join(root, 'specs'),
    sources: posix.join(root, 'SOURCES'),
    built: posix.join(root, 'RPMS'),
    rpms: posix.join(root, 'rpms'),
    lint: posix.join(root, 'lint'),
    metadata: posix.join(root, 'metadata'),
    iso: posix.join(root, 'iso'),
    bundle: posix.join(root, 'bundle'),
    bundleIso: posix.join(root, 'bundle-iso'),
    installer: posix.join(root, 'installer'),
    work: posix.join(root, '.rpmbuild'),
  };
}

function toPosix(p: string): string {
  return p.split(/[\\/]+/).filter(Boolean).join('/');
}

/** The `uname -r` of a kernel: version + flavour (`2.6.32.43-0.4.1.xs1.8.0.835.170778` + `xen`). */
export function kernelRelease(k: Kernel): string {
  return `${k.version}${k.flavour ?? ''}`;
}

/** The kernel build tree build-rpms passes as %{kernel_build_dir}. */
export function kernelBuildDir(k: Kernel): string {
  return k.buildDir ?? `/lib/modules/${kernelRelease(k)}/build`;
}

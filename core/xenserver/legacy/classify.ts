/**
 * How supp-pack-build classified an RPM for XS-PACKAGES and which files it allowed in it
 * (docs/formats/xenserver.md §1.2, `Package.__init__` and `Package.check`). The vendor's quirks are kept on
 * purpose so that a pack built here lists the same type/label/kernel/options as the DDK would.
 */
import { SuppackError } from '../../base/errors';
import type { RpmInfo } from '../../formats/rpm/types';

export interface ClassifiedPackage {
  type: 'rpm' | 'driver-rpm';
  label: string;
  /** driver-rpm only: the kernel version from the NAME, or `any`. */
  kernel?: string;
  /** `-i` for kernel packages (installed side by side with rpm -i, not upgraded). */
  options?: string;
  /** The package counts as a kernel (see `isKernelName`). */
  isKernel: boolean;
}

/**
 * docs/formats/xenserver.md §1.2: the vendor code tests `rpmname in ('kernel')`, and `('kernel')` is a string,
 * not a tuple, so this is a SUBSTRING test of the NAME in "kernel": `kernel`, `kern`, `nel`
 * count as kernels, while `kernel-xen` or `kernel-devel` do not. Kept as is.
 */
export function isKernelName(name: string): boolean {
  return 'kernel'.includes(name);
}

/**
 * docs/formats/xenserver.md §1.2: `re.search('(.*)-(.*)-modules', NAME)`: unanchored, both groups greedy, so
 * group 1 takes everything up to the LAST `-X-modules` split: `my-drv-4.19.0+1-modules` gives
 * label `my-drv`, kernel `4.19.0+1`, but a kernel version with a dash
 * (`drv-4.19.19-7.0-modules`) gives label `drv-4.19.19`, kernel `7.0`; and text after
 * `-modules` is ignored (`a-b-modules-extra` gives `a`, `b`). JS and Python backtrack alike:
 * group 1 ends at the last `-` before the last `-modules`, group 2 runs from there to it.
 */
export function modulesNameSplit(name: string): { label: string; kernel: string } | undefined {
  // The same split found in time linear in the name: the regex itself backtracks cubically (a
  // 12 KB name of dashes and "modules" took minutes). `.` stops at a line end, so the match lies
  // in one line, and in the first line that has one (it starts where that line starts).
  for (const line of name.split(/[\n\r\u2028\u2029]/)) {
    const modules = line.lastIndexOf('-modules');
    const dash = modules > 0 ? line.lastIndexOf('-', modules - 1) : -1;
    if (dash >= 0) return { label: line.slice(0, dash), kernel: line.slice(dash + 1, modules) };
  }
  return undefined;
}

/**
 * The NAME forms suppack reads from the modules the RPM actually ships, before the vendor regex:
 * - `<label>-<k>-modules`, where `/lib/modules/<k>/` is in the RPM: exact even when the kernel
 *   release has dashes (Debian's `6.1.0-56-amd64`, XenServer 6's `2.6.32.43-0.4.1...xen`), where
 *   the regex alone splits at the wrong dash;
 * - `<label>-modules-<flavour>-<kernel>`, the DDK guide's 7.7.2 naming (older supp-pack-build's
 *   `(.*)-modules-([^-]*)-(.*)`), where `/lib/modules/<kernel><flavour>/` is in the RPM.
 * On well-formed names both agree with the vendor regex, so packs the DDK built list the same.
 */
function kernelFromModules(info: RpmInfo): { label: string; kernel: string } | undefined {
  const kernels = new Set<string>();
  for (const { path } of info.files) {
    const m = /^\/lib\/modules\/([^/]+)\/./.exec(path);
    if (m) kernels.add(m[1]!);
  }
  for (const k of kernels) {
    const suffix = `-${k}-modules`;
    if (info.name.endsWith(suffix) && info.name.length > suffix.length) {
      return { label: info.name.slice(0, -suffix.length), kernel: k };
    }
    const ddk = ddkModulesNameSplit(info.name);
    if (ddk && ddk.kernel + ddk.flavour === k) return { label: ddk.label, kernel: k };
  }
  return undefined;
}

/**
 * `/^(.+)-modules-([^-]+)-(.+)$/` (the DDK guide's 7.7.2 naming) in time linear in the name:
 * group 1, greedy, ends at the last `-modules-` followed by a run without `-`, a `-` and more.
 * Groups 1 and 3 (`.`) hold no line end; group 2 (`[^-]`) may.
 */
export function ddkModulesNameSplit(name: string): { label: string; flavour: string; kernel: string } | undefined {
  const ends = [...name.matchAll(/[\n\r\u2028\u2029]/g)].map((m) => m.index!);
  const firstEnd = ends[0] ?? name.length;
  const lastEnd = ends.at(-1) ?? -1;
  const after = '-modules-'.length;
  for (let at = name.lastIndexOf('-modules-'); at >= 1; at = name.lastIndexOf('-modules-', at - 1)) {
    if (at > firstEnd) continue;
    const dash = name.indexOf('-', at + after);
    if (dash > at + after && dash < name.length - 1 && dash > lastEnd) return { label: name.slice(0, at), flavour: name.slice(at + after, dash), kernel: name.slice(dash + 1) };
  }
  return undefined;
}

export function classifyPackage(info: RpmInfo): ClassifiedPackage {
  const isKernel = isKernelName(info.name);
  const options = isKernel ? '-i' : undefined;
  if (!isKernel && info.group.endsWith('/Kernel')) {
    const exact = kernelFromModules(info);
    if (exact) return { type: 'driver-rpm', ...exact, isKernel };
    const m = modulesNameSplit(info.name);
    if (m) return { type: 'driver-rpm', ...m, isKernel };
    return { type: 'driver-rpm', label: info.name, kernel: 'any', isKernel };
  }
  return withOptions({ type: 'rpm', label: info.name, isKernel }, options);
}

function withOptions(p: ClassifiedPackage, options: string | undefined): ClassifiedPackage {
  return options === undefined ? p : { ...p, options };
}

/** Where a driver-rpm for kernel `any` may put files (docs/formats/xenserver.md §1.2; /etc covers udev rules). */
export const KERNEL_ANY_DIRS: readonly string[] = ['/etc/udev/rules.d', '/lib/firmware', '/etc', '/usr/share/doc'];

/**
 * The vendor whitelist is `('md3000-rdac')`, again a string, so `label not in` it is a
 * substring test too: labels `md3000`, `rdac`, `md3000-rdac` may ship /lib/modules/<k>/kernel/.
 */
export function isWhitelistedDriverLabel(label: string): boolean {
  return 'md3000-rdac'.includes(label);
}

/**
 * docs/formats/xenserver.md §1.2 `Package.check`: throws a SuppackError for the first file the DDK would have
 * rejected (file = the RPM path, field = the offending path inside the RPM).
 * Every path the package owns counts, directories included, as in `rpm -qlp`.
 */
export function checkPackagePaths(info: RpmInfo, classified: ClassifiedPackage): void {
  for (const { path } of info.files) {
    const problem = pathProblem(path, classified);
    if (problem !== undefined) throw new SuppackError(problem, { file: info.path, field: path });
  }
}

function pathProblem(path: string, pkg: ClassifiedPackage): string | undefined {
  if (pkg.type === 'rpm') {
    if (pkg.isKernel) return undefined;
    if (path.startsWith('/lib/modules/') || path.startsWith('/boot/vmlinu')) {
      return (
        'a plain RPM (its Group does not end in /Kernel) may not ship kernel modules or kernels; ' +
        'expected no file under /lib/modules/ or /boot/vmlinu* (package kernel modules as a driver RPM: ' +
        'Group ".../Kernel", NAME <label>-<kernel>-modules)'
      );
    }
    return undefined;
  }
  if (pkg.kernel === 'any') {
    if (KERNEL_ANY_DIRS.some((d) => path === d || path.startsWith(`${d}/`))) return undefined;
    return (
      `a driver RPM for kernel "any" (its NAME is not <label>-<kernel>-modules) may only ship files ` +
      `under ${KERNEL_ANY_DIRS.join(', ')}`
    );
  }
  // Specific kernel: only the in-tree directory of THAT kernel is checked (the vendor quirk:
  // files elsewhere, even other kernels' modules, are let through).
  const base = `/lib/modules/${pkg.kernel ?? ''}/`;
  if (path.startsWith(`${base}extra/`) || path.startsWith(`${base}updates/`)) return undefined;
  if (path.startsWith(`${base}kernel/`) && !isWhitelistedDriverLabel(pkg.label)) {
    return `a driver RPM may not replace in-tree modules; expected its modules under ${base}extra/ or ${base}updates/, not ${base}kernel/`;
  }
  return undefined;
}

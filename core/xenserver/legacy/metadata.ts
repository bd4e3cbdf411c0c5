/**
 * XS-REPOSITORY and XS-PACKAGES, the two metadata files of a legacy supplemental pack
 * (docs/formats/xenserver.md §1.4 and 1.5), serialised byte for byte as supp-pack-build wrote them.
 */
import { SuppackError } from '../../base/errors';
import { serializeMinidom, type XmlElement } from './minidom';

export type LegacyTest = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge';
export const LEGACY_TESTS: readonly LegacyTest[] = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];

export interface LegacyRequires {
  originator: string;
  name: string;
  test: LegacyTest;
  product?: string;
  version: string;
  /**
   * Accepted (and read back from hand-edited files) but NOT written: see `requiresElement`.
   */
  build?: string;
}

export interface LegacyRepository {
  /** The vendor code (`--vendor-code`). */
  originator: string;
  /** The pack label (`--label`). */
  name: string;
  product: string;
  version: string;
  /** `--text`: the `<description>` text (and the ISO volume id). */
  description: string;
  build?: string;
  memoryRequirementMb?: number;
  enforceHomogeneity?: boolean;
  hidden?: boolean;
  requires: LegacyRequires[];
}

export type LegacyPackageType = 'rpm' | 'driver-rpm' | 'tbz2';
export const LEGACY_PACKAGE_TYPES: readonly LegacyPackageType[] = ['rpm', 'driver-rpm', 'tbz2'];

export interface LegacyPackage {
  /** Basename of the file on the ISO. */
  file: string;
  label: string;
  type: LegacyPackageType;
  /** Size of the file in bytes. */
  size: number;
  /** Lowercase hex md5 of the file. */
  md5: string;
  /** `-i` for kernels (installed with rpm -i rather than -U). */
  options?: string;
  /** Mandatory for driver-rpm: a kernel version or `any`. Only written for driver-rpm. */
  kernel?: string;
  /** Only written for tbz2 (where the DDK always wrote `/`; the default here too). */
  root?: string;
}

/** docs/formats/xenserver.md §1.4: the XS-REPOSITORY bytes. */
export function xsRepositoryXml(repo: LegacyRepository): string {
  return serializeMinidom(repositoryElement(repo));
}

/** docs/formats/xenserver.md §1.5: the XS-PACKAGES bytes; packages in the given order (1.3). */
export function xsPackagesXml(packages: LegacyPackage[]): string {
  return serializeMinidom({ name: 'packages', attrs: {}, children: packages.map(packageElement) });
}

// docs/formats/xenserver.md §1.4: root attributes; the optional ones only when set, the flags only as "true".
export function repositoryElement(repo: LegacyRepository): XmlElement {
  const attrs: Record<string, string> = {
    originator: repo.originator,
    name: repo.name,
    product: repo.product,
    version: repo.version,
  };
  // An empty build is treated as unset, as the installer does for <requires build="">.
  if (repo.build !== undefined && repo.build !== '') attrs.build = repo.build;
  if (repo.memoryRequirementMb !== undefined) attrs['memory-requirement-mb'] = String(repo.memoryRequirementMb);
  if (repo.enforceHomogeneity === true) attrs['enforce-homogeneity'] = 'true';
  if (repo.hidden === true) attrs.hidden = 'true';
  return {
    name: 'repository',
    attrs,
    // <description> must be the first child: xapi reads the first child's text (1.10).
    children: [{ name: 'description', attrs: {}, text: repo.description }, ...repo.requires.map(requiresElement)],
  };
}

/**
 * docs/formats/xenserver.md §1.1/1.4: `<requires originator name test product version/>`.
 *
 * Choice: `build` is NOT serialised, exactly like supp-pack-build (`requires_attrs` has no
 * build). Keeping it would change the bytes (and the metadata md5) for no effect: the
 * installer and suppack-install compare versions with the build ignored (1.11), so a build in
 * <requires> never changes whether a dependency is satisfied.
 */
export function requiresElement(req: LegacyRequires): XmlElement {
  const attrs: Record<string, string> = {
    originator: req.originator,
    name: req.name,
    test: req.test,
    version: req.version,
  };
  if (req.product !== undefined) attrs.product = req.product;
  return { name: 'requires', attrs };
}

// docs/formats/xenserver.md §1.5: label type size md5 always; options when set; kernel for driver-rpm; root for tbz2.
export function packageElement(pkg: LegacyPackage, index = 0): XmlElement {
  const attrs: Record<string, string> = {
    label: pkg.label,
    type: pkg.type,
    size: String(pkg.size),
    md5: pkg.md5,
  };
  if (pkg.options !== undefined) attrs.options = pkg.options;
  if (pkg.type === 'driver-rpm') {
    if (pkg.kernel === undefined || pkg.kernel === '') {
      throw new SuppackError('a driver-rpm package needs a kernel (a kernel version or "any")', {
        file: pkg.file,
        field: `XS-PACKAGES: package[${index}].kernel`,
      });
    }
    attrs.kernel = pkg.kernel;
  } else if (pkg.type === 'tbz2') {
    attrs.root = pkg.root ?? '/';
  }
  return { name: 'package', attrs, text: pkg.file };
}

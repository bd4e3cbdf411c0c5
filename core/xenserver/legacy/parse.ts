/**
 * Reading XS-REPOSITORY and XS-PACKAGES back, with the rules the installer and python-libs
 * `xcp/repository.py` apply (docs/formats/xenserver.md §1.9). Used to check existing packs and to round-trip.
 */
import { parseXml, type ParsedElement } from '../../formats/xml/read';
import { SuppackError } from '../../base/errors';
import { pyStrip } from '../../base/py-strip';
import {
  LEGACY_PACKAGE_TYPES,
  LEGACY_TESTS,
  type LegacyPackage,
  type LegacyPackageType,
  type LegacyRepository,
  type LegacyRequires,
  type LegacyTest,
} from './metadata';


/** Parse an XS-REPOSITORY document; `file` is named in every error. */
export function parseXsRepository(xml: string, file: string): LegacyRepository {
  const root = parseXml(xml, file);
  const doc = new Reader(file);
  doc.expectName(root, 'repository');
  const repo: LegacyRepository = {
    originator: doc.mandatory(root, 'originator'),
    name: doc.mandatory(root, 'name'),
    product: doc.mandatory(root, 'product'),
    version: doc.mandatory(root, 'version'),
    description: '',
    requires: [],
  };
  const build = doc.optional(root, 'build');
  if (build !== undefined) repo.build = build;
  const mem = root.attrs['memory-requirement-mb'];
  if (mem !== undefined) repo.memoryRequirementMb = doc.integer(root, 'memory-requirement-mb', mem);
  const homogeneous = root.attrs['enforce-homogeneity'];
  if (homogeneous !== undefined) repo.enforceHomogeneity = homogeneous === 'true';
  const hidden = root.attrs.hidden;
  if (hidden !== undefined) repo.hidden = hidden === 'true';

  const description = root.children.find((c) => c.name === 'description');
  if (description === undefined) {
    throw new SuppackError('expected a <description> element in <repository>', { file, field: `line ${root.line}, <repository>` });
  }
  repo.description = pyStrip(description.text);

  for (const el of root.children.filter((c) => c.name === 'requires')) {
    const req: LegacyRequires = {
      originator: doc.mandatory(el, 'originator'),
      name: doc.mandatory(el, 'name'),
      test: doc.oneOf<LegacyTest>(el, 'test', LEGACY_TESTS),
      version: doc.mandatory(el, 'version'),
    };
    const product = el.attrs.product;
    if (product !== undefined) req.product = product;
    const reqBuild = doc.optional(el, 'build'); // an empty build is dropped, as the installer does
    if (reqBuild !== undefined) req.build = reqBuild;
    repo.requires.push(req);
  }
  return repo;
}

/** Parse an XS-PACKAGES document; `file` is named in every error. */
export function parseXsPackages(xml: string, file: string): LegacyPackage[] {
  const root = parseXml(xml, file);
  const doc = new Reader(file);
  doc.expectName(root, 'packages');
  return root.children
    .filter((c) => c.name === 'package')
    .map((el) => {
      const type = el.attrs.type;
      if (type === 'driver' || type === 'firmware') {
        throw doc.error(el, 'type', `the obsolete package type "${type}" is not supported; expected one of ${LEGACY_PACKAGE_TYPES.join(' ')}`);
      }
      const pkg: LegacyPackage = {
        file: '',
        label: doc.mandatory(el, 'label'),
        type: doc.oneOf<LegacyPackageType>(el, 'type', LEGACY_PACKAGE_TYPES),
        size: doc.integer(el, 'size', doc.mandatory(el, 'size')),
        md5: doc.mandatory(el, 'md5'),
      };
      if (!/^[0-9a-f]{32}$/.test(pkg.md5)) throw doc.error(el, 'md5', `expected 32 lowercase hex digits, got ${JSON.stringify(pkg.md5)}`);
      const options = el.attrs.options;
      if (options !== undefined) pkg.options = options;
      if (pkg.type === 'driver-rpm') pkg.kernel = doc.mandatory(el, 'kernel');
      if (pkg.type === 'tbz2') pkg.root = doc.mandatory(el, 'root');
      pkg.file = pyStrip(el.text);
      if (pkg.file === '') {
        throw new SuppackError('expected the package file name as the element text', { file, field: `line ${el.line}, <package>` });
      }
      return pkg;
    });
}

class Reader {
  constructor(private readonly file: string) {}

  error(el: ParsedElement, attr: string, what: string): SuppackError {
    return new SuppackError(what, { file: this.file, field: `line ${el.line}, <${el.name}> attribute ${attr}` });
  }

  expectName(el: ParsedElement, name: string): void {
    if (el.name !== name) {
      throw new SuppackError(`expected the root element <${name}>, got <${el.name}>`, { file: this.file, field: `line ${el.line}` });
    }
  }

  // python-libs xmlunwrap.getStrAttribute: an empty value counts as missing.
  mandatory(el: ParsedElement, attr: string): string {
    const v = el.attrs[attr];
    if (v === undefined || v === '') throw this.error(el, attr, 'missing mandatory attribute');
    return v;
  }

  optional(el: ParsedElement, attr: string): string | undefined {
    const v = el.attrs[attr];
    return v === undefined || v === '' ? undefined : v;
  }

  oneOf<T extends string>(el: ParsedElement, attr: string, allowed: readonly T[]): T {
    const v = this.mandatory(el, attr);
    if (!(allowed as readonly string[]).includes(v)) {
      throw this.error(el, attr, `expected one of ${allowed.join(' ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  integer(el: ParsedElement, attr: string, v: string): number {
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n)) {
      throw this.error(el, attr, `expected a non-negative decimal integer, got ${JSON.stringify(v)}`);
    }
    return n;
  }
}

/** A small tree of the document's elements (namespaces off, like minidom's tag names). */


/**
 * Up-front checks of legacy pack metadata, so that a bad value fails with the user's own name
 * for it (a flag such as `--text`, or a manifest field) instead of producing a pack the
 * installer rejects (formats.md 1.1, 1.7, 1.11; DDK guide 6.1.1, 7.7.1).
 */
import { SuppackError, type ErrorWhere } from '../errors';
import { LEGACY_TESTS, type LegacyRepository } from './metadata';

/**
 * The fields checked, as passed to a `FieldNamer`: `originator`, `name`, `description`,
 * `product`, `version`, `build`, `memoryRequirementMb`, `vendorName`, and per dependency
 * `requires[<i>].<originator|name|test|product|version|build>`.
 */
export type LegacyField = string;

/**
 * Turns a field into the user's name for it. Either a function, or a map from a field (or
 * its top-level key, e.g. `requires`) to a flag name, which becomes the error's `file`
 * (with the full field path as `field` when only the top-level key matched).
 */
export type FieldNamer = ((field: LegacyField) => ErrorWhere) | Readonly<Record<string, string>>;

/** The build-supplemental-pack flag of each field (formats.md 1.1). */
export const LEGACY_CLI_FLAGS: Readonly<Record<string, string>> = {
  originator: '--vendor-code',
  name: '--label',
  description: '--text',
  version: '--version',
  build: '--build',
  memoryRequirementMb: '--mem',
  vendorName: '--vendor-name',
  requires: '--requires',
};

/** A namer for a JSON manifest: `{ file, field: '<prefix>.<field>' }`. */
export function manifestFieldNamer(file: string, prefix: string, names: Readonly<Record<string, string>> = {}): FieldNamer {
  return (field) => {
    const top = topKey(field);
    const mapped = names[field] ?? (names[top] !== undefined ? names[top] + field.slice(top.length) : field);
    return { file, field: prefix ? `${prefix}.${mapped}` : mapped };
  };
}

export interface LegacyValidationOptions {
  /** `--vendor-name`, used only as the ISO application id. */
  vendorName?: string;
  /** Allow the vendor code `xs`, reserved for packs produced by the platform vendor. */
  allowReservedVendorCode?: boolean;
}

export const IDENT_CHARS = /^[A-Za-z0-9._-]+$/;
/** ISO 9660 volume id (mkisofs -V): 32 characters. */
export const MAX_TEXT_LENGTH = 32;
/** ISO 9660 application id (mkisofs -A): 128 characters. */
export const MAX_VENDOR_NAME_LENGTH = 128;
export const RESERVED_VENDOR_CODE = 'xs';
const NUMERIC_DOTTED = /^[0-9]+(\.[0-9]+)+$/;
const BUILD_CHARS = /^[A-Za-z0-9._+~-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Throws a SuppackError naming the first invalid field the way `where` names it. */
export function validateLegacyRepository(repo: LegacyRepository, where: FieldNamer, options: LegacyValidationOptions = {}): void {
  const fail = (field: LegacyField, what: string): never => {
    throw new SuppackError(what, nameField(where, field));
  };

  checkIdent(repo.originator, 'originator', 'vendor code', fail);
  if (repo.originator === RESERVED_VENDOR_CODE && options.allowReservedVendorCode !== true) {
    fail('originator', `the vendor code "${RESERVED_VENDOR_CODE}" is reserved for packs of the platform vendor; expected your own vendor code`);
  }
  checkIdent(repo.name, 'name', 'label', fail);

  const text = repo.description;
  if (text.trim() === '') fail('description', 'expected a non-empty description');
  if (!PRINTABLE_ASCII.test(text)) fail('description', 'expected printable ASCII only (it becomes the ISO volume id)');
  if (text.length > MAX_TEXT_LENGTH) {
    fail('description', `expected at most ${MAX_TEXT_LENGTH} characters (it becomes the ISO volume id), got ${text.length}`);
  }

  if (options.vendorName !== undefined) {
    const vn = options.vendorName;
    if (vn.trim() === '') fail('vendorName', 'expected a non-empty vendor name');
    if (!PRINTABLE_ASCII.test(vn)) fail('vendorName', 'expected printable ASCII only (it becomes the ISO application id)');
    if (vn.length > MAX_VENDOR_NAME_LENGTH) {
      fail('vendorName', `expected at most ${MAX_VENDOR_NAME_LENGTH} characters (it becomes the ISO application id), got ${vn.length}`);
    }
  }

  checkPrintable(repo.product, 'product', 'product', fail);
  checkVersion(repo.version, 'version', fail);
  if (repo.build !== undefined) checkBuild(repo.build, 'build', fail);

  const mem = repo.memoryRequirementMb;
  if (mem !== undefined && !(Number.isSafeInteger(mem) && mem >= 0)) {
    fail('memoryRequirementMb', `expected a non-negative integer number of MB, got ${String(mem)}`);
  }

  repo.requires.forEach((req, i) => {
    const f = (k: string): string => `requires[${i}].${k}`;
    checkIdent(req.originator, f('originator'), 'vendor code', fail);
    checkIdent(req.name, f('name'), 'label', fail);
    if (!LEGACY_TESTS.includes(req.test)) fail(f('test'), `expected one of ${LEGACY_TESTS.join(' ')}, got ${JSON.stringify(req.test)}`);
    if (req.product !== undefined) checkPrintable(req.product, f('product'), 'product', fail);
    checkVersion(req.version, f('version'), fail);
    if (req.build !== undefined) checkBuild(req.build, f('build'), fail);
  });
}

type Fail = (field: LegacyField, what: string) => never;

function checkIdent(value: string, field: string, what: string, fail: Fail): void {
  if (!IDENT_CHARS.test(value)) {
    fail(field, `expected a ${what} of letters, digits, '.', '_' and '-' only (it names a directory on the host), got ${JSON.stringify(value)}`);
  }
}

function checkPrintable(value: string, field: string, what: string, fail: Fail): void {
  if (value.trim() === '' || !PRINTABLE_ASCII.test(value)) {
    fail(field, `expected a non-empty ${what} in printable ASCII, got ${JSON.stringify(value)}`);
  }
}

// DDK guide 7.7.1 and formats.md 1.11: at least one dot, numeric arcs (a string arc makes the
// installer's comparison fail), no '-' (it separates the build).
function checkVersion(value: string, field: string, fail: Fail): void {
  if (!NUMERIC_DOTTED.test(value)) {
    fail(field, `expected a numeric dotted version with at least one dot, such as 1.0 or 8.2.1, got ${JSON.stringify(value)}`);
  }
}

function checkBuild(value: string, field: string, fail: Fail): void {
  if (!BUILD_CHARS.test(value)) {
    fail(field, `expected a build of letters, digits and . _ + ~ - only, got ${JSON.stringify(value)}`);
  }
}

function topKey(field: string): string {
  return /^[^.[]*/.exec(field)?.[0] ?? field;
}

function nameField(where: FieldNamer, field: LegacyField): ErrorWhere {
  if (typeof where === 'function') return where(field);
  const exact = where[field];
  if (exact !== undefined) return { file: exact };
  const top = where[topKey(field)];
  if (top !== undefined) return { file: top, field };
  return { field };
}

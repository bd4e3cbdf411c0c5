import { z } from 'zod';
import { DOTTED_VERSION, IDENT } from './patterns';
import { cliFlags, integerFlag } from './cli-flags';
import { SuppackError } from '../core/base/errors';

/**
 * Metadata of a legacy supplemental pack (XS-REPOSITORY / XS-PACKAGES, XenServer <= 7.0):
 * the options of the DDK's build-supplemental-pack.sh (docs/formats/xenserver.md §1.1) in one schema.
 * The CLI, the Nx executors and the gulp plugin all validate with it.
 */

export { DOTTED_VERSION, IDENT } from './patterns';
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export const requiresTest = z.enum(['eq', 'ne', 'lt', 'gt', 'le', 'ge'], {
  error: 'expected one of eq, ne, lt, gt, le, ge',
});

export const legacyRequiresSchema = z
  .object({
    originator: z.string().regex(IDENT, { error: 'expected a vendor code of letters, digits, ".", "_" or "-", not "." or ".."' }),
    name: z.string().regex(IDENT, { error: 'expected a pack label of letters, digits, ".", "_" or "-", not "." or ".."' }),
    test: requiresTest,
    version: z.string().regex(DOTTED_VERSION, {
      error: 'expected a dotted numeric version such as 1.2 or 7.0.0 (xcp.version compares numeric arcs)',
    }),
    /** Defaults to the pack's product. An XS-REPOSITORY attribute: printable ASCII, as the platform's own product names. */
    product: z
      .string()
      .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, { error: 'expected a product name of printable ASCII such as XenServer or XCP, without blanks around it' })
      .optional(),
  })
  .strict();

const REQUIRES_FLAG = /^([A-Za-z0-9._-]+):([A-Za-z0-9._-]+)\s+(\S+)\s+(\S+)$/;

/** `--requires "acme:base ge 1.2"` → a requires entry; the schema checks the parts. */
export function parseRequiresFlag(raw: string, flag = '--requires'): LegacyRequiresInput {
  const m = REQUIRES_FLAG.exec(raw.trim());
  if (!m) {
    throw new SuppackError(`expected "ORIGINATOR:NAME TEST VERSION" (e.g. "acme:base ge 1.2"), got ${JSON.stringify(raw)}`, { field: flag });
  }
  return { originator: m[1], name: m[2], test: m[3] as LegacyRequiresInput['test'], version: m[4] };
}

export const legacyPackSchema = z
  .object({
    vendorCode: z
      .string({ error: 'required, expected the vendor code (e.g. acme)' })
      .regex(IDENT, { error: 'expected letters, digits, ".", "_" or "-" only, not "." or ".." (it becomes a directory name on the host)' })
      .refine((v) => v !== 'xs', { error: 'the vendor code "xs" is reserved for packs produced by the platform vendor' })
      .describe('Vendor code (XS-REPOSITORY originator): letters, digits, ".", "_", "-"; "xs" is reserved. DDK: --vendor-code.')
      .register(cliFlags, { flag: 'vendor-code', arg: 'CODE', section: 'Required', help: `vendor code: letters, digits, '.', '_', '-' ("xs" is reserved)` }),
    vendorName: z
      .string({ error: 'required, expected the vendor name' })
      .min(1, { error: 'expected a non-empty vendor name' })
      .max(128, { error: 'expected at most 128 characters (it becomes the ISO application id)' })
      .regex(PRINTABLE_ASCII, { error: 'expected printable ASCII (it becomes the ISO application id)' })
      .describe('Vendor name, the ISO application id (at most 128 characters). DDK: --vendor-name.')
      .register(cliFlags, { flag: 'vendor-name', arg: 'NAME', section: 'Required', help: 'vendor name (ISO application id, at most 128 characters)' }),
    label: z
      .string({ error: 'required, expected the pack label (e.g. acme-nic)' })
      .regex(IDENT, { error: 'expected letters, digits, ".", "_" or "-" only, not "." or ".." (it becomes a directory name on the host)' })
      .describe('Pack label (XS-REPOSITORY name and output file name). DDK: --label.')
      .register(cliFlags, { flag: 'label', arg: 'LABEL', section: 'Required', help: `pack label: letters, digits, '.', '_', '-'` }),
    text: z
      .string({ error: 'required, expected a short description' })
      .min(1, { error: 'expected a non-empty description' })
      .max(32, { error: 'expected at most 32 characters (it becomes the ISO volume id)' })
      .regex(PRINTABLE_ASCII, { error: 'expected printable ASCII (it becomes the ISO volume id)' })
      // the installer reads <description> with Python's strip(): blanks around it would show on the host only in the volume id
      .refine((t) => t.trim() === t, { error: 'expected no blanks before or after the text (the installer strips them from <description>, the volume id keeps them)' })
      .describe('Description, also the ISO volume id (at most 32 characters). DDK: --text.')
      .register(cliFlags, { flag: 'text', arg: 'TEXT', section: 'Required', help: 'description (ISO volume id, at most 32 characters)' }),
    version: z.string({ error: 'required, expected the pack version (e.g. 1.0)' }).regex(DOTTED_VERSION, {
      error: 'expected a dotted numeric version such as 1.0 or 2.3.1',
    })
      .describe('Pack version: dotted numbers, at least one dot. DDK: --version.')
      .register(cliFlags, { flag: 'version', arg: 'VERSION', section: 'Required', help: 'pack version, dotted numbers (e.g. 1.0)' }),
    build: z
      .string()
      .regex(/^[A-Za-z0-9._+~-]+$/, { error: 'expected letters, digits, ".", "_", "+", "~" or "-"' })
      .optional()
      .describe('Pack build number. DDK: --build.')
      .register(cliFlags, { flag: 'build', arg: 'BUILD', help: 'pack build number' }),
    memoryMb: z
      .number({ error: 'expected an integer number of MB' })
      .int({ error: 'expected an integer number of MB' })
      .nonnegative({ error: 'expected a non-negative integer number of MB' })
      .optional()
      .describe('Extra dom0 memory the pack needs, in MB (memory-requirement-mb). DDK: --mem.')
      .register(cliFlags, { flag: 'mem', arg: 'MB', parse: integerFlag, help: 'extra dom0 memory the pack needs, an integer number of MB' }),
    homogeneous: z
      .boolean()
      .default(false)
      .describe('The pack must be on every host of a pool (enforce-homogeneity). DDK: --homogeneous.')
      .register(cliFlags, { flag: 'homogeneous', help: 'the pack must be installed on every host of a pool' }),
    /** Target platform: XenServer (requires xs:main) or XCP (requires xcp:main), like the DDK's --xcp. */
    product: z
      .enum(['XenServer', 'XCP'], { error: 'expected XenServer or XCP' })
      .default('XenServer')
      .describe('Target product: XenServer (requires xs:main) or XCP (requires xcp:main). DDK: --xcp.')
      .register(cliFlags, { flag: 'xcp', value: 'XCP', help: 'target XCP: product XCP and requirement xcp:main' }),
    /**
     * The platform version the pack is built for; becomes the default `<requires originator="xs"
     * name="main" test="eq">` (the DDK took it from its own build). Omit only with `requires` that
     * already names the platform, or with `baseRequires: false`.
     */
    productVersion: z
      .string()
      .regex(DOTTED_VERSION, { error: 'expected a dotted numeric version such as 7.0.0' })
      .optional()
      .describe(
        'Platform version the pack is for: the requirement xs:main (or xcp:main) eq this version, and the host whose rpm the RPMs are built for and checked against (docs/hosts.md).',
      )
      .register(cliFlags, {
        flag: 'product-version',
        arg: 'VER',
        section: 'Required',
        help: 'the XenServer (or XCP) version the pack is for; becomes the\nrequirement xs:main eq VER (the DDK took it from its own build),\nand the host whose rpm every RPM must install with (docs/hosts.md)',
      }),
    /** Add the requirement on the platform (xs:main or xcp:main); true by default, like the DDK. */
    baseRequires: z
      .boolean()
      .default(true)
      .describe('Require the platform (xs:main or xcp:main) at productVersion.')
      .register(cliFlags, { flag: 'no-base-requires', value: false, help: 'do not require xs:main / xcp:main' }),
    requires: z
      .array(legacyRequiresSchema)
      .default([])
      .describe('Other packs this one needs: originator, name, test (eq ne lt gt le ge), version, product.')
      .register(cliFlags, {
        flag: 'requires',
        arg: 'REQ',
        repeat: true,
        parse: parseRequiresFlag,
        help: 'another pack this one needs, "ORIGINATOR:NAME TEST VERSION"\nwith TEST one of eq ne lt gt le ge (repeatable; replaces --repo-data)',
      }),
    /** Install RPMs in dependency order (the DDK's --reorder, on by default). */
    reorder: z
      .boolean()
      .default(true)
      .describe('Install RPMs in dependency order. DDK: --reorder / --noreorder.')
      .register(cliFlags, {
        flag: 'reorder',
        help: 'install RPMs in dependency order (default)',
        opposite: { flag: 'noreorder', help: 'install RPMs in the order given' },
      }),
  })
  .strict();

export type LegacyPackInput = z.input<typeof legacyPackSchema>;
export type LegacyPack = z.output<typeof legacyPackSchema>;
export type LegacyRequiresInput = z.input<typeof legacyRequiresSchema>;

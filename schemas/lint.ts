import { z } from 'zod';
import { closest } from './parse';
import { relativePath } from './paths';
import { cliFlags, integerFlag } from './cli-flags';
import { SuppackError } from '../core/base/errors';

/** Every lint rule id (docs/lint.md); core/products/lint/rules.ts defines one rule per id. */
export const LINT_RULE_IDS = [
  'KMOD-GROUP',
  'KMOD-DIR',
  'KMOD-ONE-KERNEL',
  'KMOD-NAME',
  'KMOD-FLAVOURS',
  'KMOD-VERMAGIC',
  'PLACE-UDEV',
  'PLACE-FIRMWARE',
  'PLACE-CONFIG',
  'PLACE-DOC',
  'SCRIPT-STARTS-PROCESS',
  'SCRIPT-FIREWALL',
  'SCRIPT-RUNNING-HOST',
  'UNINSTALL-CLEAN',
  'UPGRADE-VENDOR',
  'UPGRADE-PREVIOUS',
  'VERSION-DOTS',
  'FIRMWARE-TARBALL',
  'WEIGHT-RUNTIME',
  'WEIGHT-MEMORY',
  'HOST-CAPS',
] as const;
export type LintRuleId = (typeof LINT_RULE_IDS)[number];

const reason = z.string().trim().min(1, { error: 'expected the reason the rule is turned off' });

/** Rule id → why the project turns it off. */
export const lintIgnoreSchema = z
  .record(z.string(), reason)
  .superRefine((ignore, ctx) => {
    for (const id of Object.keys(ignore)) {
      if ((LINT_RULE_IDS as readonly string[]).includes(id)) continue;
      const near = closest(id, LINT_RULE_IDS);
      ctx.addIssue({ code: 'custom', path: [id], message: `unknown rule${near ? `; did you mean ${near}?` : ''} (rules: docs/lint.md)` });
    }
  })
  .transform((ignore) => ignore as Partial<Record<LintRuleId, string>>)
  .describe('Rules turned off for this project, each with the reason (rule id → reason). The findings are still shown, marked ignored.');

/** `lint` in a pack's suppack.json. */
export const lintManifestSchema = z
  .object({
    ignore: lintIgnoreSchema.default({}),
    uninstallCheck: z
      .boolean()
      .default(false)
      .describe('Install each RPM into a private root with its scriptlets, erase it, and report what is left (UNINSTALL-CLEAN, DDK guide 7.4). Needs rpm and root.'),
    previous: relativePath('the previous release\'s pack ISO')
      .optional()
      .describe("The previous release's pack ISO: every RPM of it must be upgraded by this pack's (same name, higher version; DDK guide 7.3)."),
  })
  .strict()
  .describe('What `lint` checks beyond the rules (docs/lint.md).');

export type LintManifest = z.output<typeof lintManifestSchema>;

/** `suppack lint`'s options (cli/lint.ts maps its flags here). */
export const lintCommandSchema = z
  .object({
    update: z
      .boolean()
      .default(false)
      .describe('The RPMs are for an update pack or driver disk (XenServer 7.1+, XCP-ng 8).')
      .register(cliFlags, { flag: 'update', help: 'the RPMs are for an update pack or driver disk (XenServer 7.1+)' }),
    productVersion: z
      .string()
      .regex(/^\d+(\.\d+)*$/, { error: 'expected a dotted version such as 6.5.0' })
      .optional()
      .describe('The XenServer (or XCP) version a legacy pack is for: its rpm, kernel flavours and version rules.')
      .register(cliFlags, { flag: 'product-version', arg: 'VER', help: 'the RPMs are for a legacy pack for this XenServer version' }),
    product: z.enum(['XenServer', 'XCP']).default('XenServer').register(cliFlags, { flag: 'xcp', value: 'XCP', help: '... for this XCP version' }),
    vendorCode: z.string().min(1).optional().register(cliFlags, { flag: 'vendor-code', arg: 'CODE', help: "the pack's vendor code (checked for version numbers)" }),
    vendorName: z.string().min(1).optional().register(cliFlags, { flag: 'vendor-name', arg: 'NAME', help: "the pack's vendor name (checked for version numbers)" }),
    version: z.string().min(1).optional().register(cliFlags, { flag: 'version', arg: 'VERSION', help: "the pack's version (checked for dots)" }),
    memMiB: z.number().int().nonnegative().optional().register(cliFlags, { flag: 'mem', arg: 'MB', parse: integerFlag, help: 'the dom0 memory the pack declares' }),
    previous: z
      .string()
      .min(1)
      .optional()
      .register(cliFlags, { flag: 'previous', arg: 'PACK.iso', help: 'the previous release: every RPM of it must be upgraded' }),
    uninstallCheck: z.boolean().default(false).register(cliFlags, {
      flag: 'uninstall-check',
      help: 'install and erase each RPM in a private root with its scriptlets\nand report what is left (DDK guide 7.4; RPM files, as root)',
    }),
    ignore: lintIgnoreSchema.default({}).register(cliFlags, {
      flag: 'ignore',
      arg: 'RULE=REASON',
      repeat: true,
      parse: ignoreFlag,
      combine: (entries) => Object.fromEntries(entries as Array<[string, string]>),
      help: 'turn a rule off, saying why (repeatable); still shown, marked ignored',
    }),
    format: z
      .enum(['text', 'json', 'sarif'], { error: 'expected text, json or sarif' })
      .default('text')
      .register(cliFlags, { flag: 'format', arg: 'text|json|sarif', help: 'report format (default text); --json is --format=json' }),
  })
  .strict();

/** `--ignore RULE=REASON` → [RULE, REASON]; the schema checks the rule and the reason. */
function ignoreFlag(raw: string, flag: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new SuppackError(`expected RULE=REASON (e.g. PLACE-UDEV="the udev package owns it"), got ${JSON.stringify(raw)}`, { field: flag });
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

export type LintCommandOptions = z.output<typeof lintCommandSchema>;

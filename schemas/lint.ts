import { z } from 'zod';
import { closest } from './parse';
import { relativePath } from './paths';

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
    update: z.boolean().default(false).describe('The RPMs are for an update pack or driver disk (XenServer 7.1+, XCP-ng 8).'),
    product: z.enum(['XenServer', 'XCP']).default('XenServer'),
    productVersion: z
      .string()
      .regex(/^\d+(\.\d+)*$/, { error: 'expected a dotted version such as 6.5.0' })
      .optional()
      .describe('The XenServer (or XCP) version a legacy pack is for: its rpm, kernel flavours and version rules.'),
    vendorCode: z.string().min(1).optional(),
    vendorName: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    memMiB: z.number().int().nonnegative().optional(),
    previous: z.string().min(1).optional(),
    uninstallCheck: z.boolean().default(false),
    ignore: lintIgnoreSchema.default({}),
    format: z.enum(['text', 'json', 'sarif'], { error: 'expected text, json or sarif' }).default('text'),
  })
  .strict();

export type LintCommandOptions = z.output<typeof lintCommandSchema>;

import { z } from 'zod';
import { cliFlags } from './cli-flags';

/**
 * Metadata of an update pack or driver disk (update.xml + signed yum repo; XenServer 7.1+,
 * Citrix Hypervisor 8, XCP-ng 8): the options of the vendor's build-update (docs/formats/xenserver.md §2.1)
 * in one schema. The CLI, the Nx executors and the gulp plugin all validate with it.
 * File options (precheck, remove, key, groupfile) are paths: relative to the project in a
 * suppack.json, as given on the command line otherwise.
 */

/** build-update's rule for --uuid (docs/formats/xenserver.md §2.1): lowercase only. */
export const UPDATE_UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;
/** build-update's rule for --label: Python 2 `[\w-]+$` on a byte string. */
export const UPDATE_LABEL = /^[A-Za-z0-9_-]+$/;
/** The after-apply guidance values xapi knows (docs/formats/xenserver.md §2.1, 2.3). */
export const AFTER_APPLY = ['restartXAPI', 'restartHost', 'restartPV', 'restartHVM'] as const;
export type AfterApply = (typeof AFTER_APPLY)[number];
/** Characters an RPM version may hold; the update RPM's version is this with '+' turned into '.'. */
export const UPDATE_VERSION = /^[A-Za-z0-9._+~]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const uuid = (what: string) =>
  z.string({ error: `required, expected ${what}` }).regex(UPDATE_UUID, {
    error: 'expected a lowercase UUID such as 6854ab19-f807-4444-b94f-3ce7d64efe50 (build-update accepts lowercase only)',
  });

const label = z
  .string({ error: 'required, expected the update label (e.g. acme-nic)' })
  .regex(UPDATE_LABEL, { error: 'expected letters, digits, "_" or "-" only (build-update rule [\\w-]+)' });

const path = (what: string) => z.string().min(1, { error: `expected the path of ${what}` });

/** One entry of rollups: a rolled-up update's UUID (build-update --rollups U1,U2). */
export const rollupSchema = z
  .string({
    error: (issue) =>
      typeof issue.input === 'object' && issue.input !== null
        ? 'expected the UUID of a rolled-up update as a string; the { uuid, label } form is gone (build-update writes this update\'s own label in <rollsup>, so only the UUID is used)'
        : 'expected the UUID of a rolled-up update',
  })
  .regex(UPDATE_UUID, {
    error: 'expected a lowercase UUID such as 6854ab19-f807-4444-b94f-3ce7d64efe50 (build-update accepts lowercase only)',
  });

export const updatePackSchema = z
  .object({
    uuid: uuid('the update UUID (generate one with uuidgen, once per update)').describe(
      'Update UUID, lowercase; a new one for every update you publish. build-update: --uuid.',
    ).register(cliFlags, { flag: 'uuid', arg: 'UUID', section: 'Required', help: 'update UUID, lowercase (a new one for every update)' }),
    label: label
      .describe('Update label (name-label): letters, digits, "_", "-". build-update: --label.')
      .register(cliFlags, { flag: 'label', short: 'l', arg: 'LABEL', section: 'Required', help: `update label: letters, digits, '_', '-'` }),
    version: z
      .string()
      .regex(UPDATE_VERSION, { error: 'expected a version of letters, digits, ".", "_", "+" or "~" (no "-"), such as 1.0.0' })
      .optional()
      .describe(
        'Update version. build-update: --version. Optional only for a driver disk, which then takes <rpm version>+<release>+<build> of its driver RPM (XCP-ng naming).',
      )
      .register(cliFlags, {
        flag: 'version',
        short: 'v',
        arg: 'VERSION',
        section: 'Required',
        help: 'update version (optional for --driver-disk: then\n<rpm version>+<release>[+<build>] of the driver RPM)',
      }),
    description: z
      .string({ error: 'required, expected a description' })
      .min(1, { error: 'expected a non-empty description' })
      .refine((s) => !s.includes('\0'), { error: 'must not contain a NUL byte' })
      // xapi reads it back with Xmlm, which refuses characters XML 1.0 does not allow: one in an
      // applied stamp would fail every resync of the host (docs/update-packs.md).
      .refine((s) => !/[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(s), {
        error: 'must not contain control characters other than tab and newline (XML 1.0 forbids them; xapi could not read the update back)',
      })
      // XML reads a carriage return back as a newline (XML 1.0 2.11), so xapi would show another text
      .refine((s) => !s.includes('\r'), { error: 'must not contain a carriage return: xapi reads it back as a newline (use \\n alone between lines)' })
      // a lone UTF-16 surrogate (JSON "\\ud83d" without its pair) is written as U+FFFD: another text again
      .refine((s) => !/[\ud800-\udfff]/u.test(s), { error: 'must not contain a lone UTF-16 surrogate (half of a character such as an emoji)' })
      .refine((s) => !/^[\n \t]*$/.test(s), { error: 'must not be only blanks (xapi reads a blank <name-description> as missing)' })
      .describe('Description (name-description). build-update: --description.')
      .register(cliFlags, { flag: 'description', short: 'd', aliases: ['text'], arg: 'TEXT', section: 'Required', help: 'description (--text is accepted too)' }),
    afterApply: z
      .array(z.enum(AFTER_APPLY, { error: `expected one of ${AFTER_APPLY.join(', ')}` }))
      .default([])
      .describe('After-apply guidance: restartXAPI, restartHost, restartPV, restartHVM. build-update: --after-apply.')
      .register(cliFlags, { flag: 'after-apply', arg: 'LIST', list: true, help: 'comma list of restartXAPI, restartHost, restartPV, restartHVM' }),
    baseRequires: z
      .string()
      .min(1)
      .optional()
      .describe(
        'RPM requirement on the platform carried by the control-<label> RPM, e.g. "xenserver-release >= 8.2.0" (comma-separated for several). build-update: --base-requires.',
      )
      .register(cliFlags, {
        flag: 'base-requires',
        arg: 'REQ',
        help: 'RPM requirement(s) on the platform, e.g. "xenserver-release >= 8.2.0"\n(carried by a control-<label> RPM)',
      }),
    precheck: path('the precheck script')
      .optional()
      .describe(
        "Precheck script: the control RPM's %pre (run by its #! interpreter when xapi's precheck or the host installer installs it), and run again by xapi as /var/update/<uuid>/precheck. build-update: --precheck.",
      )
      .register(cliFlags, {
        flag: 'precheck',
        arg: 'SCRIPT',
        help: "precheck script: the control RPM's %pre, and installed as\n/var/update/<uuid>/precheck (xapi runs it too)",
      }),
    remove: path('the remove script')
      .optional()
      .describe('Script installed as /var/update/<uuid>/remove. build-update: --remove.')
      .register(cliFlags, { flag: 'remove', arg: 'SCRIPT', help: 'remove script, installed as /var/update/<uuid>/remove' }),
    key: path('the public key file')
      .optional()
      .describe(
        'Public key file (ASCII armored), published as RPM-GPG-KEY-... Its basename becomes update.xml key=; giving it turns signing on, with the secret key from SUPPACK_SIGNING_KEY (or the key in the gpg keyring that SUPPACK_SIGNING_KEY_ID names). build-update: --keyfile.',
      )
      .register(cliFlags, {
        flag: 'keyfile',
        arg: 'FILE',
        section: 'Signing (on when --keyfile is given)',
        help: 'the public key (ASCII armored) published with the update;\nupdate.xml key= is its file name',
      }),
    groupfile: path('the comps group file')
      .optional()
      .describe('comps group file to use instead of the generated one (it must have group update). build-update: --groupfile.')
      .register(cliFlags, { flag: 'groupfile', arg: 'FILE', help: 'comps group file to use instead of the generated one' }),
    rollups: z
      .array(rollupSchema)
      .default([])
      .describe(
        'UUIDs of the updates this one rolls up: update.xml gets a <rollsup> for each, and the update RPM stamps each applied on the host. build-update: --rollups U1,U2.',
      )
      .register(cliFlags, { flag: 'rollups', arg: 'UUID,UUID', list: true, help: 'the updates this one rolls up (comma-separated UUIDs)' }),
    enforceHomogeneity: z
      .boolean()
      .default(false)
      .describe(
        'xapi: every host of a pool must have this update (update.xml enforce-homogeneity="true"; a host joining the pool without it is refused). build-update: --enforce-homogeneity.',
      )
      .register(cliFlags, { flag: 'enforce-homogeneity', help: 'every host of a pool must have this update (xapi)' }),
    driverDisk: z
      .boolean()
      .default(false)
      .describe('A driver disk: adds the comps group drivers (the host installer loads it) and names the ISO <label>-<version>.iso.')
      .register(cliFlags, { flag: 'driver-disk', help: 'a driver disk: adds the comps group "drivers"' }),
    build: z
      .string()
      .regex(/^[A-Za-z0-9._~]+$/, { error: 'expected letters, digits, ".", "_" or "~"' })
      .optional()
      .describe('Pack build of a driver disk, the last part of its version (XCP-ng PACK_BUILD).')
      .register(cliFlags, { flag: 'build', arg: 'BUILD', help: "pack build, the last part of a driver disk's version" }),
    vendorName: z
      .string()
      .max(128, { error: 'expected at most 128 characters (it becomes the ISO application id)' })
      .regex(PRINTABLE_ASCII, { error: 'expected printable ASCII (it becomes the ISO application id)' })
      .optional()
      .describe('Vendor name, the ISO application id and the RPM vendor of the generated RPMs.')
      .register(cliFlags, { flag: 'vendor-name', arg: 'NAME', help: 'ISO application id and RPM vendor of the generated RPMs' }),
    volumeId: z
      .string()
      .min(1)
      .max(32, { error: 'expected at most 32 characters (ISO volume id)' })
      .regex(PRINTABLE_ASCII, { error: 'expected printable ASCII (ISO volume id)' })
      .optional()
      .describe('ISO volume id; default the label (which must then fit in 32 characters).')
      .register(cliFlags, { flag: 'volume-id', arg: 'ID', help: 'ISO volume id (default the label)' }),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.version === undefined && !p.driverDisk) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'required, expected the update version (e.g. 1.0.0)' });
    }
    if (p.build !== undefined && !p.driverDisk) {
      ctx.addIssue({ code: 'custom', path: ['build'], message: 'only a driver disk has a pack build (set driverDisk: true or drop it)' });
    }
    if (p.volumeId === undefined && p.label.length > 32) {
      ctx.addIssue({ code: 'custom', path: ['volumeId'], message: 'required: the label is longer than the 32 characters of an ISO volume id' });
    }
    const seen = new Set<string>();
    p.afterApply.forEach((g, i) => {
      if (seen.has(g)) ctx.addIssue({ code: 'custom', path: ['afterApply', i], message: `${g} is given twice` });
      seen.add(g);
    });
    const rolled = new Set<string>();
    p.rollups.forEach((r, i) => {
      if (r === p.uuid) ctx.addIssue({ code: 'custom', path: ['rollups', i], message: 'an update cannot roll up itself' });
      else if (rolled.has(r)) ctx.addIssue({ code: 'custom', path: ['rollups', i], message: `${r} is given twice` });
      rolled.add(r);
    });
  });

export type UpdatePackInput = z.input<typeof updatePackSchema>;
export type UpdatePack = z.output<typeof updatePackSchema>;

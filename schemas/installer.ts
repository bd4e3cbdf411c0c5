import { z } from 'zod';
import { relativePath } from './paths';
import { packMembersSchema, volumeIdSchema } from './pack-members';

/**
 * An installer project (`kind: "installer"`, docs/formats/xenserver.md §4-5, the DDK's rebuild-iso.sh): a
 * XenServer installer ISO with legacy packs added (packages.<label>/ + XS-REPOSITORY-LIST), an
 * answerfile injected and extra files included. Its target `rebuild-iso` writes
 * dist/<projectRoot>/installer/<output>.
 */

/** A path inside the ISO: relative, no empty, "." or ".." component. */
const ISO_INNER_PATH = /^(?!\/)(?!.*(^|\/)\.{1,2}(\/|$))(?!.*\/\/)[^\\]+$/;

export const includeSchema = z
  .object({
    from: relativePath('the file or directory').describe('A file or directory, relative to the project root.'),
    to: z
      .string()
      .regex(ISO_INNER_PATH, { error: 'expected a relative path inside the ISO (no leading "/", no "." or ".." components)' })
      .optional()
      .describe('Where it goes in the ISO; default its base name at the root.'),
  })
  .strict();

/** Boot entry names (isolinux LABEL, GRUB title or submenu>title): at least one, none empty. */
export const bootEntriesSchema = z
  .array(z.string().regex(/\S/, { error: 'expected a boot entry name, got an empty one' }), { error: 'expected an array of boot entry names' })
  .min(1, { error: 'expected at least one boot entry name' });

export const installerManifestSchema = z
  .object({
    $schema: z.string().optional(),
    kind: z.literal('installer').describe('An installer project: a XenServer installer ISO rebuilt with packs, an answerfile and files.'),
    baseIso: z
      .string({ error: 'required, expected the installer ISO to start from' })
      .regex(/\.iso$/i, { error: 'expected an ISO file ending in .iso' })
      .pipe(relativePath('the installer ISO'))
      .describe('The installer ISO to start from, relative to the project root. Its boot (BIOS and UEFI) is kept.'),
    packs: packMembersSchema
      .default([])
      .describe('Legacy packs to add, in XS-REPOSITORY-LIST order: workspace projects (legacy packs or bundles) or pack ISO files (.iso).'),
    answerfile: relativePath('the answerfile')
      .optional()
      .describe('Answerfile (host-installer XML) put into install.img at /answerfile.xml; the boot menus get answerfile=file:///answerfile.xml install.'),
    bootEntries: bootEntriesSchema
      .optional()
      .describe(
        'With an answerfile: exactly the boot entries that get its parameters, by isolinux LABEL or GRUB menuentry title (or submenu>title), in every menu that has them. Default: every Xen install entry, never a shell (bash-shell) or non-Xen entry.',
      ),
    include: z.array(includeSchema).default([]).describe('Extra files or directories copied into the ISO.'),
    drivers: z
      .array(relativePath('a driver RPM'))
      .default([])
      .describe("Driver RPMs whose kernel modules and firmware go into install.img, with the module indexes regenerated (the DDK's pushinitrd), so the installer sees the disks."),
    volumeId: volumeIdSchema.optional().describe("ISO volume id (at most 32 printable ASCII characters); default the base ISO's."),
    output: z
      .string()
      .regex(/^[A-Za-z0-9._-]+\.iso$/, { error: 'expected a file name ending in .iso (letters, digits, ".", "_" or "-"), no directory' })
      .optional()
      .describe('Output file name in dist/<projectRoot>/installer; default <project name>.iso (the base ISO\'s name when the project name is no file name).'),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.bootEntries !== undefined && m.answerfile === undefined) {
      ctx.addIssue({ code: 'custom', path: ['bootEntries'], message: 'expected with an answerfile, whose parameters it directs' });
    }
    if (m.packs.length === 0 && m.answerfile === undefined && m.include.length === 0 && m.drivers.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['packs'], message: 'expected at least one pack, an answerfile, an include or a driver: otherwise the ISO is unchanged' });
    }
  })
  .meta({ title: 'Installer project', description: 'An installer ISO rebuilt with packs, an answerfile and extra files (target rebuild-iso).' });

export type InstallerManifestInput = z.input<typeof installerManifestSchema>;
export type InstallerManifest = z.output<typeof installerManifestSchema>;
export type IncludeEntry = z.output<typeof includeSchema>;

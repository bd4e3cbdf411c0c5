import { z } from 'zod';
import { IDENT } from './legacy-pack';
import { packMembersSchema, volumeIdSchema } from './pack-members';

/**
 * A bundle project (`kind: "bundle"`, docs/formats/xenserver.md §3, the DDK's combine-supplemental-packs.sh):
 * several legacy packs on one ISO, each in `packages.<label>/`, listed in XS-REPOSITORY-LIST.
 * Its target `combine-packs` writes dist/<projectRoot>/bundle-iso/<name>.iso and <name>.iso.md5.
 */
export const bundleManifestSchema = z
  .object({
    $schema: z.string().optional(),
    kind: z.literal('bundle').describe('A bundle project: legacy packs combined into one ISO.'),
    name: z
      .string({ error: 'required, expected the base name of the combined ISO (e.g. acme-drivers)' })
      .regex(IDENT, { error: 'expected letters, digits, ".", "_" or "-" only, not "." or ".." (it names <name>.iso)' })
      .describe('Base name of the output: <name>.iso and <name>.iso.md5.'),
    volumeId: volumeIdSchema.describe('ISO volume id of the combined pack (at most 32 printable ASCII characters).'),
    packs: packMembersSchema
      .min(1, { error: 'expected at least one pack to combine' })
      .describe('The legacy packs, in XS-REPOSITORY-LIST order: workspace projects (legacy packs or bundles) or pack ISO files (.iso).'),
  })
  .strict()
  .meta({ title: 'Bundle project', description: 'Legacy packs combined into one ISO (target combine-packs).' });

export type BundleManifestInput = z.input<typeof bundleManifestSchema>;
export type BundleManifest = z.output<typeof bundleManifestSchema>;

import { z } from 'zod';
import { lintManifestSchema } from './lint';
import { legacyPackSchema } from './legacy-pack';
import { updatePackSchema } from './update-pack';
import { statusReportSchema } from './status-report';
import { globPattern, relativePath, workspacePath } from './paths';
import { bundleManifestSchema } from './bundle';
import { installerManifestSchema } from './installer';

/**
 * `suppack.json`: the declarative description of one project. A pack project (`kind` "pack", the
 * default, so every pack manifest written before kinds existed stays valid) is described here;
 * bundle and installer projects in bundle.ts and installer.ts. Everything the DDK
 * Makefile variables carried has a home here:
 *   VENDOR_CODE, VENDOR_NAME, LABEL, TEXT, PACK_VERSION, PACK_BUILD → pack.*
 *   SPEC / RPM_VERSION / RPM_RELEASE               → rpms[] (kind "kernel-module")
 *   DATA_SPEC / DATA_RPM_VERSION / DATA_RPM_RELEASE → rpms[] (kind "userspace")
 */


export const kernelSchema = z
  .object({
    version: z
      .string()
      .regex(/^[A-Za-z0-9._+~-]+$/, { error: 'expected a kernel release such as 4.19.0+1 or 6.1.0-28-amd64' })
      .describe('Kernel release (uname -r without the flavour) the modules are built for.'),
    flavour: z
      .string()
      .regex(/^[a-z0-9]+$/, { error: 'expected a flavour such as xen or kdump' })
      .optional()
      .describe('Kernel flavour for old releases (xen, kdump); omit for one-kernel releases.'),
    buildDir: z
      .string()
      // it reaches rpmbuild as a macro body (%{kernel_build_dir}), make and a runtime input's shell command
      .regex(/^\/[A-Za-z0-9._+~@,=:/-]*$/, {
        error: 'expected an absolute path of letters, digits, "/", ".", "_", "+", "-", "~", "@", ",", "=" or ":" (kbuild, rpm macros and the shell give spaces, quotes, "%", "$" and control characters meanings of their own)',
      })
      .optional()
      .describe('Kernel build tree (default /lib/modules/<version><flavour>/build). An absolute path on the build machine, of letters, digits and / . _ + - ~ @ , = : only.'),
    develRpm: workspacePath('the kernel-devel RPM')
      .refine((p) => p.endsWith('.rpm'), { error: 'expected a kernel-devel RPM file (ending in .rpm)' })
      .optional()
      .describe(
        "The vendor's kernel-devel RPM of this kernel, relative to the workspace root: build-rpms extracts it under dist/ and builds against its tree (/lib/modules/<release>/build). Its bytes are in the cache key. Not with buildDir.",
      ),
  })
  .strict()
  .superRefine((k, ctx) => {
    if (k.develRpm !== undefined && k.buildDir !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['buildDir'], message: 'give either buildDir or develRpm, not both (develRpm brings its own build tree)' });
    }
  });

export const rpmSpecSchema = z
  .object({
    spec: relativePath('the spec template').describe('Spec template, rendered with %global definitions prepended.'),
    kind: z
      .enum(['kernel-module', 'userspace'], { error: 'expected kernel-module or userspace' })
      .default('userspace')
      .describe('kernel-module specs are built once per kernel; userspace specs once.'),
    sources: relativePath('the source directory')
      .optional()
      .describe('Directory packed into <name>-<version>.tar.gz (Source0). Omit for specs without sources.'),
    version: z.string().regex(/^[A-Za-z0-9._+~]+$/, { error: 'expected an RPM version (no "-")' }).describe('RPM version.'),
    release: z.string().regex(/^[A-Za-z0-9._+~]+$/, { error: 'expected an RPM release (no "-")' }).default('1').describe('RPM release.'),
    defines: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}).describe('Extra %global macros.'),
  })
  .strict();

/** What every pack format shares: how its RPMs are made. */
const contentShape = {
  $schema: z.string().optional(),
  rpms: z.array(rpmSpecSchema).default([]).describe('RPMs to build from spec templates with rpmbuild.'),
  prebuilt: z
    .array(globPattern())
    .default([])
    .describe('Globs of ready-made RPMs to include, relative to the project; a leading "!" excludes (docs/nx/manifest.md, Patterns).'),
  kernels: z.array(kernelSchema).default([]).describe('Kernels the kernel-module RPMs are built for.'),
  statusReport: statusReportSchema.optional().describe('Server Status Report categories, rendered into a userspace RPM.'),
  eulas: z.array(relativePath('a EULA file')).default([]).describe('EULA files, shipped in a userspace RPM as *EULA.'),
  lint: lintManifestSchema.prefault({}),
};

const packKind = z
  .literal('pack')
  .default('pack')
  .describe('Project kind: pack (the default), bundle (legacy packs combined into one ISO) or installer (an installer ISO rebuilt with packs).');

const legacyManifestSchema = z
  .object({
    kind: packKind,
    format: z
      .literal('legacy')
      .default('legacy')
      .describe('Pack format: legacy (XS-REPOSITORY / XS-PACKAGES, XenServer 7.0 and older; the default) or update (update.xml + signed yum repo, XenServer 7.1+, Citrix Hypervisor 8, XCP-ng 8).'),
    pack: legacyPackSchema.describe('Pack metadata (the build-supplemental-pack options).'),
    ...contentShape,
  })
  .strict()
  .meta({ title: 'Pack project, legacy format', description: 'A legacy supplemental pack (XS-REPOSITORY / XS-PACKAGES), the default format.' });

const updateManifestSchema = z
  .object({
    kind: packKind,
    format: z.literal('update'),
    pack: updatePackSchema
      .safeExtend({
        precheck: relativePath('the precheck script').optional(),
        remove: relativePath('the remove script').optional(),
        key: relativePath('the public key file').optional(),
        groupfile: relativePath('the group file').optional(),
      })
      .describe('Update metadata (the build-update options).'),
    ...contentShape,
  })
  .strict()
  .meta({ title: 'Pack project, update format', description: 'An update or driver disk (update.xml + signed yum repo), XenServer 7.1+, XCP-ng 8.' });

/** A pack project's `suppack.json` (kind "pack"): what every pack executor reads. */
export const manifestSchema = z
  .discriminatedUnion('format', [legacyManifestSchema, updateManifestSchema], {
    error: 'expected "legacy" (XS-REPOSITORY packs, XenServer 7.0 and older) or "update" (XenServer 7.1+, XCP-ng 8)',
  })
  .superRefine((m, ctx) => {
    if (m.rpms.length === 0 && m.prebuilt.every((p) => p.startsWith('!'))) {
      ctx.addIssue({ code: 'custom', path: ['rpms'], message: 'expected at least one spec in rpms or one glob in prebuilt' });
    }
    if (m.prebuilt.length > 0 && m.prebuilt.every((p) => p.startsWith('!'))) {
      ctx.addIssue({ code: 'custom', path: ['prebuilt'], message: 'expected a glob that includes files besides the "!" exclusions' });
    }
    m.rpms.forEach((r, i) => {
      if (r.kind === 'kernel-module' && m.kernels.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['kernels'], message: `required by rpms[${i}] (kind kernel-module): the kernels to build for` });
      }
    });
    if ((m.statusReport || m.eulas.length) && !m.rpms.some((r) => r.kind === 'userspace')) {
      ctx.addIssue({
        code: 'custom',
        path: [m.statusReport ? 'statusReport' : 'eulas'],
        message: 'needs a userspace RPM in rpms to carry it',
      });
    }
  });

export const PROJECT_KINDS = ['pack', 'bundle', 'installer'] as const;
export type ProjectKind = (typeof PROJECT_KINDS)[number];

/** Any `suppack.json`: a pack (no `kind`, or "pack"), a bundle or an installer project. */
export const projectManifestSchema = z.discriminatedUnion('kind', [manifestSchema, bundleManifestSchema, installerManifestSchema], {
  error: 'expected "pack" (the default), "bundle" (legacy packs combined into one ISO) or "installer" (an installer ISO rebuilt with packs)',
});

export type ProjectManifestInput = z.input<typeof projectManifestSchema>;
export type ProjectManifest = z.output<typeof projectManifestSchema>;
export type { BundleManifest } from './bundle';
export type { InstallerManifest } from './installer';

export type ManifestInput = z.input<typeof manifestSchema>;
export type Manifest = z.output<typeof manifestSchema>;
export type RpmSpec = z.output<typeof rpmSpecSchema>;
export type Kernel = z.output<typeof kernelSchema>;
export type LegacyManifest = Extract<Manifest, { format: 'legacy' }>;
export type UpdateManifest = Extract<Manifest, { format: 'update' }>;

export const MANIFEST_FILE = 'suppack.json';

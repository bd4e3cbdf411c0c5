import { z } from 'zod';
import { legacyPackSchema } from './legacy-pack';
import { kernelSchema } from './manifest';
import { updatePackSchema } from './update-pack';
import { volumeIdSchema } from './pack-members';
import { RELATIVE_PATH, workspaceDirectory } from './paths';

/**
 * Options of the Nx generators (`nx g suppack:init`, `nx g suppack:pack`). The zod schemas are
 * the source of truth: generators/<name>/schema.json is generated from them
 * (scripts/gen-generator-schemas.cjs) and the generators validate with them again, so a call
 * from code gets the same one-line errors as the CLI.
 */

export const initGeneratorSchema = z.object({}).strict();

export const PACK_TYPES = ['driver', 'userspace', 'combined'] as const;
export type PackType = (typeof PACK_TYPES)[number];

/** legacy: XS-REPOSITORY packs (XenServer 7.0 and older); update: update.xml packs (XenServer 7.1+, XCP-ng 8). */
export const PACK_FORMATS = ['legacy', 'update'] as const;
export type PackFormat = (typeof PACK_FORMATS)[number];

/** The default --packVersion of each format. */
export const DEFAULT_PACK_VERSION: Record<PackFormat, string> = { legacy: '1.0', update: '1.0.0' };

/** XenServer 8's dom0 kernel release; the e2e passes the build machine's own. */
export const DEFAULT_KERNEL = '4.19.0+1';

export const packGeneratorSchema = z
  .object({
    name: z
      .string({ error: 'required, expected the pack name (e.g. acme-nic)' })
      .regex(/^[a-z][a-z0-9_-]*$/, {
        error: 'expected lowercase letters, digits, "_" or "-", starting with a letter (it names the pack label, RPMs and kernel module)',
      })
      .max(48, { error: 'expected at most 48 characters' })
      .describe('Pack name: the pack label, the RPM names and the kernel module name.')
      .meta({ $default: { $source: 'argv', index: 0 }, 'x-prompt': 'What name would you like to use for the pack?', 'x-priority': 'important' }),
    type: z
      .enum(PACK_TYPES, { error: 'expected driver, userspace or combined' })
      .describe('driver: a kernel module RPM; userspace: a program with config, docs, status report and EULA; combined: modules + a <name>-data RPM.')
      .meta({
        'x-prompt': {
          message: 'Which kind of pack?',
          type: 'list',
          items: [
            { value: 'driver', label: 'driver    (a kernel module, one RPM per kernel)' },
            { value: 'userspace', label: 'userspace (a program with config, docs, status report, EULA)' },
            { value: 'combined', label: 'combined  (kernel modules + firmware, udev rules, modprobe config)' },
          ],
        },
        'x-priority': 'important',
      }),
    format: z
      .enum(PACK_FORMATS, { error: 'expected legacy or update' })
      .default('legacy')
      .describe(
        'Pack format: legacy (XS-REPOSITORY, XenServer 7.0 and older; the default) or update (update.xml + yum repo, XenServer 7.1+, Citrix Hypervisor 8, XCP-ng 8; a driver pack becomes a driver disk).',
      )
      .meta({
        'x-prompt': {
          message: 'Which pack format?',
          type: 'list',
          items: [
            { value: 'legacy', label: 'legacy (XS-REPOSITORY: XenServer 7.0 and older)' },
            { value: 'update', label: 'update (update.xml: XenServer 7.1+, Citrix Hypervisor 8, XCP-ng 8; driver disks)' },
          ],
        },
      }),
    uuid: updatePackSchema.shape.uuid
      .optional()
      .describe('Update UUID, lowercase (default: a new random one, like uuidgen). --format update only; every published update needs its own.'),
    directory: workspaceDirectory()
      .optional()
      .describe('Project directory relative to the workspace root (default packs/<name>).'),
    vendorCode: legacyPackSchema.shape.vendorCode
      .optional()
      .describe(`${legacyPackSchema.shape.vendorCode.description} Legacy packs only, where it is required; an update pack has none.`)
      .meta({ 'x-prompt': 'Vendor code, for a legacy pack (one word, e.g. acme; leave empty for an update pack)?' }),
    vendorName: legacyPackSchema.shape.vendorName.meta({ 'x-prompt': 'Vendor name (e.g. Acme Corporation)?' }),
    text: legacyPackSchema.shape.text
      .optional()
      .describe('Pack description shown on installation, also the ISO volume id (at most 32 characters; default "<name> pack"). With --format update: the update description (name-description).'),
    // Not `version`: `nx g ... --version` is Nx's own flag and never reaches the generator.
    // A number is accepted only so that the generator can explain it: Nx's argument parser turns
    // --packVersion=1.0 into the number 1 before the generator sees it.
    packVersion: z
      .union([legacyPackSchema.shape.version, z.number()])
      .optional()
      .describe(
        'Pack version, also the version of its RPMs (default 1.0; 1.0.0 with --format update). A driver disk takes its version from the driver RPM instead: <version>+<release>+<build>.',
      ),
    productVersion: z
      .string()
      .regex(/^\d+(\.\d+)+$/, { error: 'expected a dotted numeric version such as 7.0.0' })
      .default('7.0.0')
      .describe('Platform version the pack requires (xs:main eq this version).'),
    kernel: kernelSchema.shape.version
      .optional()
      .describe(
        `Kernel release (uname -r) the modules are built for. Default: the release of --kernelDevelRpm; else a kernel whose headers are installed here (/lib/modules/<release>/build: the running one first); else ${DEFAULT_KERNEL}, XenServer 8's dom0 kernel. Driver and combined packs.`,
      ),
    kernelDevelRpm: kernelSchema.shape.develRpm.describe(
      "The vendor's kernel-devel RPM to build against (kernels[].develRpm), relative to the workspace root, e.g. kernels/kernel-devel-<version>-<release>.x86_64.rpm. Driver and combined packs.",
    ),
    // the manifest's own rule (kernels[].buildDir), so a generated project always validates
    kernelBuildDir: kernelSchema.shape.buildDir.describe('Kernel build tree on the build machine (default /lib/modules/<kernel>/build). Driver and combined packs.'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.vendorCode === undefined && o.format === 'legacy') {
      ctx.addIssue({ code: 'custom', path: ['vendorCode'], message: 'required for a legacy pack (one word, e.g. acme), or add --format update' });
    }
    if (o.kernelDevelRpm !== undefined && o.kernelBuildDir !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['kernelBuildDir'], message: 'give either --kernelBuildDir or --kernelDevelRpm, not both' });
    }
    if (o.uuid !== undefined && o.format !== 'update') {
      ctx.addIssue({ code: 'custom', path: ['uuid'], message: 'only an update pack has a UUID: add --format update or drop --uuid' });
    }
  });

/** Pack members as the user gives them: a comma-separated list or an array (generators.json defaults). */
const memberListSchema = z
  .union([z.string(), z.array(z.string())], { error: 'expected project names or .iso paths, comma-separated' })
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((m) => m.trim()).filter((m) => m !== ''))
  .optional();

const mediumName = (what: string) =>
  z
    .string({ error: `required, expected the ${what} name (e.g. acme-all)` })
    .regex(/^[a-z][a-z0-9_-]*$/, { error: 'expected lowercase letters, digits, "_" or "-", starting with a letter (it names the project and its ISO)' })
    .max(48, { error: 'expected at most 48 characters' });

const mediumDirectory = (dflt: string) =>
  workspaceDirectory()
    .optional()
    .describe(`Project directory relative to the workspace root (default ${dflt}/<name>).`);

export const bundleGeneratorSchema = z
  .object({
    name: mediumName('bundle')
      .describe('Bundle name: the project and <name>.iso, the combined pack.')
      .meta({ $default: { $source: 'argv', index: 0 }, 'x-prompt': 'What name would you like to use for the bundle?', 'x-priority': 'important' }),
    packs: memberListSchema
      .describe('The legacy packs to combine, comma-separated, in XS-REPOSITORY-LIST order: workspace projects (legacy packs or bundles) or pack ISO paths (.iso, relative to the bundle). Default: every legacy pack project of the workspace.')
      .meta({ 'x-prompt': 'Which packs (project names, comma-separated; empty for every legacy pack of the workspace)?' }),
    volumeId: volumeIdSchema.optional().describe('ISO volume id of the combined pack (default the name, upper case).'),
    directory: mediumDirectory('bundles'),
  })
  .strict();

export const installerGeneratorSchema = z
  .object({
    name: mediumName('installer')
      .describe('Installer name: the project and its output ISO.')
      .meta({ $default: { $source: 'argv', index: 0 }, 'x-prompt': 'What name would you like to use for the installer?', 'x-priority': 'important' }),
    baseIso: z
      .string({ error: 'required, expected the installer ISO to start from (relative to the project directory)' })
      .regex(/\.iso$/i, { error: 'expected an ISO file ending in .iso' })
      .regex(RELATIVE_PATH, { error: 'expected a path relative to the project directory, with "/" between directories and no ".." or control characters' })
      .describe('The XenServer / XCP-ng installer ISO to start from, relative to the project directory (put it there, e.g. iso/installer.iso).')
      .meta({ 'x-prompt': 'Which installer ISO (a path relative to the project directory, e.g. iso/xenserver.iso)?', 'x-priority': 'important' }),
    packs: memberListSchema
      .describe('Legacy packs to add, comma-separated: workspace projects (legacy packs or bundles) or pack ISO paths. Default: every legacy pack project of the workspace.')
      .meta({ 'x-prompt': 'Which packs (project names, comma-separated; empty for every legacy pack of the workspace)?' }),
    answerfile: z
      .string()
      .regex(RELATIVE_PATH, { error: 'expected a path relative to the project directory, with "/" between directories and no ".." or control characters' })
      .optional()
      .describe('An answerfile to inject (relative to the project directory); the generator writes a starting one at answerfile.xml when --answerfile=answerfile.xml names no file.'),
    volumeId: volumeIdSchema.optional().describe("ISO volume id (default the base ISO's)."),
    directory: mediumDirectory('installers'),
  })
  .strict();

export type BundleGeneratorOptions = z.input<typeof bundleGeneratorSchema>;
export type InstallerGeneratorOptions = z.input<typeof installerGeneratorSchema>;

export type InitGeneratorOptions = z.input<typeof initGeneratorSchema>;
export type PackGeneratorOptions = z.input<typeof packGeneratorSchema>;
export type PackGeneratorConfig = z.output<typeof packGeneratorSchema>;

export const GENERATORS = {
  init: {
    schema: initGeneratorSchema,
    title: 'suppack init',
    description: 'Register the suppack plugin in nx.json, so every suppack.json becomes a project with inferred targets.',
  },
  pack: {
    schema: packGeneratorSchema,
    title: 'suppack pack',
    description: 'Create a supplemental pack project (driver, userspace or combined) described by a suppack.json.',
  },
  bundle: {
    schema: bundleGeneratorSchema,
    title: 'suppack bundle',
    description: "Create a bundle project: the workspace's legacy packs combined into one ISO (target combine-packs).",
  },
  installer: {
    schema: installerGeneratorSchema,
    title: 'suppack installer',
    description: "Create an installer project: an installer ISO rebuilt with the workspace's packs and an answerfile (target rebuild-iso).",
  },
} as const;

export type GeneratorName = keyof typeof GENERATORS;

/**
 * The generators/<name>/schema.json text Nx reads. `pattern` is left out: the generator's own
 * check explains what was expected, where Nx would only print the regular expression.
 */
export function generatorJsonSchemaText(name: GeneratorName): string {
  const g = GENERATORS[name];
  const json = z.toJSONSchema(g.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  const schema = {
    $schema: 'https://json-schema.org/schema',
    $id: `suppack-${name}`,
    title: g.title,
    description: g.description,
    ...stripPatterns(json),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function stripPatterns(v: unknown): Record<string, unknown> {
  return strip(v) as Record<string, unknown>;
  function strip(x: unknown): unknown {
    if (Array.isArray(x)) return x.map(strip);
    if (x === null || typeof x !== 'object') return x;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(x)) if (k !== 'pattern') out[k] = strip(val);
    return out;
  }
}

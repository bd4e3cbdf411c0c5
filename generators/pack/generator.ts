/**
 * `nx g suppack:pack <name> --type driver|userspace|combined [--format legacy|update]`: a pack
 * project made of a suppack.json and the files it names (spec templates, sources, EULA). No
 * project.json and no hand-written target: the plugin infers them all. Deterministic: the same
 * options give the same bytes (no date, no machine value), except the random UUID of an update
 * pack when --uuid is not given and the default kernel of a driver pack without --kernel, which
 * is one whose headers are installed on this machine (so the first build works as generated).
 *
 * --format update writes an update manifest (docs/formats/xenserver.md §2.1-2.3); a driver pack becomes a driver
 * disk (docs/formats/xenserver.md §2.5) whose version comes from its driver RPM. Signing stays off: the README
 * says how to turn it on (the secret key never goes into suppack.json).
 */
import { randomUUID } from 'node:crypto';
import { join, posix } from 'node:path';
import { generateFiles, offsetFromRoot, type Tree } from '@nx/devkit';
import { SuppackError } from '../../core';
import { develRpmReleases, installedKernels } from '../../core';
import { DEFAULT_KERNEL, DEFAULT_PACK_VERSION, packGeneratorSchema, type PackGeneratorConfig, type PackGeneratorOptions } from '../../schemas/generators';
import { manifestSchema, MANIFEST_FILE, type ManifestInput } from '../../schemas/manifest';
import { parseWithSchema } from '../../schemas/parse';
import { UPDATE_LABEL } from '../../schemas/update-pack';
import { initGenerator } from '../init/generator';
import { assertFreeDirectory } from '../workspace-packs';

/** Suffix of the template files: `.tmpl` is what the build copies into dist/ with the code. */
const TEMPLATE_SUFFIX = '.tmpl';

export interface PackPlan extends PackGeneratorConfig {
  /** The kernel release the modules are built for (resolved: see resolveKernel). */
  kernel: string;
  directory: string;
  text: string;
  /** The pack version (the `packVersion` option, or the format's default), also the RPMs' version. */
  version: string;
  /** The update UUID (--format update): the `uuid` option or a new random one. */
  uuid?: string;
}

/** Pack build of a generated driver disk: its version is `<rpm version>+<release>+<build>` (docs/formats/xenserver.md §2.5). */
export const DRIVER_DISK_BUILD = '1';

export async function packGenerator(tree: Tree, options: PackGeneratorOptions): Promise<void> {
  const plan = normalizeOptions(options, { read: (path) => tree.read(path) });
  assertFreeDirectory(tree, plan.directory, { file: 'suppack:pack', field: '--directory' });
  initGenerator(tree, {});

  const manifestFile = posix.join(plan.directory, MANIFEST_FILE);
  const manifest = packManifest(plan);
  parseWithSchema(manifestSchema, manifest, { file: manifestFile });
  tree.write(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);

  const hasModules = plan.type !== 'userspace';
  const sets = ['common', ...(hasModules ? ['driver'] : []), ...(plan.type === 'userspace' ? ['userspace'] : []), ...(plan.type === 'combined' ? ['data'] : [])];
  const substitutions = {
    ...plan,
    hasModules,
    driverDisk: plan.format === 'update' && plan.type === 'driver',
    restartHost: plan.format === 'update' && hasModules,
    cName: plan.name.replace(/-/g, '_'),
    cString,
    specText,
  };
  for (const set of sets) writeTemplates(tree, join(__dirname, 'files', set), plan.directory, substitutions);
}

export default packGenerator;

/** Where the default kernel comes from: the workspace (for --kernelDevelRpm) and this machine. */
export interface KernelSources {
  /** A workspace file's bytes, or null when absent (the generator's Tree). */
  read?: (path: string) => Buffer | null;
  /** Where installed kernels' build trees are looked for (default /lib/modules). */
  modulesDir?: string;
  /** `uname -r` (default os.release()). */
  running?: string;
}

/** Validated options with the defaults that depend on other options filled in. */
export function normalizeOptions(options: PackGeneratorOptions, sources: KernelSources = {}, argv: readonly string[] = process.argv): PackPlan {
  // An empty answer to the vendor code prompt (an update pack has none) is no vendor code.
  const answered = options.vendorCode === '' ? (({ vendorCode: _, ...rest }) => rest)(options) : options;
  // Nx's argument parser turns --packVersion=1.0 into the number 1 (and 2.10 into 2.1): take the
  // version as the user typed it on the command line.
  const typed = typeof answered.packVersion === 'number' ? typedOption(argv, 'packVersion', answered.packVersion) : undefined;
  const given = typed === undefined ? answered : { ...answered, packVersion: typed };
  const o = parseWithSchema(packGeneratorSchema, given, { file: 'suppack:pack', field: (p) => `--${p.join('.')}` });
  if (typeof o.packVersion === 'number') {
    throw new SuppackError(
      `Nx's argument parser read the version as the number ${o.packVersion}, which loses its dots; ` +
        'give it as a string (e.g. in generators defaults: "packVersion": "1.0"), or edit pack.version in suppack.json',
      { file: 'suppack:pack', field: '--packVersion' },
    );
  }
  return {
    ...o,
    directory: posix.normalize(o.directory ?? `packs/${o.name}`).replace(/\/+$/, ''),
    text: o.text ?? defaultText(o.name),
    kernel: o.type === 'userspace' ? (o.kernel ?? DEFAULT_KERNEL) : resolveKernel(o, sources),
    version: o.packVersion ?? DEFAULT_PACK_VERSION[o.format],
    ...(o.format === 'update' ? { uuid: o.uuid ?? randomUUID() } : {}),
  };
}

/**
 * The literal of `--<name>=<v>` / `--<name> <v>` (or its kebab-case spelling) in `argv`, when it
 * is the number Nx parsed it into (so `1.0`, `2.10`, `1.00` come back as typed).
 */
export function typedOption(argv: readonly string[], name: string, parsed: number): string | undefined {
  const flags = new Set([`--${name}`, `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`]);
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].indexOf('=');
    const flag = eq < 0 ? argv[i] : argv[i].slice(0, eq);
    if (!flags.has(flag)) continue;
    const value = eq < 0 ? argv[i + 1] : argv[i].slice(eq + 1);
    if (value !== undefined && /^\d+(\.\d+)*$/.test(value) && Number(value) === parsed) return value;
  }
  return undefined;
}

/**
 * The kernel of a driver or combined pack: --kernel; else the one release --kernelDevelRpm builds
 * for (read from its file list); else a kernel whose headers are installed here (the running one
 * first, then the newest), so that the first build works as generated; else DEFAULT_KERNEL (the
 * build then says which headers to install).
 */
function resolveKernel(o: PackGeneratorConfig, sources: KernelSources): string {
  if (o.kernel !== undefined) return o.kernel;
  if (o.kernelDevelRpm !== undefined) {
    const where = { file: 'suppack:pack', field: '--kernelDevelRpm' };
    const bytes = sources.read?.(o.kernelDevelRpm) ?? null;
    if (bytes === null) throw new SuppackError(`${o.kernelDevelRpm} not found (a path relative to the workspace root), or give --kernel`, where);
    const releases = develRpmReleases(bytes, o.kernelDevelRpm);
    if (releases.length !== 1) {
      throw new SuppackError(
        `${o.kernelDevelRpm} ${releases.length === 0 ? 'has no /lib/modules/<release>/build' : `builds for ${releases.join(', ')}`}: give --kernel`,
        where,
      );
    }
    return releases[0]!;
  }
  return installedKernels(sources.modulesDir, sources.running)[0] ?? DEFAULT_KERNEL;
}

function defaultText(name: string): string {
  const t = `${name} pack`;
  return t.length <= 32 ? t : name.slice(0, 32);
}

/** The suppack.json of the generated project. */
export function packManifest(plan: PackPlan): ManifestInput {
  const kernels = [
    {
      version: plan.kernel,
      ...(plan.kernelBuildDir !== undefined ? { buildDir: plan.kernelBuildDir } : {}),
      ...(plan.kernelDevelRpm !== undefined ? { develRpm: plan.kernelDevelRpm } : {}),
    },
  ];
  const modules = { spec: `specs/${plan.name}-modules.spec`, kind: 'kernel-module' as const, sources: 'src', version: plan.version, release: '1' };
  const $schema = `${offsetFromRoot(plan.directory)}node_modules/suppack/schemas/suppack.schema.json`;
  const manifest: ManifestInput =
    plan.format === 'update'
      ? { $schema, format: 'update', pack: updatePack(plan) }
      : {
          $schema,
          format: 'legacy',
          pack: {
            vendorCode: plan.vendorCode as string, // required for legacy by the schema
            vendorName: plan.vendorName,
            label: plan.name,
            text: plan.text,
            version: plan.version,
            productVersion: plan.productVersion,
          },
        };
  switch (plan.type) {
    case 'driver':
      return { ...manifest, rpms: [modules], kernels };
    case 'combined':
      return {
        ...manifest,
        rpms: [modules, { spec: `specs/${plan.name}-data.spec`, kind: 'userspace', sources: 'data', version: plan.version, release: '1' }],
        kernels,
      };
    case 'userspace':
      return {
        ...manifest,
        rpms: [{ spec: `specs/${plan.name}.spec`, kind: 'userspace', sources: 'src', version: plan.version, release: '1' }],
        statusReport: {
          categories: [
            {
              name: plan.name,
              pii: 'maybe',
              maxSize: 1048576,
              maxTime: 60,
              mime: 'text/plain',
              collect: [
                { kind: 'files', paths: [`/etc/${plan.name}/${plan.name}.conf`] },
                { kind: 'directory', path: `/var/log/${plan.name}`, pattern: '.*\\.log$' },
                { kind: 'command', command: `/usr/bin/${plan.name} --status`, label: `${plan.name}-status` },
              ],
            },
          ],
        },
        eulas: [`${plan.name}-EULA`],
      };
  }
}

/**
 * The `pack` of an update manifest (docs/formats/xenserver.md §2.1). A driver pack is a driver disk: no version
 * of its own (the driver RPM's <version>+<release>+<build>, docs/formats/xenserver.md §2.5). A pack with a
 * kernel module asks for a host reboot after it is applied. No key: signing is off until the
 * user adds one (see the README).
 */
function updatePack(plan: PackPlan): Extract<ManifestInput, { format: 'update' }>['pack'] {
  if (!UPDATE_LABEL.test(plan.name)) {
    throw new SuppackError(
      `expected letters, digits, "_" or "-" only: the name is the update label, which build-update checks with [A-Za-z0-9_-]+ (got ${JSON.stringify(plan.name)})`,
      { file: 'suppack:pack', field: '--name' },
    );
  }
  if (plan.uuid === undefined) throw new SuppackError('required for --format update', { file: 'suppack:pack', field: '--uuid' });
  const driverDisk = plan.type === 'driver';
  return {
    uuid: plan.uuid,
    label: plan.name,
    ...(driverDisk ? {} : { version: plan.version }),
    description: plan.text,
    afterApply: plan.type === 'userspace' ? [] : ['restartHost'],
    ...(driverDisk ? { driverDisk: true, build: DRIVER_DISK_BUILD } : {}),
    vendorName: plan.vendorName,
    // The ISO volume id defaults to the label, which may be longer than its 32 characters.
    ...(plan.name.length > 32 ? { volumeId: plan.name.slice(0, 32) } : {}),
  };
}

/**
 * generateFiles (EJS contents, `__name__` in paths), then drop the `.tmpl` suffix every
 * template carries (so editors and compilers leave them alone, and the build ships them).
 */
function writeTemplates(tree: Tree, srcDir: string, target: string, substitutions: Record<string, unknown>): void {
  const before = new Set(listFiles(tree, target));
  generateFiles(tree, srcDir, target, substitutions);
  for (const file of listFiles(tree, target)) {
    if (file.endsWith(TEMPLATE_SUFFIX) && !before.has(file)) tree.rename(file, file.slice(0, -TEMPLATE_SUFFIX.length));
  }
}

function listFiles(tree: Tree, dir: string): string[] {
  if (!tree.exists(dir)) return [];
  if (tree.isFile(dir)) return [dir];
  return tree.children(dir).flatMap((c) => listFiles(tree, posix.join(dir, c)));
}

/** A C string literal. */
export function cString(s: string): string {
  return JSON.stringify(s);
}

/** Text for a spec tag or %description: `%` is a macro there. */
export function specText(s: string): string {
  return s.replace(/%/g, '%%');
}

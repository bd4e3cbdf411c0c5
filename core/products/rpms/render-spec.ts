/**
 * render-spec: spec templates → rendered `.spec` files (the `specs/` stage).
 *
 * THE MACRO CONTRACT (the reference for spec template authors)
 * ============================================================
 * A rendered spec is the template with a block of `%global` lines prepended. The rendered file
 * holds no absolute path: everything machine-specific comes in with `--define` at build time.
 *
 * Defined in every rendered spec (%global, from suppack.json):
 *   %{suppack_version}      rpms[i].version                      e.g. 1.0.2
 *   %{suppack_release}      rpms[i].release                      e.g. 1
 *   %{suppack_srcdir}       <specbase>-<version>: the top directory of the source tarball
 *   %{suppack_source0}      <specbase>-<version>.tar.gz (only when rpms[i].sources is set)
 *   %{pack_label}           pack.label                           e.g. acme-nic
 *   %{pack_vendor_code}     pack.vendorCode                      e.g. acme
 *   %{pack_version}         pack.version                         e.g. 1.0
 *   %{<name>}               each rpms[i].defines entry, after the ones above, in manifest order
 *                           (the value is a macro body: it may use %{pack_label} and friends)
 * <specbase> is the template's file name without `.in` and `.spec` (`acme.spec.in` → `acme`).
 *
 * kind "kernel-module": one rendered spec per manifest kernel, `<specbase>-<version>[-<flavour>].spec`,
 * each with
 *   %{kernel_version}       kernels[k].version                   e.g. 4.19.0+1, 6.1.0-28-amd64
 *   %{kernel_flavour}       kernels[k].flavour, or empty          e.g. xen, kdump
 *   %{kernel_release}       version + flavour: the `uname -r` of that kernel, the name of its
 *                           /lib/modules/<kernel_release>/ directory
 * and, passed by build-rpms on the command line (never in the file):
 *   %{kernel_build_dir}     kernels[k].buildDir, default /lib/modules/<kernel_release>/build, or
 *                           the tree of kernels[k].develRpm (core/products/rpms/kernel-devel.ts)
 *
 * kind "userspace": one rendered spec, `<specbase>.spec`. The FIRST userspace spec also carries
 * the pack's extras (status-report XML, docs/formats/xenserver.md §7, and EULA files); both macros are defined
 * for it even when the manifest has none (then the tarball and the list are empty), so its
 * template works unchanged when a status report or an EULA is added or removed:
 *   %{suppack_extras_tar}   <specbase>-extras.tar.gz: the files, paths relative to /
 *                           (etc/xensource/bugtool/..., usr/share/doc/<pack label>/<name>-EULA)
 *   %{suppack_extras_files} <specbase>-extras.files: an rpm %files list of those files
 * Both are written to specs/extras/; build-rpms puts them next to the source tarballs in
 * %{_sourcedir}. EULA files are installed as /usr/share/doc/<pack label>/<stem>[-EULA]: the
 * stem is the file name less one extension, `-EULA` appended unless it already ends in EULA
 * (`docs/LICENSE.txt` → LICENSE-EULA, `EULA.txt` → EULA, `acme-EULA` → acme-EULA); the legacy
 * installer shows every `*EULA` file of a pack's RPMs (docs/formats/xenserver.md §1.8).
 *
 * Defined by build-rpms with --define (absolute paths, at run time only):
 *   %{_topdir}, %{_sourcedir} (source tarballs + extras), %{kernel_build_dir};
 *   SOURCE_DATE_EPOCH, use_source_date_epoch_as_buildtime, clamp_mtime_to_source_date_epoch,
 *   a fixed %{_buildhost}, gzip payloads, no debuginfo, no build-id links; and in the
 *   environment KCFLAGS=-ffile-prefix-map=<work dir>=. so kbuild keeps the build path out of a
 *   module's debug info and build ID (same .ko bytes wherever the workspace is). Templates that
 *   compile userspace code should do the same themselves: CFLAGS="%{optflags} -ffile-prefix-map=%{_builddir}=."
 *
 * A kernel-module template (the legacy installer reads NAME as <label>-<kernel>-modules, docs/formats/xenserver.md §1.2):
 *   Name:     %{pack_label}-%{kernel_release}-modules
 *   Version:  %{suppack_version}
 *   Release:  %{suppack_release}
 *   Group:    System Environment/Kernel
 *   Source0:  %{suppack_source0}
 *   %prep
 *   %setup -q -n %{suppack_srcdir}
 *   %build
 *   make -C %{kernel_build_dir} M=$PWD modules
 *   %install
 *   install -D -m 0644 hello.ko %{buildroot}/lib/modules/%{kernel_release}/updates/hello.ko
 *   %files
 *   /lib/modules/%{kernel_release}/updates/hello.ko
 *
 * A userspace template carrying the extras:
 *   Source0:  %{suppack_source0}
 *   Source1:  %{suppack_extras_tar}
 *   %install
 *   mkdir -p %{buildroot}
 *   tar -xzf %{SOURCE1} -C %{buildroot}
 *   %files -f %{_sourcedir}/%{suppack_extras_files}
 */
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { SuppackError } from '../../base/errors';
import { kernelBuildDir, kernelRelease } from '../layout';
import { replaceDir } from '../../base/output';
import { DEFAULT_EPOCH } from '../../base/time';
import { statusReportFiles } from '../../xenserver/status-report';
import { tarGzBytes, type TarInput } from '../../formats/tar';
import { MANIFEST_FILE, type Kernel, type Manifest } from '../../../schemas/manifest';
import { readInput } from '../../base/read-input';
import { makeDir } from '../../base/make-dir';

export { kernelBuildDir, kernelRelease };

export interface RenderedSpec {
  specBase: string;
  kind: 'kernel-module' | 'userspace';
  kernel?: Kernel;
  /** Absolute path of the rendered spec. */
  file: string;
  /** The template it was rendered from, as suppack.json names it (relative to the project). */
  template: string;
  /** Basename of the source tarball (Source0), when the spec has sources. */
  source0?: string;
  /** Absolute paths of the extras tarball and %files list, for the spec that carries them. */
  extras?: { tarball: string; filesList: string };
}

/** What one rendered spec will be: a pure function of the manifest, shared with build-rpms. */
export interface SpecPlan {
  /** Index in rpms[]. */
  index: number;
  template: string;
  specBase: string;
  kind: 'kernel-module' | 'userspace';
  kernel?: Kernel;
  /** Index in kernels[]. */
  kernelIndex?: number;
  /** File name in the specs/ stage. */
  fileName: string;
  source0?: string;
  /** Basenames of the extras files in specs/extras/, for the spec that carries them. */
  extras?: { tarball: string; filesList: string };
  globals: Record<string, string>;
}

/** The subdirectory of specs/ holding the extras tarballs and %files lists. */
export const EXTRAS_DIR = 'extras';

const MACRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set([
  'suppack_version',
  'suppack_release',
  'suppack_srcdir',
  'suppack_source0',
  'pack_label',
  'pack_vendor_code',
  'pack_version',
  'kernel_version',
  'kernel_flavour',
  'kernel_release',
  'kernel_build_dir',
]);

/** `acme.spec.in` → `acme`, `drivers/acme.spec` → `acme`. */
export function specBaseOf(template: string): string {
  return basename(template).replace(/\.in$/, '').replace(/\.spec$/, '');
}

/** Every spec render-spec writes, in manifest order (kernels in manifest order within a spec). */
export function planSpecs(m: Manifest, manifestFile: string = MANIFEST_FILE): SpecPlan[] {
  const plans: SpecPlan[] = [];
  const extrasIndex = m.rpms.findIndex((r) => r.kind === 'userspace');
  const files = new Map<string, number>();
  m.rpms.forEach((r, index) => {
    const field = `rpms[${index}]`;
    const specBase = specBaseOf(r.spec);
    if (!/^[A-Za-z0-9._+-]+$/.test(specBase)) {
      throw new SuppackError(`expected a template file name of letters, digits, ".", "_", "+" or "-", got ${JSON.stringify(basename(r.spec))}`, {
        file: manifestFile,
        field: `${field}.spec`,
      });
    }
    const srcdir = `${specBase}-${r.version}`;
    const base: Record<string, string> = {
      suppack_version: r.version,
      suppack_release: r.release,
      suppack_srcdir: srcdir,
      ...(r.sources !== undefined ? { suppack_source0: `${srcdir}.tar.gz` } : {}),
      pack_label: m.pack.label,
      ...(m.format === 'legacy'
        ? { pack_vendor_code: m.pack.vendorCode, pack_version: m.pack.version }
        : { pack_uuid: m.pack.uuid, ...(m.pack.version !== undefined ? { pack_version: m.pack.version } : {}) }),
    };
    const defines = userDefines(r.defines, manifestFile, `${field}.defines`);
    const common = { index, template: r.spec, specBase, kind: r.kind, ...(r.sources !== undefined ? { source0: `${srcdir}.tar.gz` } : {}) };
    const add = (p: SpecPlan) => {
      const other = files.get(p.fileName);
      if (other !== undefined && other !== index) {
        throw new SuppackError(`renders to ${p.fileName} like rpms[${other}].spec: give the templates different file names`, {
          file: manifestFile,
          field: `${field}.spec`,
        });
      }
      files.set(p.fileName, index);
      plans.push(p);
    };
    if (r.kind === 'kernel-module') {
      m.kernels.forEach((kernel, kernelIndex) => {
        const fileName = `${specBase}-${kernel.version}${kernel.flavour !== undefined ? `-${kernel.flavour}` : ''}.spec`;
        const globals = {
          ...base,
          kernel_version: kernel.version,
          kernel_flavour: kernel.flavour ?? '',
          kernel_release: kernelRelease(kernel),
          ...defines,
        };
        add({ ...common, kernel, kernelIndex, fileName, globals });
      });
    } else {
      const extras = index === extrasIndex ? { tarball: `${specBase}-extras.tar.gz`, filesList: `${specBase}-extras.files` } : undefined;
      const globals = {
        ...base,
        ...(extras ? { suppack_extras_tar: extras.tarball, suppack_extras_files: extras.filesList } : {}),
        ...defines,
      };
      add({ ...common, fileName: `${specBase}.spec`, globals, ...(extras ? { extras } : {}) });
    }
  });
  return plans;
}

function userDefines(defines: Record<string, string>, file: string, field: string): Record<string, string> {
  for (const [name, value] of Object.entries(defines)) {
    if (RESERVED.has(name) || name.startsWith('suppack_')) {
      throw new SuppackError('this macro is defined by suppack (see core/products/rpms/render-spec.ts); choose another name', { file, field: `${field}.${name}` });
    }
    if (/[\r\n]/.test(value)) throw new SuppackError('expected a one-line macro value', { file, field: `${field}.${name}` });
  }
  return defines;
}

/**
 * The rendered text: a comment, one `%global <name> <value>` line per entry of `globals` (in
 * its order; an empty value becomes `%{nil}`, rpm refuses empty bodies), a blank line, then the
 * template unchanged (with a final newline).
 */
export function renderSpecText(template: string, globals: Record<string, string>): string {
  return renderSpecBytes(Buffer.from(template, 'utf8'), globals).toString('utf8');
}

/**
 * renderSpecText on the template's bytes, which pass through unchanged whatever their encoding:
 * rpmbuild, not render-spec, judges them (rpm 4.11 keeps ISO-8859-1 text, newer releases refuse
 * invalid UTF-8 in the header's text with "invalid utf-8 encoding"), as it would the spec itself.
 */
export function renderSpecBytes(template: Buffer, globals: Record<string, string>): Buffer {
  const lines = ['# Rendered by suppack (render-spec): the global macro definitions below come from suppack.json.'];
  for (const [name, value] of Object.entries(globals)) {
    if (!MACRO_NAME.test(name)) throw new SuppackError(`expected a macro name of letters, digits and "_", got ${JSON.stringify(name)}`);
    if (/[\r\n]/.test(value)) throw new SuppackError(`expected a one-line value for the macro ${name}`);
    const body = value.trim() === '' ? '%{nil}' : value.trim();
    lines.push(`%global ${name} ${body}`);
  }
  const newline = template.length > 0 && template[template.length - 1] !== 0x0a ? [Buffer.from('\n')] : [];
  return Buffer.concat([Buffer.from(`${lines.join('\n')}\n\n`, 'utf8'), template, ...newline]);
}

const EULA_NAME = /^[A-Za-z0-9._+-]+$/;

/** The extras tree of the spec that carries them: paths relative to / (sorted) and where each comes from. */
export function extrasEntries(m: Manifest, projectDir: string, manifestFile: string = MANIFEST_FILE): Array<{ name: string; source: string | Buffer }> {
  const entries: Array<{ name: string; source: string | Buffer }> = [];
  if (m.statusReport) {
    for (const f of statusReportFiles(m.statusReport, m.pack.label, manifestFile)) entries.push({ name: f.path, source: Buffer.from(f.content) });
  }
  const seen = new Map<string, number>();
  m.eulas.forEach((eula, i) => {
    const base = basename(eula);
    if (!EULA_NAME.test(base)) {
      throw new SuppackError(`expected a file name of letters, digits, ".", "_", "+" or "-" (it is installed under /usr/share/doc), got ${JSON.stringify(base)}`, {
        file: manifestFile,
        field: `eulas[${i}]`,
      });
    }
    const stem = base.replace(/(.)\.[^.]*$/, '$1');
    const name = /EULA$/.test(stem) ? stem : `${stem}-EULA`;
    const other = seen.get(name);
    if (other !== undefined) {
      throw new SuppackError(`installs as ${name} like eulas[${other}]: rename one of them`, { file: manifestFile, field: `eulas[${i}]` });
    }
    seen.set(name, i);
    entries.push({ name: `usr/share/doc/${m.pack.label}/${name}`, source: join(projectDir, eula) });
  });
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The rpm %files list of the extras: one `%attr(0644,root,root) /path` line per file. */
export function extrasFilesList(names: string[]): string {
  return names.map((n) => `%attr(0644,root,root) /${n}\n`).join('');
}

/** A file render-spec makes, relative to its specs directory. */
export interface RenderedFile {
  path: string;
  contents: Buffer;
}

/**
 * The files one spec template (`text`, its bytes; `plans`, the plans of planSpecs that use it)
 * renders to: a spec per plan (one per kernel for a kernel-module spec), and after the
 * spec that carries the pack's extras, `extras/<specbase>-extras.tar.gz` and
 * `extras/<specbase>-extras.files`. The render-spec stage writes these; the gulp plugin pushes them.
 */
export async function renderTemplate(m: Manifest, plans: readonly SpecPlan[], text: Buffer, projectDir: string, manifestFile: string = MANIFEST_FILE): Promise<RenderedFile[]> {
  const files: RenderedFile[] = [];
  for (const plan of plans) {
    files.push({ path: plan.fileName, contents: renderSpecBytes(text, plan.globals) });
    if (plan.extras !== undefined) {
      const entries: TarInput[] = extrasEntries(m, projectDir, manifestFile);
      // The extras tarball is an intermediate: a fixed mtime keeps render-spec independent of the environment.
      files.push({ path: `${EXTRAS_DIR}/${plan.extras.tarball}`, contents: await tarGzBytes(entries, DEFAULT_EPOCH) });
      files.push({ path: `${EXTRAS_DIR}/${plan.extras.filesList}`, contents: Buffer.from(extrasFilesList(entries.map((e) => e.name))) });
    }
  }
  return files;
}

/**
 * Render every spec of the manifest into `outDir` (the specs/ stage). The new contents are
 * staged in a sibling temp directory that replaces `outDir` at the end, so stale files of a
 * previous run never survive and a failed run leaves the previous output as it was.
 */
export async function renderSpecs(o: { manifest: Manifest; projectDir: string; outDir: string; manifestFile?: string }): Promise<RenderedSpec[]> {
  const manifestFile = o.manifestFile ?? MANIFEST_FILE;
  const plans = planSpecs(o.manifest, manifestFile);
  const templates = new Map<string, Buffer>();
  for (const p of plans) {
    if (templates.has(p.template)) continue;
    templates.set(p.template, await readNamed(join(o.projectDir, p.template), manifestFile, `rpms[${p.index}].spec`, 'spec template'));
  }
  // The extras' names are checked before any EULA is read: a bad name is the first thing to fix.
  if (plans.some((p) => p.extras !== undefined)) extrasEntries(o.manifest, o.projectDir, manifestFile);
  for (const [i, eula] of o.manifest.eulas.entries()) {
    await readNamed(join(o.projectDir, eula), manifestFile, `eulas[${i}]`, 'EULA file');
  }
  const files: RenderedFile[] = [];
  for (const [template, text] of templates) {
    files.push(...(await renderTemplate(o.manifest, plans.filter((p) => p.template === template), text, o.projectDir, manifestFile)));
  }

  await replaceDir(o.outDir, async (tmp) => {
    for (const f of files) {
      if (f.path.includes('/')) await makeDir(join(tmp, f.path.slice(0, f.path.lastIndexOf('/'))));
      await fsp.writeFile(join(tmp, f.path), f.contents);
    }
  });

  return plans.map((p) => ({
    specBase: p.specBase,
    kind: p.kind,
    ...(p.kernel ? { kernel: p.kernel } : {}),
    file: join(o.outDir, p.fileName),
    template: p.template,
    ...(p.source0 !== undefined ? { source0: p.source0 } : {}),
    ...(p.extras
      ? { extras: { tarball: join(o.outDir, EXTRAS_DIR, p.extras.tarball), filesList: join(o.outDir, EXTRAS_DIR, p.extras.filesList) } }
      : {}),
  }));
}

/** A template or EULA named by `field` of `file` (suppack.json), read with the one input reader. */
async function readNamed(path: string, file: string, field: string, what: string): Promise<Buffer> {
  return readInput(path, { file, field, what: `${what} ${path}`, missing: `${what} not found: ${path}` });
}

/**
 * `renderSpec(manifest)`: spec templates in, rendered specs out, by core/spec.ts (the macro
 * contract is documented there). A userspace template gives one spec, a kernel-module template
 * one spec per manifest kernel; the spec that carries the pack's extras (status report, EULAs)
 * is followed by `extras/<specbase>-extras.tar.gz` and `extras/<specbase>-extras.files`, the
 * same files and bytes as the Nx render-spec stage.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import Vinyl from 'vinyl';
import { SuppackError } from '../core/errors';
import { EXTRAS_DIR, extrasEntries, extrasFilesList, planSpecs, renderSpecText, type SpecPlan } from '../core/spec';
import { writeTarGz } from '../core/tarball';
import { DEFAULT_EPOCH } from '../core/time';
import { MANIFEST_FILE, manifestSchema, type Manifest, type ManifestInput } from '../schemas/manifest';
import { dottedPath, parseWithSchema } from '../schemas/parse';
import { pluginError } from './errors';

export interface RenderSpecOptions {
  /**
   * The directory suppack.json's paths are relative to (templates, EULA files). Default: each
   * file's `cwd`, i.e. the gulpfile's directory.
   */
  projectDir?: string;
}

/**
 * `manifest` is suppack.json's contents (validated here with the same schema; a problem throws a
 * PluginError naming the field when the plugin is created). A template is matched to
 * `rpms[].spec` by its path relative to the project directory; a file the manifest does not name
 * is a PluginError. Templates are read whole: stream contents are refused (use buffer mode).
 */
export function renderSpec(manifest: ManifestInput, options: RenderSpecOptions = {}): Transform {
  let m: Manifest;
  let plans: SpecPlan[];
  try {
    m = parseWithSchema(manifestSchema, manifest, { file: MANIFEST_FILE, field: (path) => dottedPath(path) });
    plans = planSpecs(m, MANIFEST_FILE);
  } catch (e) {
    throw pluginError(e);
  }

  async function render(file: Vinyl, push: (f: Vinyl) => void): Promise<void> {
    if (!Buffer.isBuffer(file.contents)) {
      throw new SuppackError('streaming not supported: spec templates are read whole; use src(..., { buffer: true })', { file: file.path });
    }
    const projectDir = options.projectDir ?? file.cwd;
    const template = relative(projectDir, file.path).split(sep).join('/');
    const mine = plans.filter((p) => posix.normalize(p.template) === template);
    if (mine.length === 0) {
      throw new SuppackError(`not a spec template of ${MANIFEST_FILE}: expected one of ${[...new Set(plans.map((p) => p.template))].join(', ') || '(none)'} relative to ${projectDir}`, {
        file: file.path,
      });
    }
    const text = file.contents.toString('utf8');
    for (const plan of mine) {
      const spec = derived(file, join(dirname(file.path), plan.fileName), Buffer.from(renderSpecText(text, plan.globals)));
      push(spec);
      if (plan.extras !== undefined) {
        const entries = extrasEntries(m, projectDir, MANIFEST_FILE);
        const dir = join(dirname(file.path), EXTRAS_DIR);
        push(derived(file, join(dir, plan.extras.tarball), await tarGz(entries)));
        push(derived(file, join(dir, plan.extras.filesList), Buffer.from(extrasFilesList(entries.map((e) => e.name)))));
      }
    }
  }

  return new Transform({
    objectMode: true,
    transform(this: Transform, file: Vinyl, _enc: BufferEncoding, done: TransformCallback) {
      if (file.isNull()) return done(null, file);
      render(file, (f) => this.push(f)).then(
        () => done(),
        (e: unknown) => done(pluginError(e, file.path)),
      );
    },
  });
}

function derived(from: Vinyl, path: string, contents: Buffer): Vinyl {
  return new Vinyl({ cwd: from.cwd, base: from.base, path, contents });
}

/** The extras tarball, with the fixed mtime render-spec uses (an intermediate, not a release file). */
async function tarGz(entries: ReturnType<typeof extrasEntries>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'suppack-gulp-'));
  try {
    const out = join(dir, 'extras.tar.gz');
    await writeTarGz(entries, out, DEFAULT_EPOCH);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

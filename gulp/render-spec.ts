/**
 * `renderSpec(manifest)`: spec templates in, rendered specs out, by core/products/rpms/render-spec.ts (the macro
 * contract is documented there). A userspace template gives one spec, a kernel-module template
 * one spec per manifest kernel; the spec that carries the pack's extras (status report, EULAs)
 * is followed by `extras/<specbase>-extras.tar.gz` and `extras/<specbase>-extras.files`, the
 * same files and bytes as the Nx render-spec stage.
 */
import { dirname, join, posix, relative, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import Vinyl from 'vinyl';
import { SuppackError } from '../core';
import { planSpecs, renderTemplate, type SpecPlan } from '../core';
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
    // The same files and bytes as the render-spec stage: core/products/rpms/render-spec.ts renderTemplate.
    const rendered = await renderTemplate(m, mine, file.contents, projectDir, MANIFEST_FILE);
    for (const f of rendered) push(derived(file, join(dirname(file.path), ...f.path.split('/')), f.contents));
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

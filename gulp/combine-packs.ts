/**
 * `combinePacks(options)`: legacy pack ISOs in, one combined pack out (N to 1, like gulp-zip):
 * `<name>.iso` and `<name>.iso.md5`, each pack in `packages.<label>/`, listed in
 * XS-REPOSITORY-LIST in name order of the inputs (docs/formats/xenserver.md §3). Made by core, so the bytes are
 * those of `suppack combine-packs` and the Nx `combine-packs` target for the same packs.
 */
import { join } from 'node:path';
import type { Transform } from 'node:stream';
import { z } from 'zod';
import { combinePacks as combine } from '../core';
import { SuppackError } from '../core';
import { sourceDateEpoch } from '../core';
import { bundleManifestSchema } from '../schemas/bundle';
import { volumeIdSchema } from '../schemas/pack-members';
import { dottedPath, parseWithSchema } from '../schemas/parse';
import { pluginError } from './errors';
import { nToOne, Staging } from './staging';

export interface CombinePacksOptions {
  /** The outputs' base name: `<name>.iso` and `<name>.iso.md5` (letters, digits, ".", "_", "-"). */
  name: string;
  /** ISO volume id, at most 32 printable ASCII characters (default: the first 32 of `name`, as the CLI). */
  volumeId?: string;
  /** false: the ISO leaves with stream contents read from disk instead of a buffer (default true). */
  buffer?: boolean;
}

const optionsSchema = z
  .object({
    name: bundleManifestSchema.shape.name,
    volumeId: volumeIdSchema.optional(),
    buffer: z.boolean({ error: 'expected true or false' }).optional(),
  })
  .strict();

/**
 * Options are checked when the plugin is created (a bad or missing one throws a PluginError
 * naming it), SOURCE_DATE_EPOCH is read then too. The packs come in as buffers or streams and
 * are staged under os.tmpdir(); an update-format pack is refused with core's error naming it.
 */
export function combinePacks(options: CombinePacksOptions): Transform {
  let checked: { name: string; volumeId: string; buffer: boolean; epoch: number };
  try {
    if (options === null || typeof options !== 'object') {
      throw new SuppackError('expected an object { name, volumeId?, buffer? }', { field: 'options' });
    }
    const o = parseWithSchema(optionsSchema, options, { field: (path) => `options.${dottedPath(path)}` });
    checked = { name: o.name, volumeId: o.volumeId ?? o.name.slice(0, 32), buffer: o.buffer ?? true, epoch: sourceDateEpoch() };
  } catch (e) {
    throw pluginError(e);
  }
  const { name, volumeId, buffer, epoch } = checked;
  const staging = new Staging();

  return nToOne(staging, async (push) => {
    if (staging.first === undefined) {
      throw new SuppackError('no packs given: expected one or more legacy pack ISOs in the stream');
    }
    const outDir = join(await staging.workDir(), 'out');
    const packs = staging.byName().map((i) => i.staged);
    const out = await combine({ packs, outDir, name, volumeId, epoch });
    push(staging.output(out.iso, await staging.contents(out.iso, buffer)));
    push(staging.output(out.isoMd5, await staging.contents(out.isoMd5, true)));
  });
}

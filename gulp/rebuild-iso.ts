/**
 * `rebuildIso(options)`: a XenServer installer ISO rebuilt with the legacy pack ISOs of the stream
 * (N to 1), an answerfile, driver RPMs and extra files (docs/formats/xenserver.md §4). Made by core, so the bytes
 * are those of `suppack rebuild-iso` and the Nx `rebuild-iso` target for the same inputs. The
 * installer ISO and the other inputs are options (paths), not stream files: the stream carries
 * only the packs, and may be empty when the options add something.
 */
import { basename, join, resolve } from 'node:path';
import type { Transform } from 'node:stream';
import { z } from 'zod';
import { SuppackError } from '../core';
import { menuReportLines, rebuildIso as rebuild, type IncludeSpec, type RebuildIsoBuild } from '../core';
import { sourceDateEpoch } from '../core';
import { bootEntriesSchema, includeSchema, installerManifestSchema } from '../schemas/installer';
import { volumeIdSchema } from '../schemas/pack-members';
import { dottedPath, parseWithSchema } from '../schemas/parse';
import { pluginError } from './errors';
import { nToOne, Staging } from './staging';
import { makeDir } from '../core';

export interface RebuildIsoOptions {
  /** The installer ISO to start from: a path, relative to process.cwd() or absolute. Its BIOS and UEFI boot are kept. */
  base: string;
  /** An answerfile (path): put into install.img as /answerfile.xml, its parameters added to every install entry. */
  answerfile?: string;
  /**
   * With `answerfile`: exactly the boot entries that get its parameters, by isolinux LABEL or GRUB
   * title (or `submenu>title`); default every Xen install entry, never a shell entry.
   */
  bootEntries?: string[];
  /**
   * Where the per-menu report goes (entries patched, entries left and why), one line per call;
   * default a line on stderr each, as the CLI and Nx print them. `false`: nowhere.
   */
  log?: ((line: string) => void) | false;
  /** ISO volume id, at most 32 printable ASCII characters (default: the base ISO's). */
  volumeId?: string;
  /** The output's file name (default: `basename(base)`). */
  output?: string;
  /** Files or directories (paths) to add, at `to` inside the ISO (default their base name at the root). */
  include?: Array<{ from: string; to?: string }>;
  /** Driver RPMs (paths) whose kernel modules and firmware go into install.img. */
  drivers?: string[];
  /** false: the ISO leaves with stream contents read from disk instead of a buffer (default true). */
  buffer?: boolean;
}

const path = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `required, expected ${what} (a path)` : `expected ${what} (a path)`) })
    .min(1, { error: `expected ${what} (a path), got ""` });

const optionsSchema = z
  .object({
    base: path('the installer ISO to start from'),
    answerfile: path('the answerfile').optional(),
    bootEntries: bootEntriesSchema.optional(),
    log: z.union([z.literal(false), z.custom<(line: string) => void>((v) => typeof v === 'function')], { error: 'expected a function (line) => void, or false' }).optional(),
    volumeId: volumeIdSchema.optional(),
    output: installerManifestSchema.shape.output,
    include: z.array(z.object({ from: path('a file or directory'), to: includeSchema.shape.to }).strict()).optional(),
    drivers: z.array(path('a driver RPM')).optional(),
    buffer: z.boolean({ error: 'expected true or false' }).optional(),
  })
  .strict();

/** What core gets, minus the packs and the output; paths resolved against process.cwd() at creation. */
type Checked = Omit<RebuildIsoBuild, 'packs' | 'output' | 'onProgress'> & { name: string; buffer: boolean; log: (line: string) => void };

function checkOptions(options: RebuildIsoOptions): Checked {
  try {
    if (options === null || typeof options !== 'object') {
      throw new SuppackError('expected an object { base, answerfile?, bootEntries?, volumeId?, output?, include?, drivers?, buffer?, log? }', { field: 'options' });
    }
    const o = parseWithSchema(optionsSchema, options, { field: (p) => `options.${dottedPath(p)}` });
    if (o.bootEntries !== undefined && o.answerfile === undefined) {
      throw new SuppackError('expected with an answerfile, whose parameters it directs', { field: 'options.bootEntries' });
    }
    const input = resolve(o.base);
    return {
      input,
      name: o.output ?? basename(input),
      ...(o.answerfile !== undefined ? { answerfile: resolve(o.answerfile) } : {}),
      ...(o.bootEntries !== undefined ? { bootEntries: o.bootEntries } : {}),
      drivers: (o.drivers ?? []).map((d) => resolve(d)),
      include: (o.include ?? []).map((i): IncludeSpec => ({ from: resolve(i.from), ...(i.to !== undefined ? { to: i.to } : {}) })),
      ...(o.volumeId !== undefined ? { volumeId: o.volumeId } : {}),
      buffer: o.buffer ?? true,
      log: o.log === false ? () => {} : (o.log ?? ((line: string) => void process.stderr.write(`rebuildIso: ${line}\n`))),
      epoch: sourceDateEpoch(),
    };
  } catch (e) {
    throw pluginError(e);
  }
}

/**
 * Options are checked when the plugin is created (a bad or missing one throws a PluginError
 * naming it); SOURCE_DATE_EPOCH is read then too, and relative paths resolved against
 * process.cwd(). The packs come in as buffers or streams and are staged under os.tmpdir(), then
 * added in name order; an update-format pack is refused with core's error naming it.
 */
export function rebuildIso(options: RebuildIsoOptions): Transform {
  const { name, buffer, log, ...build } = checkOptions(options);
  const userFiles = [build.input, ...(build.answerfile !== undefined ? [build.answerfile] : []), ...(build.drivers ?? []), ...(build.include ?? []).map((i) => i.from)];
  const staging = new Staging();

  return nToOne(
    staging,
    async (push) => {
      const packs = staging.byName().map((i) => i.staged);
      if (packs.length === 0 && build.answerfile === undefined && build.drivers!.length === 0 && build.include!.length === 0) {
        throw new SuppackError(
          'nothing to add: expected legacy pack ISOs in the stream, or an answerfile, include or drivers option: otherwise the ISO is unchanged',
        );
      }
      const outDir = join(await staging.workDir(), 'out');
      const output = join(outDir, name);
      try {
        await makeDir(outDir);
        const result = await rebuild({ ...build, packs, output });
        for (const line of menuReportLines(result.menus)) log(line);
        for (const w of result.answerfileWarnings) process.stderr.write(`suppack: warning: ${w}\n`);
      } catch (e) {
        // The output is written in the temp directory: name it as the file that would have left.
        throw staging.unstage(e, userFiles, [{ staged: output, original: staging.output(output, Buffer.alloc(0)).path }]);
      }
      push(staging.output(output, await staging.contents(output, buffer)));
    },
    userFiles,
  );
}

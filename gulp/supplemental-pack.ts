/**
 * `supplementalPack(options)`: RPMs in, the pack out (N to 1, like gulp-zip), made by core so the
 * bytes are those of the CLI and the Nx targets for the same RPMs and options:
 *  - legacy: `<label>.iso`, `<label>.iso.md5`, `<label>.metadata.md5` (and `<label>.tar.gz`);
 *  - update: the update or driver-disk ISO and its `.sha256`, signed when `key` names the public
 *    key (the secret key comes from `signing.keyFile`, from the gpg keyring with `signing.keyUid`
 *    (build-update's --key), or SUPPACK_SIGNING_KEY, never inline).
 */
import { join } from 'node:path';
import type { Transform } from 'node:stream';
import { isSuppackError, SuppackError } from '../core';
import { buildLegacyPack, legacyRepository, type LegacyPackResult } from '../core';
import { sourceDateEpoch } from '../core';
import { legacyPackSchema, type LegacyPack, type LegacyPackInput } from '../schemas/legacy-pack';
import { updatePackSchema, type UpdatePack, type UpdatePackInput } from '../schemas/update-pack';
import { buildUpdatePack, type UpdatePackFiles } from '../core';
import type { SigningSource } from '../core';
import { dottedPath, parseWithSchema } from '../schemas/parse';
import { pluginError } from './errors';
import { nToOne, Staging } from './staging';
import { makeDir } from '../core';

/** The legacy pack metadata (schemas/legacy-pack.ts, build-supplemental-pack's flags) plus how the files come out. */
export interface LegacySupplementalPackOptions extends LegacyPackInput {
  format?: 'legacy';
  /** false: the ISO leaves with stream contents read from disk instead of a buffer (default true). */
  buffer?: boolean;
  /** Also emit `<label>.tar.gz`, like the CLI's --tarball (default false). */
  tarball?: boolean;
}

/** The update metadata (schemas/update-pack.ts, build-update's flags); file options are paths. */
export interface UpdateSupplementalPackOptions extends UpdatePackInput {
  format: 'update';
  buffer?: boolean;
  /**
   * Where the secret key and its passphrase come from: a key file, or `keyUid`, a gpg user id
   * exported from the keyring (build-update's --key); default the SUPPACK_SIGNING_* variables.
   */
  signing?: { keyFile?: string; keyUid?: string; passphraseFile?: string; noPassphrase?: boolean };
}

export type SupplementalPackOptions = LegacySupplementalPackOptions | UpdateSupplementalPackOptions;

type Checked =
  | { format: 'legacy'; pack: LegacyPack; buffer: boolean; tarball: boolean; epoch: number }
  | { format: 'update'; pack: UpdatePack; buffer: boolean; epoch: number; signing: SigningSource };

/**
 * Options are checked when the plugin is created (a bad or missing one throws a PluginError
 * naming it). Files come in as buffers or streams and are written to a temp directory under
 * os.tmpdir(), one sub-directory per input so that core's duplicate-name check still applies;
 * the outputs are read back and the directory removed. Timestamps: SOURCE_DATE_EPOCH, read at
 * creation, as the CLI does.
 */
export function supplementalPack(options: SupplementalPackOptions): Transform {
  const checked = checkOptions(options);
  const { buffer } = checked;
  const staging = new Staging();

  return nToOne(staging, async (push) => {
    if (staging.first === undefined) {
      throw new SuppackError('no packages given: expected one or more RPM files in the stream');
    }
    const outDir = join(await staging.workDir(), 'out');
    const rpms = staging.byName().map((i) => i.staged);
    let iso: string;
    let sideFiles: string[];
    if (checked.format === 'legacy') {
      const { pack, tarball, epoch } = checked;
      const result: LegacyPackResult = await buildLegacyPack({ pack, rpms, outDir, tarball, epoch });
      const o = result.outputs;
      iso = o.iso!;
      sideFiles = [o.isoMd5!, o.metadataMd5, ...(o.tarball !== undefined ? [o.tarball] : [])];
    } else {
      const { pack, epoch, signing } = checked;
      await makeDir(outDir);
      const files: UpdatePackFiles = {};
      for (const k of ['precheck', 'remove', 'key', 'groupfile'] as const) if (pack[k] !== undefined) files[k] = pack[k];
      const result = await buildUpdatePack({ pack, rpms, files, signing, output: outDir, epoch });
      iso = result.iso;
      sideFiles = [`${iso}.sha256`];
    }
    push(staging.output(iso, await staging.contents(iso, buffer)));
    for (const f of sideFiles) push(staging.output(f, await staging.contents(f, true)));
  }, userFiles(checked));
}

/** The files the update options name: an error in one of them names it as `fileName`. */
function userFiles(checked: Checked): string[] {
  if (checked.format === 'legacy') return [];
  const { pack, signing } = checked;
  return [pack.precheck, pack.remove, pack.key, pack.groupfile, signing.keyFile, signing.passphraseFile].filter((f): f is string => typeof f === 'string');
}

function checkOptions(options: SupplementalPackOptions): Checked {
  try {
    if (options === null || typeof options !== 'object') {
      throw new SuppackError('expected an object with the pack metadata (vendorCode, vendorName, label, text, version, ...)', {
        field: 'options',
      });
    }
    const format: unknown = options.format;
    if (format !== undefined && format !== 'legacy' && format !== 'update') {
      throw new SuppackError(`expected "legacy" or "update", got ${JSON.stringify(format)}`, { field: 'options.format' });
    }
    for (const key of ['buffer', 'tarball'] as const) {
      const v = (options as unknown as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== 'boolean') throw new SuppackError('expected true or false', { field: `options.${key}` });
    }
    if (options.format === 'update') {
      const { format: _f, buffer, signing, ...metadata } = options;
      if ('tarball' in metadata) throw new SuppackError('update packs have no tarball', { field: 'options.tarball' });
      if (signing !== undefined && (signing === null || typeof signing !== 'object')) {
        throw new SuppackError('expected { keyFile?, keyUid?, passphraseFile?, noPassphrase? }', { field: 'options.signing' });
      }
      if (signing?.keyFile !== undefined && signing.keyUid !== undefined) {
        throw new SuppackError('give keyFile or keyUid, not both', { field: 'options.signing' });
      }
      const pack = parseWithSchema(updatePackSchema, metadata, { field: (path) => `options.${dottedPath(path)}` });
      return { format: 'update', pack, buffer: buffer ?? true, epoch: sourceDateEpoch(), signing: { ...(signing ?? {}) } };
    }
    const { format: _f, buffer, tarball, ...metadata } = options;
    const pack = parseWithSchema(legacyPackSchema, metadata, { field: (path) => `options.${dottedPath(path)}` });
    try {
      legacyRepository(pack); // the platform requirement needs productVersion: say so now, not at the end
    } catch (e) {
      if (isSuppackError(e) && e.field !== undefined) {
        throw new SuppackError(e.message.slice(e.field.length + 2), { field: `options.${e.field}` });
      }
      throw e;
    }
    return { format: 'legacy', pack, buffer: buffer ?? true, tarball: tarball ?? false, epoch: sourceDateEpoch() };
  } catch (e) {
    throw pluginError(e);
  }
}

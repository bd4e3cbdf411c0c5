/**
 * `lint(options)`: RPMs in, the same RPMs out, checked against the DDK guide's rules
 * (core/products/lint, docs/lint.md) once the last one has arrived; any error that is not ignored
 * fails the stream with a PluginError listing the findings. Put it before supplementalPack().
 * Buffer contents are read whole (headers, file lists, scriptlets, module vermagics); stream
 * contents pass through with only their headers read (a module's vermagic is then not checked,
 * which the report notes).
 */
import { Transform, Readable, type TransformCallback } from 'node:stream';
import Vinyl from 'vinyl';
import { SuppackError, withFile } from '../core';
import { targetHost, targetPlatform } from '../core';
import { assertLintClean, formatLintReport, lintSarif, type LintPack, type LintReport } from '../core';
import { checkIgnore, lintRead, readLintRpmStream } from '../core';
import type { LintRpm } from '../core';
import { rpmHostFacts } from '../core';
import { parseRpm, rpmHeadersLength } from '../core';
import { legacyPackSchema, type LegacyPackInput } from '../schemas/legacy-pack';
import { updatePackSchema, type UpdatePackInput } from '../schemas/update-pack';
import { dottedPath, parseWithSchema } from '../schemas/parse';
import { readStreamHead } from './contents';
import { pluginError } from './errors';

interface LintExtras {
  /** Rule id → why it is turned off (docs/lint.md). */
  ignore?: Record<string, string>;
  /** Also emit the report as a file of this name: `*.sarif` (SARIF 2.1.0) or `*.json`. */
  report?: string;
  /** Called with the report (e.g. to print it); default: nothing. */
  onReport?: (report: LintReport, lines: string[]) => void;
}

/** The same pack options as supplementalPack() (only the facts lint reads are used), plus lint's own. */
export type LintOptions = ((LegacyPackInput & { format?: 'legacy' }) | (UpdatePackInput & { format: 'update' })) & LintExtras;

export function lint(options: LintOptions): Transform {
  let pack: Omit<LintPack, 'previous'>;
  let ignore: ReturnType<typeof checkIgnore>;
  try {
    pack = packOf(options);
    ignore = checkIgnore(options.ignore ?? {}, { field: 'ignore' });
    if (options.report !== undefined && !/\.(sarif|json)$/.test(options.report)) {
      throw new SuppackError(`expected a file name ending in .sarif or .json, got ${JSON.stringify(options.report)}`, { field: 'report' });
    }
  } catch (e) {
    throw pluginError(e);
  }
  const rpms: LintRpm[] = [];
  return new Transform({
    objectMode: true,
    transform(file: Vinyl, _enc: BufferEncoding, done: TransformCallback) {
      if (file.isNull()) return done(null, file);
      readVinyl(file).then(
        (rpm) => {
          rpms.push(rpm);
          done(null, file);
        },
        (e: unknown) => done(pluginError(e, file.path)),
      );
    },
    flush(done: TransformCallback) {
      try {
        rpms.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const report = lintRead(pack, rpms, ignore);
        options.onReport?.(report, formatLintReport(report));
        if (options.report !== undefined) {
          const body = options.report.endsWith('.sarif')
            ? lintSarif(report, { version: 'gulp', artifactUri: (rpm) => encodeURIComponent(rpm) })
            : report;
          this.push(new Vinyl({ path: options.report, contents: Buffer.from(`${JSON.stringify(body, null, 2)}\n`) }));
        }
        assertLintClean(report);
        done();
      } catch (e) {
        done(pluginError(e));
      }
    },
  });
}

function packOf(o: LintOptions): Omit<LintPack, 'previous'> {
  const { ignore: _i, report: _r, onReport: _o, ...rest } = o;
  if (rest.format === 'update') {
    const { format: _f, ...fields } = rest;
    const pack = parseWithSchema(updatePackSchema, fields, { field: dottedPath });
    return { format: 'update', version: pack.version, host: targetHost({ format: 'update' }) };
  }
  const { format: _f, ...fields } = rest;
  const pack = parseWithSchema(legacyPackSchema, fields, { field: dottedPath });
  const selector = { format: 'legacy' as const, pack };
  return {
    format: 'legacy',
    vendorCode: pack.vendorCode,
    vendorName: pack.vendorName,
    version: pack.version,
    platform: targetPlatform(selector),
    host: targetHost(selector),
    memMiB: pack.memoryMb,
  };
}

async function readVinyl(file: Vinyl): Promise<LintRpm> {
  const path = file.path;
  if (Buffer.isBuffer(file.contents)) {
    const rpm = await readLintRpmStream(Readable.from([file.contents]), file.contents.length, path);
    return rpm;
  }
  const size = file.stat?.size;
  if (typeof size !== 'number') {
    throw new SuppackError('stream contents without file.stat.size: the RPM size is unknown; use src(..., { buffer: true }) or set file.stat', { file: path });
  }
  const { head, contents } = await readStreamHead(file.contents as NodeJS.ReadableStream, (buf) => Math.min(withFile(path, () => rpmHeadersLength(buf, size)), size));
  file.contents = contents;
  const info = withFile(path, () => parseRpm(head, path, size));
  const rpm: LintRpm = { name: file.basename, info, facts: withFile(path, () => rpmHostFacts(head, info)) };
  return info.files.some((f) => /\.ko(\.(xz|gz|zst))?$/.test(f.path))
    ? { ...rpm, payloadProblem: 'stream contents (use src(..., { encoding: false }) without buffer: false to check it)' }
    : rpm;
}

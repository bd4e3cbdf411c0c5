/**
 * `suppack lint`: reads each RPM once for its headers (and, when it holds kernel modules, its
 * payload for their vermagic), runs every rule of rules.ts and marks the findings the project
 * turned off (`lint.ignore` in suppack.json). docs/lint.md lists the rules.
 */
import { basename } from 'node:path';
import { lintIgnoreSchema, type LintRuleId } from '../../../schemas/lint';
import { parseWithSchema } from '../../../schemas/parse';
import { allProblems, SuppackError, withFile, withFileAsync } from '../../base/errors';
import { Readable } from 'node:stream';
import { rpmHostFacts } from '../../xenserver/host-check';
import { readRpmPayloadStream, SUPPORTED_PAYLOAD_COMPRESSORS, type CpioEntry } from '../../formats/rpm/payload';
import { parseRpm, rpmHeadersLength } from '../../formats/rpm/read';
import { failingFindings, formatFinding, type Finding, type LintReport } from './findings';
import { DOM0_MEMORY_MIB, RULES, type LintPack, type LintRpm } from './rules';
import { openInput } from '../../base/open-input';
import { printableLine } from '../../base/printable';

const MODULE_FILE = /\.ko$/;
const VERMAGIC = Buffer.from('vermagic=', 'latin1');
/** A vermagic string is a kernel release and a few words; anything longer is not one. */
const MAX_VERMAGIC = 512;

export interface LintOptions {
  pack: LintPack;
  /** RPM files to check. */
  rpms: readonly string[];
  /** Rule id → why the project turned it off (checked: an unknown id is an error). */
  ignore?: Readonly<Record<string, string>>;
}

/** Reads the RPMs and runs every rule. Unknown rule ids in `ignore` are an error (a typo must not silence nothing). */
export async function lintRpms(o: LintOptions): Promise<LintReport> {
  const ignore = checkIgnore(o.ignore ?? {});
  const rpms: LintRpm[] = [];
  for (const path of o.rpms) rpms.push(await readLintRpm(path));
  return lintRead(o.pack, rpms, ignore);
}

/** The rules over RPMs already read (pure; lintRpms and the tests use it). */
export function lintRead(pack: LintPack, rpms: readonly LintRpm[], ignore: Partial<Record<LintRuleId, string>> = {}): LintReport {
  const findings: Finding[] = [];
  for (const rule of RULES) {
    for (const hit of rule.check({ pack, rpms })) {
      const reason = ignore[rule.id];
      findings.push({ rule: rule.id, severity: rule.severity, section: rule.section, ...hit, ...(reason !== undefined ? { ignored: reason } : {}) });
    }
  }
  const installed = rpms.reduce((n, r) => n + r.info.size, 0);
  const notes = [
    ...rpms.flatMap((r) => (r.payloadProblem !== undefined ? [`${r.name}: the modules' vermagic was not checked: ${r.payloadProblem}`] : [])),
    `${rpms.length} RPM${rpms.length === 1 ? '' : 's'} checked against ${pack.host.name}`,
    `installs ${(installed / (1024 * 1024)).toFixed(1)} MiB into dom0${pack.memMiB !== undefined ? `, declares ${pack.memMiB} MiB of memory` : ''} (dom0 has ${DOM0_MEMORY_MIB} MB, DDK guide 1.4)`,
  ];
  return { findings, notes };
}

/** `ignore` checked against the schema: an unknown rule id is an error (a typo must not silence nothing). */
export function checkIgnore(ignore: unknown, where: { file?: string; field?: string } = {}): Partial<Record<LintRuleId, string>> {
  const prefix = where.field ?? 'lint.ignore';
  return parseWithSchema(lintIgnoreSchema, ignore, { file: where.file, field: (path) => [prefix, ...path.map(String)].join('.') });
}

/** An RPM file's headers, host facts and (when it has modules) their vermagics, in one read. */
export async function readLintRpm(path: string): Promise<LintRpm> {
  const fh = await withFileAsync(path, () => openInput(path));
  try {
    const { size } = await fh.stat();
    return await readLintRpmStream(fh.createReadStream({ highWaterMark: 256 * 1024, autoClose: false }), size, path);
  } finally {
    await fh.close();
  }
}

/**
 * The same from a stream of the RPM's bytes (a file, or a member of a pack ISO) of `fileSize`
 * bytes, named `path` in messages: the headers first, then the payload on from where they end.
 */
export async function readLintRpmStream(stream: NodeJS.ReadableStream, fileSize: number, path: string): Promise<LintRpm> {
  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  try {
    let head = Buffer.alloc(0);
    while (head.length < withFile(path, () => Math.min(rpmHeadersLength(head, fileSize), fileSize))) {
      const next = await withFileAsync(path, () => chunks.next());
      if (next.done) break;
      head = Buffer.concat([head, next.value]);
    }
    const info = withFile(path, () => parseRpm(head, path, fileSize));
    const rpm: LintRpm = { name: basename(path), info, facts: withFile(path, () => rpmHostFacts(head, info)) };
    const modules = new Set(info.files.filter((f) => MODULE_FILE.test(f.path)).map((f) => f.path));
    const compressed = info.files.find((f) => /\.ko\.(xz|gz|zst)$/.test(f.path));
    if (compressed !== undefined) return { ...rpm, payloadProblem: `${compressed.path} is compressed; suppack reads uncompressed .ko files only` };
    if (modules.size === 0) return rpm;
    if (!SUPPORTED_PAYLOAD_COMPRESSORS.includes(info.payloadCompressor)) {
      return { ...rpm, payloadProblem: `its payload is ${info.payloadCompressor}; suppack reads ${SUPPORTED_PAYLOAD_COMPRESSORS.join(', ')} payloads` };
    }
    const rest = head.subarray(info.payloadOffset);
    const payload = Readable.from(
      (async function* () {
        if (rest.length > 0) yield rest;
        for (let n = await chunks.next(); !n.done; n = await chunks.next()) yield n.value;
      })(),
    );
    try {
      return { ...rpm, vermagic: await moduleVermagics(readRpmPayloadStream(payload, path, info), modules) };
    } catch (e) {
      if (!(e instanceof SuppackError)) throw e;
      return { ...rpm, payloadProblem: e.message };
    }
  } finally {
    // return() ends the stream only once it has been read from: an RPM refused before its first
    // chunk (an empty file) would leave it open.
    await chunks.return?.();
    (stream as Partial<Readable>).destroy?.();
  }
}

/** Each module's `vermagic=` string from its .modinfo section, as the payload streams by. */
async function moduleVermagics(entries: AsyncIterable<CpioEntry>, modules: ReadonlySet<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const entry of entries) {
    const name = entry.name.replace(/^\.?\//, '/');
    if (!modules.has(name)) continue;
    const magic = await findVermagic(entry.body());
    if (magic !== undefined) out.set(name, magic);
  }
  return out;
}

/**
 * The NUL-terminated string after the first `vermagic=` in a stream, holding at most a window of
 * the last bytes between chunks (a module's .modinfo is a list of key=value strings).
 */
export async function findVermagic(chunks: AsyncIterable<Buffer>): Promise<string | undefined> {
  let window = Buffer.alloc(0);
  let found: Buffer | undefined;
  for await (const chunk of chunks) {
    if (found !== undefined) {
      found = Buffer.concat([found, chunk.subarray(0, MAX_VERMAGIC)]);
    } else {
      window = Buffer.concat([window, chunk]);
      const at = window.indexOf(VERMAGIC);
      if (at >= 0) found = window.subarray(at + VERMAGIC.length);
      else window = window.subarray(Math.max(0, window.length - VERMAGIC.length + 1));
    }
    if (found !== undefined) {
      const end = found.indexOf(0);
      if (end >= 0 && end < MAX_VERMAGIC) return found.toString('latin1', 0, end);
      if (end >= 0 || found.length >= MAX_VERMAGIC) return undefined;
    }
  }
  return undefined;
}

/** A lint report as lines for a terminal: one per finding, then the notes. */
export function formatLintReport(report: LintReport): string[] {
  // RPM and file names and scriptlet lines are the RPM author's: no control character reaches the terminal
  return [...report.findings.map(formatFinding), ...report.notes].map(printableLine);
}

/** Throws when the report has errors that are not ignored (build-iso and `lint` use this). */
export function assertLintClean(report: LintReport, where?: string): void {
  const failing = failingFindings(report);
  if (failing.length === 0) return;
  const head = new SuppackError(`lint found ${failing.length} error${failing.length === 1 ? '' : 's'} (docs/lint.md)`, { file: where });
  throw allProblems([head, ...failing.map((f) => new SuppackError(formatFinding(f)))]);
}

/**
 * The two RPMs build-update generates (docs/formats/xenserver.md §2.2 steps 1 and 4), as RpmSpecInput for the
 * native writer (core/formats/rpm/write.ts), so no rpmbuild is needed:
 *  - `update-<label>` (noarch): requires every payload RPM at least at its version, installs the
 *    applied stamp `/var/update/applied/<uuid>` (update.xml without key=, which xapi reads) and,
 *    in %posttrans, stamps the reboot requirement (restartHost guidance) and writes the applied
 *    stamp of every rolled-up update;
 *  - `control-<label>`: built when there is a base requirement, a precheck or a remove script;
 *    carries the requirement, installs the scripts under `/var/update/<uuid>/` and runs the
 *    precheck as its %pre, with the interpreter of its #! line (build-update's precheck_interp;
 *    docs/update-packs.md "When the precheck runs").
 */
import { SuppackError } from '../../base/errors';
import type { RpmDependency, RpmSpecFile, RpmSpecInput } from '../../formats/rpm';
import { RPMSENSE } from '../../formats/rpm/types';
import type { UpdatePack } from '../../../schemas/update-pack';
import { rolledUpStamp } from './update-xml';

/** What the generated RPMs need to know of a payload RPM. */
export interface PayloadRpm {
  name: string;
  epoch?: number;
  version: string;
  release: string;
}

export interface GeneratedRpmInput {
  pack: UpdatePack;
  /** The resolved update version (pack.version, or the driver disk's). */
  version: string;
  payload: readonly PayloadRpm[];
  /** The bytes of the update's own applied stamp (appliedStamp() of update-xml.ts). */
  appliedStamp: string;
  /** Script bodies, read from pack.precheck / pack.remove. */
  precheck?: Buffer;
  /** Where the precheck was read from, for messages. */
  precheckFile?: string;
  remove?: Buffer;
  epoch: number;
}

/** The reboot stamp xapi and the host tools read (docs/formats/xenserver.md §2.2 step 4). */
export const REBOOT_REQUIRED_FILE = '/run/reboot-required.hfxs';
export const APPLIED_DIR = '/var/update/applied';

export const updateRpmName = (label: string) => `update-${label}`;
export const controlRpmName = (label: string) => `control-${label}`;

/** build-update turned '+' into '.' in the RPM version (docs/formats/xenserver.md §2.2 step 4, XCP-ng log); release 1. */
export function updateRpmVersion(version: string): string {
  return version.replace(/\+/g, '.');
}

/** True when build-update would build a control RPM (docs/formats/xenserver.md §2.2 step 1). */
export function hasControlRpm(pack: UpdatePack): boolean {
  return pack.baseRequires !== undefined || pack.precheck !== undefined || pack.remove !== undefined;
}

const OPS: Record<string, number> = {
  '=': RPMSENSE.EQUAL,
  '==': RPMSENSE.EQUAL,
  '<': RPMSENSE.LESS,
  '<=': RPMSENSE.LESS | RPMSENSE.EQUAL,
  '>': RPMSENSE.GREATER,
  '>=': RPMSENSE.GREATER | RPMSENSE.EQUAL,
};

/**
 * `--base-requires`: comma-separated RPM requirements, `NAME`, `NAME OP VERSION` or `NAME=VERSION`
 * (the Citrix docs write `product-version=x.x.x`).
 */
export function parseBaseRequires(text: string, field = 'baseRequires'): RpmDependency[] {
  return text.split(',').map((part, i) => {
    // trimmed first: `\s*` at both ends of an optional group tries every split of a run of spaces
    // a name as rpmbuild takes one in Requires: (docs/formats/xenserver.md §2.2): printable ASCII, first an alphanumeric, "_" or "/"
    const m = /^([A-Za-z0-9_/](?:(?![<>=,])[\x21-\x7e])*)\s*(?:(==|=|<=|>=|<|>)\s*(\S+))?$/.exec(part.trim());
    if (m === null || (m[2] !== undefined && !/^(\d+:)?[A-Za-z0-9._+~^]+(-[A-Za-z0-9._+~^]+)?$/.test(m[3] ?? ''))) {
      throw new SuppackError(
        `expected RPM requirements such as "xenserver-release >= 8.2.0" (comma-separated), got ${JSON.stringify(part.trim())}`,
        { field: text.includes(',') ? `${field} (item ${i + 1})` : field },
      );
    }
    if (m[1]!.startsWith('/') && m[2] !== undefined) {
      throw new SuppackError(`expected no version after a file path, as rpmbuild ("Versioned file name not permitted"), got ${JSON.stringify(part.trim())}`, {
        field: text.includes(',') ? `${field} (item ${i + 1})` : field,
      });
    }
    return m[2] === undefined ? { name: m[1]!, flags: 0, version: '' } : { name: m[1]!, flags: OPS[m[2]]!, version: m[3]! };
  });
}

function common(i: GeneratedRpmInput, name: string, summary: string): Omit<RpmSpecInput, 'files'> {
  return {
    name,
    version: updateRpmVersion(i.version),
    release: '1',
    arch: 'noarch',
    summary,
    description: i.pack.description,
    license: 'Unspecified',
    ...(i.pack.vendorName ? { vendor: i.pack.vendorName } : {}),
    buildTime: i.epoch,
  };
}

/** A one-line summary from the description (RPM summaries are single lines). */
function summaryOf(description: string, what: string): string {
  const first = description.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? what;
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}

/**
 * A shell command that writes `bytes` to `path` exactly, whatever they hold: printf(1) with a
 * single-quoted format in which every byte but printable ASCII is an octal escape `\ddd`
 * (POSIX printf: escape sequences of the format), `%` is `%%`, `\` is `\\` and `'` is `\047`.
 * Nothing in it is expanded by the shell (no `$`, backquote or quote survives as itself) and
 * UTF-8 is written byte for byte; printf is a shell builtin, so the scriptlet needs only /bin/sh.
 * `path` must be shell-safe (callers pass /var/update/applied/<lowercase UUID>).
 */
export function printfCommand(bytes: Buffer, path: string): string {
  if (!/^[A-Za-z0-9/._-]+$/.test(path)) throw new Error(`printfCommand: unsafe path ${JSON.stringify(path)}`);
  let format = '';
  for (const b of bytes) {
    if (b === 0x25) format += '%%';
    else if (b === 0x5c) format += '\\\\';
    else if (b >= 0x20 && b < 0x7f && b !== 0x27) format += String.fromCharCode(b);
    else format += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `printf '${format}' >${path}`;
}

export function updateRpmSpec(i: GeneratedRpmInput): RpmSpecInput {
  const { pack } = i;
  const requires: RpmDependency[] = i.payload.map((p) => ({
    name: p.name,
    flags: RPMSENSE.GREATER | RPMSENSE.EQUAL,
    version: `${p.epoch !== undefined ? `${p.epoch}:` : ''}${p.version}-${p.release}`,
  }));
  const lines: string[] = [];
  if (pack.afterApply.includes('restartHost')) lines.push(`echo ${pack.uuid} >>${REBOOT_REQUIRED_FILE}`);
  for (const uuid of pack.rollups) {
    // docs/formats/xenserver.md §2.3: each rolled-up update gets a whole <update> stamp naming this update
    // (the directory exists: this RPM installs its own stamp there).
    const stamp = rolledUpStamp({
      uuid,
      by: { uuid: pack.uuid, label: pack.label, version: i.version, description: pack.description },
      ...(pack.enforceHomogeneity ? { enforceHomogeneity: true } : {}),
    });
    lines.push(printfCommand(Buffer.from(stamp, 'utf8'), `${APPLIED_DIR}/${uuid}`));
  }
  return {
    ...common(i, updateRpmName(pack.label), summaryOf(pack.description, `Update ${pack.label}`)),
    requires,
    files: [{ path: `${APPLIED_DIR}/${pack.uuid}`, mode: 0o100644, content: Buffer.from(i.appliedStamp, 'utf8') }],
    ...(lines.length > 0 ? { scripts: { posttrans: `${lines.join('\n')}\n` } } : {}),
  };
}

/**
 * The interpreter of a precheck script, as build-update's `interpreter()` found it for rpmbuild's
 * `precheck_interp`: the words of its `#!` line (`/usr/bin/env python3` stays as it is: env finds
 * python3 on the host, not on the build machine), or /bin/sh without one. Also checks that the
 * script is text an RPM header can hold (UTF-8, no NUL byte).
 */
export function precheckProgram(script: Buffer, file = 'precheck'): { program: string[]; body: string } {
  const body = script.toString('utf8');
  const at = (what: string) => new SuppackError(what, { file, field: 'precheck' });
  if (!Buffer.from(body, 'utf8').equals(script) || body.includes('\0')) {
    throw at('expected a text script (UTF-8, no NUL byte): the control RPM runs it as its %pre scriptlet');
  }
  const first = body.slice(0, body.indexOf('\n') === -1 ? undefined : body.indexOf('\n'));
  if (!first.startsWith('#!')) return { program: ['/bin/sh'], body };
  const words = first.slice(2).trim().split(/[ \t]+/).filter((w) => w !== '');
  if (words.length === 0 || !/^\/[A-Za-z0-9/._+-]+$/.test(words[0]!) || words.some((w) => !/^[\x21-\x7e]+$/.test(w))) {
    throw at(`the #! line ${JSON.stringify(first)}: expected an absolute interpreter path and printable words, such as #!/bin/sh`);
  }
  return { program: words, body };
}

export function controlRpmSpec(i: GeneratedRpmInput): RpmSpecInput | undefined {
  const { pack } = i;
  if (!hasControlRpm(pack)) return undefined;
  const dir = `/var/update/${pack.uuid}`;
  const files: RpmSpecFile[] = [];
  if (i.precheck !== undefined || i.remove !== undefined) files.push({ path: dir, mode: 0o040755 });
  if (i.precheck !== undefined) files.push({ path: `${dir}/precheck`, mode: 0o100755, content: i.precheck });
  if (i.remove !== undefined) files.push({ path: `${dir}/remove`, mode: 0o100755, content: i.remove });
  // docs/update-packs.md "When the precheck runs": installing the control RPM runs the precheck
  // (xapi reads <error errorcode=...> in dnf's output); a failing precheck fails the install.
  const pre = i.precheck !== undefined ? precheckProgram(i.precheck, i.precheckFile) : undefined;
  return {
    ...common(i, controlRpmName(pack.label), `Control package of update ${pack.label}`),
    requires: pack.baseRequires === undefined ? [] : parseBaseRequires(pack.baseRequires),
    files,
    ...(pre !== undefined ? { scripts: { prein: pre.body }, scriptPrograms: { prein: pre.program } } : {}),
  };
}

/**
 * The update version: the pack's, or for a driver disk without one, XCP-ng's
 * `<rpm version>+<release>+<pack build>` of its driver RPM (docs/formats/xenserver.md §2.5).
 */
export function resolveUpdateVersion(pack: UpdatePack, payload: ReadonlyArray<PayloadRpm & { path: string; kernelModules: boolean }>): string {
  if (pack.version !== undefined) return pack.version;
  const drivers = payload.filter((p) => p.kernelModules);
  const driver = drivers.length === 1 ? drivers[0] : payload.length === 1 ? payload[0] : undefined;
  if (driver === undefined) {
    throw new SuppackError(
      `required: a driver disk of ${payload.length} RPMs (${drivers.length} with kernel modules) has no single driver RPM to take its version from; set pack.version`,
      { field: 'version' },
    );
  }
  const version = `${driver.version}+${driver.release}${pack.build !== undefined ? `+${pack.build}` : ''}`;
  if (!/^[A-Za-z0-9._+~]+$/.test(version)) {
    throw new SuppackError(`the driver RPM's version gives ${JSON.stringify(version)}, not a valid update version; set pack.version`, {
      file: driver.path,
      field: 'version',
    });
  }
  return version;
}

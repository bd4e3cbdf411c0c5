/**
 * `suppack lint`: the DDK guide's rules and guidelines (docs/lint.md) over a pack ISO or the RPMs
 * of a pack before it is built. Thin: flags → schema → core/products/lint.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { SuppackError } from '../core';
import { targetHost, targetPlatform } from '../core';
import { failingFindings, formatLintReport, lintSarif, runLint, type LintPack } from '../core';
import { lintCommandSchema } from '../schemas/lint';
import { parseWithSchema } from '../schemas/parse';
import { parseCommandLine, UsageError, type OptionSpec } from './args';
import { packageVersion } from './version';

export const usage = `Usage: suppack lint [options] PACK.iso
       suppack lint (--update | --product-version=VERSION) [options] RPM...

Checks a pack against the rules and guidelines of the XenServer DDK guide (docs/lint.md lists
each rule): kernel module packaging, file placement, scriptlets, upgrades, versions, firmware,
dom0 weight, and what the target host's rpm can install. A pack ISO carries its own facts; for
RPMs, say which pack they are for. Exit status: 0 when no error is found (warnings allowed),
1 when one is.

Options:
  --update                 the RPMs are for an update pack or driver disk (XenServer 7.1+)
  --product-version=VER    the RPMs are for a legacy pack for this XenServer version
  --xcp                    ... for this XCP version
  --vendor-code=CODE       the pack's vendor code (checked for version numbers)
  --vendor-name=NAME       the pack's vendor name (checked for version numbers)
  --version=VERSION        the pack's version (checked for dots)
  --mem=MB                 the dom0 memory the pack declares
  --previous=PACK.iso      the previous release: every RPM of it must be upgraded
  --uninstall-check        install and erase each RPM in a private root with its scriptlets
                           and report what is left (DDK guide 7.4; RPM files, as root)
  --ignore=RULE=REASON     turn a rule off, saying why (repeatable); still shown, marked ignored
  --format=text|json|sarif report format (default text); --json is --format=json
  --output=FILE            write the report to FILE instead of standard output
  -h, --help               show this help`;

const options: OptionSpec = {
  update: { type: 'boolean' },
  'product-version': { type: 'string' },
  xcp: { type: 'boolean' },
  'vendor-code': { type: 'string' },
  'vendor-name': { type: 'string' },
  version: { type: 'string' },
  mem: { type: 'string' },
  previous: { type: 'string' },
  'uninstall-check': { type: 'boolean' },
  ignore: { type: 'string', multiple: true },
  format: { type: 'string' },
  json: { type: 'boolean' },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const FLAG_OF: Record<string, string> = {
  update: '--update',
  product: '--xcp',
  productVersion: '--product-version',
  vendorCode: '--vendor-code',
  vendorName: '--vendor-name',
  version: '--version',
  memMiB: '--mem',
  previous: '--previous',
  uninstallCheck: '--uninstall-check',
  ignore: '--ignore',
  format: '--format',
};

export async function lintCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, options);
  if (values.help) {
    out.write(`${usage}\n`);
    return 0;
  }
  if (values.json && values.format !== undefined && values.format !== 'json') throw new UsageError('--json and --format: give one of them');
  const o = parseWithSchema(
    lintCommandSchema,
    {
      update: values.update ?? false,
      product: values.xcp ? 'XCP' : 'XenServer',
      productVersion: values['product-version'],
      vendorCode: values['vendor-code'],
      vendorName: values['vendor-name'],
      version: values.version,
      memMiB: values.mem === undefined ? undefined : integer(values.mem as string, '--mem'),
      previous: values.previous,
      uninstallCheck: values['uninstall-check'] ?? false,
      ignore: ignoreFlags((values.ignore as string[] | undefined) ?? []),
      format: values.json ? 'json' : (values.format ?? 'text'),
    },
    { field: (path) => [FLAG_OF[String(path[0])] ?? String(path[0]), ...path.slice(1).map(String)].join(' ') },
  );
  if (positionals.length === 0) throw new UsageError('nothing to check: expected a pack ISO or RPM files after the options');

  const isIso = positionals.length === 1 && /\.iso$/i.test(positionals[0]!);
  let pack: Omit<LintPack, 'previous'> | undefined;
  if (isIso) {
    const given = ['update', 'product-version', 'xcp', 'vendor-code', 'vendor-name', 'version', 'mem'].filter((f) => values[f] !== undefined);
    if (given.length > 0) throw new UsageError(`--${given[0]}: a pack ISO carries its own facts; give it for RPM files only`);
  } else {
    if (o.update === (o.productVersion !== undefined)) {
      throw new UsageError('which pack are the RPMs for? give --update, or --product-version=VERSION for a legacy pack');
    }
    if (o.update && values.xcp) throw new UsageError('--xcp: for a legacy pack (with --product-version), not with --update');
    const selector = o.update ? ({ format: 'update' } as const) : ({ format: 'legacy', pack: { product: o.product, productVersion: o.productVersion } } as const);
    pack = {
      format: selector.format,
      vendorCode: o.vendorCode,
      vendorName: o.vendorName,
      version: o.version,
      platform: targetPlatform(selector),
      host: targetHost(selector),
      memMiB: o.memMiB,
    };
  }

  const report = await runLint({ inputs: positionals, pack, previous: o.previous, ignore: o.ignore, ignoreWhere: { field: '--ignore' }, uninstallCheck: o.uninstallCheck });
  const text =
    o.format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : o.format === 'sarif'
        ? `${JSON.stringify(lintSarif(report, { version: packageVersion(), artifactUri: artifactUri(positionals), packUri: isIso ? uri(positionals[0]!) : undefined }), null, 2)}\n`
        : `${[...formatLintReport(report), summary(report)].join('\n')}\n`;
  if (values.output !== undefined) {
    try {
      writeFileSync(values.output as string, text);
    } catch (e) {
      throw new SuppackError(`cannot write the report: ${(e as Error).message}`, { file: values.output as string });
    }
  } else {
    out.write(text);
  }
  return failingFindings(report).length > 0 ? 1 : 0;
}

function summary(report: { findings: Array<{ severity: string; ignored?: string }> }): string {
  const live = report.findings.filter((f) => f.ignored === undefined);
  const errors = live.filter((f) => f.severity === 'error').length;
  const warnings = live.length - errors;
  const ignored = report.findings.length - live.length;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${ignored > 0 ? `, ${ignored} ignored` : ''}`;
}

/** `--ignore RULE=REASON` (repeatable) → { RULE: REASON }. */
function ignoreFlags(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of raw) {
    const eq = r.indexOf('=');
    if (eq <= 0) throw new SuppackError(`expected RULE=REASON (e.g. PLACE-UDEV="the udev package owns it"), got ${JSON.stringify(r)}`, { field: '--ignore' });
    out[r.slice(0, eq)] = r.slice(eq + 1);
  }
  return out;
}

function integer(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw)) throw new SuppackError(`expected an integer, got ${JSON.stringify(raw)}`, { field: flag });
  return Number(raw);
}

/** SARIF artifact URIs: relative to the working directory, '/'-separated. */
function uri(path: string): string {
  return relative(process.cwd(), path).split(/[\\/]/).map(encodeURIComponent).join('/');
}

function artifactUri(inputs: readonly string[]): (rpm: string) => string {
  return (rpm) => {
    const input = inputs.find((i) => i === rpm || i.endsWith(`/${rpm}`));
    return input !== undefined ? uri(input) : inputs.length === 1 ? `${uri(inputs[0]!)}#${encodeURIComponent(rpm)}` : encodeURIComponent(rpm);
  };
}

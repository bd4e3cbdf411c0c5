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
import { UsageError } from './args';
import { commandFlags } from './flags';
import { packageVersion } from './version';

/** The flags: the options' come from lintCommandSchema (each field declares its own); these are the command's. */
const flags = commandFlags({
  schema: lintCommandSchema,
  helpColumn: 27,
  after: [
    { flag: 'json', help: 'the same as --format=json' },
    { flag: 'output', arg: 'FILE', help: 'write the report to FILE instead of standard output' },
    { flag: 'help', short: 'h', help: 'show this help' },
  ],
});

/** The facts of a pack: a pack ISO carries its own. */
const PACK_FACTS = ['update', 'productVersion', 'product', 'vendorCode', 'vendorName', 'version', 'memMiB'];

export const usage = `Usage: suppack lint [options] PACK.iso
       suppack lint (--update | --product-version=VER) [options] RPM...

Checks a pack against the rules and guidelines of the XenServer DDK guide (docs/lint.md lists
each rule): kernel module packaging, file placement, scriptlets, upgrades, versions, firmware,
dom0 weight, and what the target host's rpm can install. A pack ISO carries its own facts; for
RPMs, say which pack they are for. Exit status: 0 when no error is found (warnings allowed),
1 when one is.

${flags.usage()}`;

export async function lintCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const given = flags.parse(argv);
  const { own: values, positionals } = given;
  if (values.help) {
    out.write(`${usage}\n`);
    return 0;
  }
  if (values.json && given.fields.format !== undefined && given.fields.format !== 'json') throw new UsageError('--json and --format: give one of them');
  const o = given.parse(values.json ? { format: 'json' } : {});
  if (positionals.length === 0) throw new UsageError('nothing to check: expected a pack ISO or RPM files after the options');

  const isIso = positionals.length === 1 && /\.iso$/i.test(positionals[0]!);
  let pack: Omit<LintPack, 'previous'> | undefined;
  if (isIso) {
    const facts = PACK_FACTS.filter((f) => given.fields[f] !== undefined);
    if (facts.length > 0) throw new UsageError(`${flags.flagOf(facts[0]!)}: a pack ISO carries its own facts; give it for RPM files only`);
  } else {
    if (o.update === (o.productVersion !== undefined)) {
      throw new UsageError('which pack are the RPMs for? give --update, or --product-version=VERSION for a legacy pack');
    }
    if (o.update && given.fields.product !== undefined) throw new UsageError('--xcp: for a legacy pack (with --product-version), not with --update');
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

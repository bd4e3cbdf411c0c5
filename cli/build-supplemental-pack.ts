/**
 * `suppack build-supplemental-pack`: the DDK's build-supplemental-pack.sh flags (docs/formats/xenserver.md §1.1),
 * so an existing build script switches by changing one word. Thin: flags → schema → core.
 */
import { SuppackError } from '../core';
import { sourceDateEpoch } from '../core';
import { buildLegacyPack } from '../core';
import { legacyPackSchema, type LegacyRequiresInput } from '../schemas/legacy-pack';
import { parseWithSchema } from '../schemas/parse';
import { parseCommandLine, UsageError, type OptionSpec } from './args';
import { progressPrinter } from '../core';

export const usage = `Usage: suppack build-supplemental-pack --output=DIR --vendor-code=CODE --vendor-name=NAME
         --label=LABEL --text=TEXT --version=VERSION --product-version=VERSION [options] RPM...

Builds <label>.iso, <label>.iso.md5 and <label>.metadata.md5 (and <label>.tar.gz) in DIR:
a legacy supplemental pack (XS-REPOSITORY / XS-PACKAGES) for XenServer 7.0 and older.

Required:
  --output=DIR            output directory
  --vendor-code=CODE      vendor code: letters, digits, '.', '_', '-' ("xs" is reserved)
  --vendor-name=NAME      vendor name (ISO application id, at most 128 characters)
  --label=LABEL           pack label: letters, digits, '.', '_', '-'
  --text=TEXT             description (ISO volume id, at most 32 characters)
  --version=VERSION       pack version, dotted numbers (e.g. 1.0)
  --product-version=VER   the XenServer (or XCP) version the pack is for; becomes the
                          requirement xs:main eq VER (the DDK took it from its own build),
                          and the host whose rpm every RPM must install with (docs/hosts.md)
Options:
  --build=BUILD           pack build number
  --mem=MB                extra dom0 memory the pack needs, an integer number of MB
  --homogeneous           the pack must be installed on every host of a pool
  --requires=REQ          another pack this one needs, "ORIGINATOR:NAME TEST VERSION"
                          with TEST one of eq ne lt gt le ge (repeatable; replaces --repo-data)
  --no-base-requires      do not require xs:main / xcp:main
  --reorder               install RPMs in dependency order (default)
  --noreorder             install RPMs in the order given
  --no-iso                do not write the ISO
  --tarball               also write <label>.tar.gz
  --xcp                   target XCP: product XCP and requirement xcp:main
  -h, --help              show this help

Timestamps come from SOURCE_DATE_EPOCH (default 2000-01-01T00:00:00Z).`;

const options: OptionSpec = {
  output: { type: 'string' },
  'vendor-code': { type: 'string' },
  'vendor-name': { type: 'string' },
  label: { type: 'string' },
  text: { type: 'string' },
  version: { type: 'string' },
  'product-version': { type: 'string' },
  build: { type: 'string' },
  mem: { type: 'string' },
  homogeneous: { type: 'boolean' },
  requires: { type: 'string', multiple: true },
  'no-base-requires': { type: 'boolean' },
  reorder: { type: 'boolean' },
  noreorder: { type: 'boolean' },
  'no-iso': { type: 'boolean' },
  tarball: { type: 'boolean' },
  xcp: { type: 'boolean' },
  'repo-data': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Schema field → the flag that sets it, so errors name what the user typed. */
const FLAG_OF: Record<string, string> = {
  vendorCode: '--vendor-code',
  vendorName: '--vendor-name',
  label: '--label',
  text: '--text',
  version: '--version',
  build: '--build',
  memoryMb: '--mem',
  homogeneous: '--homogeneous',
  product: '--xcp',
  productVersion: '--product-version',
  baseRequires: '--no-base-requires',
  requires: '--requires',
  reorder: '--reorder',
};

export async function buildSupplementalPackCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, options);
  if (values.help) {
    out.write(`${usage}\n`);
    return 0;
  }
  if (values['repo-data'] !== undefined) {
    throw new UsageError('--repo-data: arbitrary metadata is no longer supported; declare dependencies with --requires');
  }
  if (values.reorder && values.noreorder) throw new UsageError('--reorder and --noreorder: give one of them');
  if (values.output === undefined) throw new UsageError('--output: required, expected the output directory');

  const requires = ((values.requires as string[] | undefined) ?? []).map(parseRequiresFlag);
  const pack = parseWithSchema(
    legacyPackSchema,
    {
      vendorCode: values['vendor-code'],
      vendorName: values['vendor-name'],
      label: values.label,
      text: values.text,
      version: values.version,
      build: values.build,
      memoryMb: values.mem === undefined ? undefined : parseInteger(values.mem as string, '--mem'),
      homogeneous: values.homogeneous ?? false,
      product: values.xcp ? 'XCP' : 'XenServer',
      productVersion: values['product-version'],
      baseRequires: !values['no-base-requires'],
      requires,
      reorder: !values.noreorder,
    },
    { field: (path) => FLAG_OF[String(path[0])] ?? String(path[0]) },
  );
  if (positionals.length === 0) throw new UsageError('no packages given: expected one or more RPM files after the options');

  const result = await buildLegacyPack({
    pack,
    rpms: positionals,
    outDir: values.output as string,
    iso: !values['no-iso'],
    tarball: Boolean(values.tarball),
    epoch: sourceDateEpoch(),
    onProgress: progressPrinter(`${pack.label}.iso`),
  });
  for (const p of Object.values(result.outputs)) if (p) out.write(`${p}\n`);
  return 0;
}

const REQUIRES = /^([A-Za-z0-9._-]+):([A-Za-z0-9._-]+)\s+(\S+)\s+(\S+)$/;

/** `--requires "acme:base ge 1.2"` → a requires entry; the schema checks the parts. */
export function parseRequiresFlag(raw: string): LegacyRequiresInput {
  const m = REQUIRES.exec(raw.trim());
  if (!m) {
    throw new SuppackError(`expected "ORIGINATOR:NAME TEST VERSION" (e.g. "acme:base ge 1.2"), got ${JSON.stringify(raw)}`, {
      field: '--requires',
    });
  }
  return { originator: m[1], name: m[2], test: m[3] as LegacyRequiresInput['test'], version: m[4] };
}

function parseInteger(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw)) throw new SuppackError(`expected an integer, got ${JSON.stringify(raw)}`, { field: flag });
  return Number(raw);
}

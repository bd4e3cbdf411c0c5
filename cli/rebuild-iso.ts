/**
 * `suppack rebuild-iso`: the DDK's rebuild-iso.sh (docs/formats/xenserver.md §4), natively. Thin: flags → core.
 * Nothing heavy is loaded here: core/products/installer-iso/rebuild starts copying the input first.
 */
import { sourceDateEpoch } from '../core';
import { menuReportLines, rebuildIso, type IncludeSpec } from '../core';
import { progressPrinter } from '../core';
import { parseCommandLine, UsageError, type OptionSpec } from './args';
import { basename } from 'node:path';

export const rebuildUsage = `Usage: suppack rebuild-iso --output=ISO [options] INSTALLER.iso

Rebuilds a XenServer / XCP-ng installation ISO with packs, an answerfile and extra files. The
input is copied and one session appended, so its BIOS and UEFI boot (El Torito, isohybrid MBR
and GPT) is kept and the cost is close to a file copy.

  -o, --output=ISO        the installer ISO to write
  --pack=PACK.iso         a legacy pack to add as packages.<label>/ (repeatable)
  --answerfile=FILE       an answerfile: checked against the installer's grammar, put into
                          install.img as /answerfile.xml, and "answerfile=file:///answerfile.xml
                          install" added to the dom0 command line of the install entries of
                          every boot menu (never a shell or non-Xen entry)
  --entries=NAME,...      with --answerfile: exactly the boot entries to patch, by isolinux
                          LABEL or GRUB title (or submenu>title), in every menu that has them
  --driver=RPM            a driver RPM (repeatable): its /lib/modules/<kver>/ and /lib/firmware/
                          files go into install.img, and the module indexes are regenerated
                          with depmod (Debian package kmod) so the installer can load them
  --include=PATH[:DEST]   a file or directory to add, at DEST in the ISO (default its name)
  --volume-id=ID          ISO volume id, at most 32 characters (default: the input's)
  -h, --help              show this help

Timestamps come from SOURCE_DATE_EPOCH (default 2000-01-01T00:00:00Z).`;

const rebuildOptions: OptionSpec = {
  output: { type: 'string', short: 'o' },
  pack: { type: 'string', multiple: true },
  answerfile: { type: 'string' },
  entries: { type: 'string' },
  driver: { type: 'string', multiple: true },
  include: { type: 'string', multiple: true },
  'volume-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** `--include=PATH[:DEST]`; the last ':' splits, so DEST cannot hold one. */
function parseInclude(raw: string): IncludeSpec {
  const cut = raw.lastIndexOf(':');
  return cut > 0 ? { from: raw.slice(0, cut), to: raw.slice(cut + 1) } : { from: raw };
}

export async function rebuildIsoCommand(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, rebuildOptions);
  if (values.help) return void out.write(`${rebuildUsage}\n`), 0;
  const output = values.output as string | undefined;
  if (output === undefined) throw new UsageError('--output: required, expected the installer ISO to write');
  if (positionals.length !== 1) throw new UsageError(`expected one installer ISO, got ${positionals.length}`);
  const entries = values.entries as string | undefined;
  if (entries !== undefined && values.answerfile === undefined) throw new UsageError('--entries: expected with --answerfile, whose parameters it directs');
  const bootEntries = entries?.split(',');
  if (bootEntries?.some((e) => e.trim() === '')) throw new UsageError(`--entries: expected NAME,... without empty names, got ${JSON.stringify(entries)}`);
  const r = await rebuildIso({
    input: positionals[0]!,
    output,
    packs: (values.pack as string[] | undefined) ?? [],
    ...(values.answerfile !== undefined ? { answerfile: values.answerfile as string } : {}),
    ...(bootEntries !== undefined ? { bootEntries } : {}),
    drivers: (values.driver as string[] | undefined) ?? [],
    include: ((values.include as string[] | undefined) ?? []).map(parseInclude),
    ...(values['volume-id'] !== undefined ? { volumeId: values['volume-id'] as string } : {}),
    epoch: sourceDateEpoch(),
    onProgress: progressPrinter(basename(output)),
  });
  for (const w of r.answerfileWarnings) err.write(`suppack: warning: ${w}\n`);
  for (const d of r.drivers) out.write(`driver: ${d.nevra} (kernel ${d.kvers.join(', ')}): ${d.files.length} file${d.files.length === 1 ? '' : 's'}\n`);
  for (const line of menuReportLines(r.menus)) out.write(`${line}\n`);
  out.write(`${r.iso}\n`);
  return 0;
}

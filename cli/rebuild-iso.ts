/**
 * `suppack rebuild-iso`: the DDK's rebuild-iso.sh (docs/formats/xenserver.md §4), natively. Thin: flags → core.
 * Nothing heavy is loaded here (core/installer.ts, cli/own-flags.ts: no zod): core/products/installer-iso/rebuild starts
 * copying the input first.
 */
import { menuReportLines, progressPrinter, rebuildIso, sourceDateEpoch, type IncludeSpec } from '../core/installer';
import { UsageError } from './args';
import { flagParser } from './own-flags';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

const flags = flagParser({
  defaultSection: '',
  after: [
    { flag: 'output', short: 'o', arg: 'ISO', help: 'the installer ISO to write' },
    { flag: 'pack', arg: 'PACK.iso', repeat: true, help: 'a legacy pack to add as packages.<label>/ (repeatable)' },
    {
      flag: 'answerfile',
      arg: 'FILE',
      help: 'an answerfile: checked against the installer\'s grammar, put into\ninstall.img as /answerfile.xml, and "answerfile=file:///answerfile.xml\ninstall" added to the dom0 command line of the install entries of\nevery boot menu (never a shell or non-Xen entry)',
    },
    {
      flag: 'entries',
      arg: 'NAME,...',
      help: 'with --answerfile: exactly the boot entries to patch, by isolinux\nLABEL or GRUB title (or submenu>title), in every menu that has them',
    },
    {
      flag: 'driver',
      arg: 'RPM',
      repeat: true,
      help: 'a driver RPM (repeatable): its /lib/modules/<kver>/ and /lib/firmware/\nfiles go into install.img, and the module indexes are regenerated\nwith depmod (Debian package kmod) so the installer can load them',
    },
    { flag: 'include', arg: 'PATH[:DEST]', repeat: true, help: 'a file or directory to add, at DEST in the ISO (default its name;\nthe last ":" splits, so a PATH holding ":" needs a DEST)' },
    { flag: 'volume-id', arg: 'ID', help: 'ISO volume id, at most 32 characters (default: the input\'s)' },
    { flag: 'help', short: 'h', help: 'show this help' },
  ],
});

export const rebuildUsage = `Usage: suppack rebuild-iso --output=ISO [options] INSTALLER.iso

Rebuilds a XenServer / XCP-ng installation ISO with packs, an answerfile and extra files. The
input is copied and one session appended, so its BIOS and UEFI boot (El Torito, isohybrid MBR
and GPT) is kept and the cost is close to a file copy.

${flags.usage()}

Timestamps come from SOURCE_DATE_EPOCH (default 2000-01-01T00:00:00Z).`;

/**
 * `--include=PATH[:DEST]`; the last ':' splits (an ISO name cannot hold one), so a PATH with a
 * ':' needs a DEST. When the part before it does not exist but the whole does, that is the
 * mistake: say so rather than "no such file" for a name the user did not write.
 */
export function parseInclude(raw: string): IncludeSpec {
  const cut = raw.lastIndexOf(':');
  if (cut <= 0) return { from: raw };
  const from = raw.slice(0, cut);
  if (!existsSync(from) && existsSync(raw)) {
    throw new UsageError(
      `--include=${JSON.stringify(raw)}: the last ":" splits PATH from DEST, and ${JSON.stringify(from)} does not exist; to add ${JSON.stringify(raw)}, give it a DEST without ":" (--include=PATH:NAME)`,
    );
  }
  return { from, to: raw.slice(cut + 1) };
}

export async function rebuildIsoCommand(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { own: values, positionals } = flags.parse(argv);
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

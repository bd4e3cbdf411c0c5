/** `suppack combine-packs`: the DDK's combine-supplemental-packs.sh (docs/formats/xenserver.md §3), natively. Thin: flags → core. */
import { sourceDateEpoch } from '../core';
import { combinePacks, removedNotice } from '../core';
import { progressPrinter } from '../core';
import { UsageError } from './args';
import { commandFlags } from './flags';
import { basename, dirname } from 'node:path';

const flags = commandFlags({
  defaultSection: '',
  after: [
    { flag: 'output', short: 'o', arg: 'ISO', help: 'the ISO to write (its name must end in .iso)' },
    { flag: 'volume-id', arg: 'ID', help: 'ISO volume id, at most 32 characters (default: the file name)' },
    { flag: 'help', short: 'h', help: 'show this help' },
  ],
});

export const combineUsage = `Usage: suppack combine-packs --output=ISO [--volume-id=ID] PACK.iso...

Combines legacy supplemental packs into one ISO: each pack in packages.<label>/ with its
XS-REPOSITORY and XS-PACKAGES, and XS-REPOSITORY-LIST naming them
(docs/formats/xenserver.md §3). Also writes ISO.md5. Update-format packs cannot be combined:
the installer reads one repo per source.

${flags.usage()}`;

export async function combinePacksCommand(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { own: values, positionals } = flags.parse(argv);
  if (values.help) return void out.write(`${combineUsage}\n`), 0;
  const output = values.output as string | undefined;
  if (output === undefined) throw new UsageError('--output: required, expected the ISO to write');
  if (!output.endsWith('.iso')) throw new UsageError(`--output: expected a file name ending in .iso, got ${JSON.stringify(output)}`);
  if (positionals.length === 0) throw new UsageError('no packs given: expected one or more pack ISOs after the options');
  const name = basename(output).slice(0, -'.iso'.length);
  const r = await combinePacks({
    packs: positionals,
    outDir: dirname(output),
    name,
    volumeId: (values['volume-id'] as string | undefined) ?? name.slice(0, 32),
    epoch: sourceDateEpoch(),
    onProgress: progressPrinter(basename(output)),
  });
  err.write(removedNotice(r.removed));
  out.write(`${r.iso}\n${r.isoMd5}\n`);
  return 0;
}

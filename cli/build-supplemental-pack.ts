/**
 * `suppack build-supplemental-pack`: the DDK's build-supplemental-pack.sh flags (docs/formats/xenserver.md §1.1),
 * so an existing build script switches by changing one word. Thin: flags → schema → core.
 */
import { buildLegacyPack, progressPrinter, removedNotice, sourceDateEpoch } from '../core/legacy-pack';
import { legacyPackSchema } from '../schemas/legacy-pack';
import { UsageError } from './args';
import { commandFlags } from './flags';

/** The flags: the pack's come from legacyPackSchema (each field declares its own); these are the command's. */
const flags = commandFlags({
  schema: legacyPackSchema,
  sections: ['Required', 'Options'],
  before: [{ flag: 'output', arg: 'DIR', section: 'Required', help: 'output directory' }],
  after: [
    { flag: 'no-iso', help: 'do not write the ISO' },
    { flag: 'tarball', help: 'also write <label>.tar.gz' },
    { flag: 'help', short: 'h', help: 'show this help' },
  ],
  gone: { 'repo-data': { takesValue: true, message: 'arbitrary metadata is no longer supported; declare dependencies with --requires' } },
});

export const usage = `${flags.synopsis('build-supplemental-pack', 'RPM...')}

Builds <label>.iso, <label>.iso.md5 and <label>.metadata.md5 (and <label>.tar.gz) in DIR:
a legacy supplemental pack (XS-REPOSITORY / XS-PACKAGES) for XenServer 7.0 and older.

${flags.usage()}

Timestamps come from SOURCE_DATE_EPOCH (default 2000-01-01T00:00:00Z).`;

export async function buildSupplementalPackCommand(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const given = flags.parse(argv);
  if (given.own.help) {
    out.write(`${usage}\n`);
    return 0;
  }
  if (given.own.output === undefined) throw new UsageError('--output: required, expected the output directory');
  const pack = given.parse();
  if (given.positionals.length === 0) throw new UsageError('no packages given: expected one or more RPM files after the options');

  const result = await buildLegacyPack({
    pack,
    rpms: given.positionals,
    outDir: given.own.output as string,
    iso: !given.own['no-iso'],
    tarball: Boolean(given.own.tarball),
    epoch: sourceDateEpoch(),
    onProgress: progressPrinter(`${pack.label}.iso`),
  });
  err.write(removedNotice(result.removed));
  for (const p of Object.values(result.outputs)) if (p) out.write(`${p}\n`);
  return 0;
}

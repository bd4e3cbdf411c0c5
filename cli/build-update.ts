/**
 * `suppack build-update`: the vendor's build-update flags (docs/formats/xenserver.md §2.1) for update packs and
 * driver disks (XenServer 7.1+, Citrix Hypervisor 8, XCP-ng 8). Thin: flags → schema → core.
 */
import { statSync } from 'node:fs';
import { sourceDateEpoch } from '../core';
import { buildUpdatePack, removedNotice } from '../core';
import { SIGNING_KEY_ENV, SIGNING_PASSPHRASE_ENV, SIGNING_PASSPHRASE_FILE_ENV } from '../core';
import { progressPrinter } from '../core';
import { updatePackSchema } from '../schemas/update-pack';
import { UsageError } from './args';
import { commandFlags } from './flags';

/** The flags: the update's come from updatePackSchema (each field declares its own); these are the command's. */
const flags = commandFlags({
  schema: updatePackSchema,
  sections: ['Required', 'Options', 'Signing (on when --keyfile is given)'],
  before: [
    {
      flag: 'output',
      short: 'o',
      arg: 'ISO',
      section: 'Required',
      help: 'the ISO to write, or an existing directory to write\n<label>.iso (<label>-<version>.iso for a driver disk) into',
    },
  ],
  after: [
    {
      flag: 'key',
      short: 'k',
      arg: 'UID',
      section: 'Signing (on when --keyfile is given)',
      help: `the signing key's gpg user id, key id or fingerprint (as\nbuild-update): exported from the keyring with gpg 2.1+\n(GNUPGHOME); or a secret key file (gpg --export-secret-keys\n--armor KEYID); default: $${SIGNING_KEY_ENV} (the armored\nkey, or a file path)`,
    },
    {
      flag: 'passphrase-file',
      arg: 'FILE',
      section: 'Signing (on when --keyfile is given)',
      help: `the key's passphrase; default: $${SIGNING_PASSPHRASE_FILE_ENV}\nor $${SIGNING_PASSPHRASE_ENV}`,
    },
    { flag: 'no-passphrase', section: 'Signing (on when --keyfile is given)', help: 'the key has no passphrase' },
    { flag: 'help', short: 'h', section: 'Signing (on when --keyfile is given)', help: 'show this help' },
  ],
  gone: {
    rollup: {
      takesValue: true,
      message: "gone; give the rolled-up updates as --rollups=UUID,UUID (build-update's flag: <rollsup> carries this update's label)",
    },
  },
});

export const usage = `${flags.synopsis('build-update', 'RPM...')}

Builds an update ISO (update.xml, Packages/, repodata/ with the comps group "update"),
signed when --keyfile is given: XenServer 7.1+, Citrix Hypervisor 8, XCP-ng 8.

${flags.usage()}

Timestamps and the signature time come from SOURCE_DATE_EPOCH (default 2000-01-01T00:00:00Z;
a signature is never dated before its key).`;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export async function buildUpdateCommand(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const given = flags.parse(argv);
  const own = given.own;
  if (own.help) {
    out.write(`${usage}\n`);
    return 0;
  }
  if (own.output === undefined) throw new UsageError('--output: required, expected the ISO to write');
  // build-update's -k needs the public key to publish with the update.
  if (own.key !== undefined && given.fields.key === undefined) {
    throw new UsageError('--key: signing also needs --keyfile, the public key published with the update');
  }
  const pack = given.parse();
  if (given.positionals.length === 0) throw new UsageError('no packages given: expected one or more RPM files after the options');
  const key = own.key as string | undefined;
  const result = await buildUpdatePack({
    pack,
    rpms: given.positionals,
    files: {
      ...(pack.precheck !== undefined ? { precheck: pack.precheck } : {}),
      ...(pack.remove !== undefined ? { remove: pack.remove } : {}),
      ...(pack.key !== undefined ? { key: pack.key } : {}),
      ...(pack.groupfile !== undefined ? { groupfile: pack.groupfile } : {}),
    },
    signing: {
      // build-update's -k names a key in the gpg keyring; an existing file is a secret key file.
      ...(key !== undefined ? (isFile(key) ? { keyFile: key } : { keyUid: key }) : {}),
      ...(own['passphrase-file'] !== undefined ? { passphraseFile: own['passphrase-file'] as string } : {}),
      noPassphrase: Boolean(own['no-passphrase']),
    },
    output: own.output as string,
    epoch: sourceDateEpoch(),
    onProgress: progressPrinter(`${pack.label} ISO`),
  });
  err.write(removedNotice(result.removed));
  out.write(`${result.iso}\n${result.iso}.sha256\n`);
  return 0;
}

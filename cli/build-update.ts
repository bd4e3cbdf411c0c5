/**
 * `suppack build-update`: the vendor's build-update flags (docs/formats/xenserver.md §2.1) for update packs and
 * driver disks (XenServer 7.1+, Citrix Hypervisor 8, XCP-ng 8). Thin: flags → schema → core.
 */
import { statSync } from 'node:fs';
import { sourceDateEpoch } from '../core';
import { buildUpdatePack } from '../core';
import { SIGNING_KEY_ENV, SIGNING_PASSPHRASE_ENV, SIGNING_PASSPHRASE_FILE_ENV } from '../core';
import { progressPrinter } from '../core';
import { updatePackSchema } from '../schemas/update-pack';
import { parseWithSchema } from '../schemas/parse';
import { parseCommandLine, UsageError, type OptionSpec } from './args';

export const usage = `Usage: suppack build-update --uuid=UUID --label=LABEL --version=VERSION
         --description=TEXT --output=ISO [options] RPM...

Builds an update ISO (update.xml, Packages/, repodata/ with the comps group "update"),
signed when --keyfile is given: XenServer 7.1+, Citrix Hypervisor 8, XCP-ng 8.

Required:
  --uuid=UUID             update UUID, lowercase (a new one for every update)
  -l, --label=LABEL       update label: letters, digits, '_', '-'
  -v, --version=VERSION   update version (optional for --driver-disk: then
                          <rpm version>+<release>[+<build>] of the driver RPM)
  -d, --description=TEXT  description (--text is accepted too)
  -o, --output=ISO        the ISO to write, or an existing directory to write
                          <label>.iso (<label>-<version>.iso for a driver disk) into
Options:
  --after-apply=LIST      comma list of restartXAPI, restartHost, restartPV, restartHVM
  --base-requires=REQ     RPM requirement(s) on the platform, e.g. "xenserver-release >= 8.2.0"
                          (carried by a control-<label> RPM)
  --precheck=SCRIPT       precheck script: the control RPM's %pre, and installed as
                          /var/update/<uuid>/precheck (xapi runs it too)
  --remove=SCRIPT         remove script, installed as /var/update/<uuid>/remove
  --rollups=UUID,UUID     the updates this one rolls up (comma-separated UUIDs)
  --enforce-homogeneity   every host of a pool must have this update (xapi)
  --groupfile=FILE        comps group file to use instead of the generated one
  --driver-disk           a driver disk: adds the comps group "drivers"
  --build=BUILD           pack build, the last part of a driver disk's version
  --vendor-name=NAME      ISO application id and RPM vendor of the generated RPMs
  --volume-id=ID          ISO volume id (default the label)
Signing (on when --keyfile is given):
  --keyfile=FILE          the public key (ASCII armored) published with the update;
                          update.xml key= is its file name
  -k, --key=UID           the signing key's gpg user id, key id or fingerprint (as
                          build-update): exported from the keyring with gpg 2.1+
                          (GNUPGHOME); or a secret key file (gpg --export-secret-keys
                          --armor KEYID); default: $${SIGNING_KEY_ENV} (the armored
                          key, or a file path)
  --passphrase-file=FILE  the key's passphrase; default: $${SIGNING_PASSPHRASE_FILE_ENV}
                          or $${SIGNING_PASSPHRASE_ENV}
  --no-passphrase         the key has no passphrase
  -h, --help              show this help

Timestamps and the signature time come from SOURCE_DATE_EPOCH (default 2000-01-01T00:00:00Z;
a signature is never dated before its key).`;

const options: OptionSpec = {
  uuid: { type: 'string' },
  label: { type: 'string', short: 'l' },
  version: { type: 'string', short: 'v' },
  description: { type: 'string', short: 'd' },
  text: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'after-apply': { type: 'string' },
  'base-requires': { type: 'string' },
  precheck: { type: 'string' },
  remove: { type: 'string' },
  rollup: { type: 'string', multiple: true },
  rollups: { type: 'string' },
  'enforce-homogeneity': { type: 'boolean' },
  groupfile: { type: 'string' },
  'driver-disk': { type: 'boolean' },
  build: { type: 'string' },
  'vendor-name': { type: 'string' },
  'volume-id': { type: 'string' },
  keyfile: { type: 'string' },
  key: { type: 'string', short: 'k' },
  'passphrase-file': { type: 'string' },
  'no-passphrase': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const FLAG_OF: Record<string, string> = {
  uuid: '--uuid',
  label: '--label',
  version: '--version',
  description: '--description',
  afterApply: '--after-apply',
  baseRequires: '--base-requires',
  precheck: '--precheck',
  remove: '--remove',
  key: '--keyfile',
  groupfile: '--groupfile',
  rollups: '--rollups',
  enforceHomogeneity: '--enforce-homogeneity',
  driverDisk: '--driver-disk',
  build: '--build',
  vendorName: '--vendor-name',
  volumeId: '--volume-id',
};

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export async function buildUpdateCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, options);
  if (values.help) {
    out.write(`${usage}\n`);
    return 0;
  }
  if (values.rollup !== undefined) {
    throw new UsageError('--rollup: gone; give the rolled-up updates as --rollups=UUID,UUID (build-update\'s flag: <rollsup> carries this update\'s label)');
  }
  if (values.description !== undefined && values.text !== undefined) throw new UsageError('--description and --text: give one of them');
  if (values.output === undefined) throw new UsageError('--output: required, expected the ISO to write');
  if (values.key !== undefined && values.keyfile === undefined) {
    throw new UsageError('--key: signing also needs --keyfile, the public key published with the update');
  }
  // build-update: args.rollups.split(",") (docs/formats/xenserver.md §2.1); blanks around commas are forgiven.
  const rollups = values.rollups === undefined ? [] : (values.rollups as string).split(',').map((s) => s.trim());
  const afterApply = values['after-apply'] === undefined ? [] : (values['after-apply'] as string).split(',').map((s) => s.trim());
  const pack = parseWithSchema(
    updatePackSchema,
    {
      uuid: values.uuid,
      label: values.label,
      version: values.version,
      description: values.description ?? values.text,
      afterApply,
      baseRequires: values['base-requires'],
      precheck: values.precheck,
      remove: values.remove,
      key: values.keyfile,
      groupfile: values.groupfile,
      rollups,
      enforceHomogeneity: Boolean(values['enforce-homogeneity']),
      driverDisk: Boolean(values['driver-disk']),
      build: values.build,
      vendorName: values['vendor-name'],
      volumeId: values['volume-id'],
    },
    {
      field: (path) =>
        path[0] === 'rollups' && path.length > 1
          ? `--rollups (item ${Number(path[1]) + 1})`
          : (FLAG_OF[String(path[0])] ?? String(path[0])),
    },
  );
  if (positionals.length === 0) throw new UsageError('no packages given: expected one or more RPM files after the options');
  const result = await buildUpdatePack({
    pack,
    rpms: positionals,
    files: {
      ...(pack.precheck !== undefined ? { precheck: pack.precheck } : {}),
      ...(pack.remove !== undefined ? { remove: pack.remove } : {}),
      ...(pack.key !== undefined ? { key: pack.key } : {}),
      ...(pack.groupfile !== undefined ? { groupfile: pack.groupfile } : {}),
    },
    signing: {
      // build-update's -k names a key in the gpg keyring; an existing file is a secret key file.
      ...(values.key !== undefined ? (isFile(values.key as string) ? { keyFile: values.key as string } : { keyUid: values.key as string }) : {}),
      ...(values['passphrase-file'] !== undefined ? { passphraseFile: values['passphrase-file'] as string } : {}),
      noPassphrase: Boolean(values['no-passphrase']),
    },
    output: values.output as string,
    epoch: sourceDateEpoch(),
    onProgress: progressPrinter(`${pack.label} ISO`),
  });
  out.write(`${result.iso}\n${result.iso}.sha256\n`);
  return 0;
}

/**
 * Test-only: the fuzz suite's seed inputs, made once per run with the real tools and suppack's own
 * commands: RPMs from rpmbuild, a legacy pack, update packs (signed and unsigned, a driver disk),
 * an installer ISO from xorriso and its rebuilt copy, install.img members, FAT images, the
 * answerfile and boot-menu fixtures, OpenPGP keys from gpg, the pack metadata files and pack
 * manifests (suppack.json).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ARGV_SEEDS } from './argv';
import { main } from '../../cli/main';
import { encodeInitrdMember } from '../../core/xenserver/installer/initrd';
import { openIso } from '../../core/formats/iso/reader';
import { generateKey, gpgHome, removeGpgHome } from '../../core/formats/openpgp/testing';
import { ANSWERFILE, buildTestInstaller } from '../../core/products/installer-iso/testing';
import { buildFixtureRpms } from '../rpms';

/** What the probes need besides the input: valid companions and the secrets a case must never print. */
export interface Corpus {
  /** Kind name → seed files. */
  seeds: Record<string, string[]>;
  /** A valid RPM, legacy pack, installer ISO, answerfile and public key to pair with a mutated input. */
  rpm: string;
  pack: string;
  /** Another legacy pack (another label), to combine with. */
  otherPack: string;
  installer: string;
  answerfile: string;
  publicKey: string;
  /** The protected secret key's passphrase, in a file; and the text itself (a case must never print it). */
  passphraseFile: string;
  passphrase: string;
}

const EPOCH = '1700000000';

async function cli(args: string[]): Promise<void> {
  let err = '';
  const sink = (f: (s: string) => void) => ({ write: (s: string | Buffer) => (f(String(s)), true) }) as unknown as NodeJS.WritableStream;
  const code = await main(args, sink(() => undefined), sink((s) => (err += s)));
  if (code !== 0) throw new Error(`fuzz corpus: suppack ${args[0]} failed: ${err}`);
}

async function isoFile(iso: string, path: string): Promise<Buffer> {
  const img = await openIso(iso);
  try {
    return await img.readFile(path, 64 << 20);
  } finally {
    await img.close();
  }
}

/** Builds the corpus in `dir` (an empty directory). */
export async function buildCorpus(dir: string): Promise<Corpus> {
  process.env.SOURCE_DATE_EPOCH = EPOCH;
  const seeds: Record<string, string[]> = {};
  const put = (kind: string, name: string, data: Buffer | string): string => {
    mkdirSync(join(dir, kind), { recursive: true });
    const p = join(dir, kind, name);
    writeFileSync(p, data);
    (seeds[kind] ??= []).push(p);
    return p;
  };
  const fixtures = buildFixtureRpms();
  for (const name of ['xs-hello', 'hello-lib', 'acme-modules', 'acme-firmware']) {
    put('rpm', `${name}.rpm`, readFileSync(fixtures[name]!));
  }
  const rpm = fixtures['xs-hello']!;

  // a legacy pack
  const legacyDir = join(dir, 'build-legacy');
  const common = ['--vendor-code=acme', '--vendor-name=Acme', '--text=Acme pack', '--version=1.0', '--product-version=8.2.0'];
  await cli(['build-supplemental-pack', `--output=${legacyDir}`, '--label=acme-pack', ...common, fixtures['xs-hello']!, fixtures['hello-lib']!]);
  const pack = put('pack-iso', 'acme-pack.iso', readFileSync(join(legacyDir, 'acme-pack.iso')));
  const combined = join(dir, 'build-combined.iso');
  const otherDir = join(dir, 'build-other');
  await cli(['build-supplemental-pack', `--output=${otherDir}`, '--label=acme-tools', ...common, fixtures['hello-lib']!]);
  await cli(['combine-packs', `--output=${combined}`, pack, join(otherDir, 'acme-tools.iso')]);
  put('pack-iso', 'combined.iso', readFileSync(combined));

  // update packs: unsigned, signed, a driver disk
  const home = gpgHome('suppack-fuzz-gpg-');
  const passphrase = 'fuzz-passphrase-4c1b9e';
  let publicKey: string;
  let passphraseFile: string;
  try {
    const rsa = generateKey(home, { uid: 'Fuzz RSA <rsa@fuzz.invalid>', algo: 'rsa2048', passphrase });
    const ed = generateKey(home, { uid: 'Fuzz Ed <ed@fuzz.invalid>', algo: 'ed25519', passphrase: '' });
    put('openpgp', 'rsa-protected.asc', rsa.secretArmored);
    put('openpgp', 'rsa-protected.gpg', rsa.secretBinary);
    put('openpgp', 'ed25519.asc', ed.secretArmored);
    put('openpgp', 'ed25519.gpg', ed.secretBinary);
    put('openpgp', 'ed25519.b64', `${ed.secretBinary.toString('base64')}\n`);
    put('openpgp', 'rsa-public.asc', rsa.publicArmored);
    publicKey = join(dir, 'rsa-public.asc');
    writeFileSync(publicKey, rsa.publicArmored);
    passphraseFile = join(dir, 'passphrase');
    writeFileSync(passphraseFile, `${passphrase}\n`);
    const update = ['--label=acme-upd', '--version=1.0', '--description=Acme update', '--base-requires=xenserver-release >= 8.2.0'];
    const unsigned = join(dir, 'build-unsigned.iso');
    await cli(['build-update', '--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', ...update, `--output=${unsigned}`, fixtures['xs-hello']!]);
    put('update-iso', 'unsigned.iso', readFileSync(unsigned));
    const signed = join(dir, 'build-signed.iso');
    await cli([
      'build-update', '--uuid=0a6f7c43-18b8-4c55-9f0a-3c1e0f5a2b11', ...update, `--output=${signed}`,
      `--keyfile=${publicKey}`, `--key=${join(dir, 'openpgp', 'rsa-protected.asc')}`, `--passphrase-file=${passphraseFile}`,
      fixtures['xs-hello']!, fixtures['hello-lib']!,
    ]);
    put('update-iso', 'signed.iso', readFileSync(signed));
    const disk = join(dir, 'build-driver-disk.iso');
    await cli(['build-update', '--uuid=1b2c3d4e-5f60-4718-89ab-cdef01234567', '--driver-disk', '--label=acme-drv', '--description=Acme driver', `--output=${disk}`, fixtures['acme-modules']!]);
    put('update-iso', 'driver-disk.iso', readFileSync(disk));

    for (const [name, bytes] of manifestSeeds()) put('manifest', name, bytes);

    // the metadata files the installer, xapi and yum read
    put('xml', 'XS-REPOSITORY', await isoFile(pack, 'XS-REPOSITORY'));
    put('xml', 'XS-PACKAGES', await isoFile(pack, 'XS-PACKAGES'));
    put('xml', 'XS-REPOSITORY-LIST', await isoFile(combined, 'XS-REPOSITORY-LIST'));
    put('xml', 'update.xml', await isoFile(signed, 'update.xml'));
    put('xml', 'repomd.xml', await isoFile(signed, 'repodata/repomd.xml'));
    const img = await openIso(signed);
    const repodata = img.readdir('repodata');
    await img.close();
    const primary = repodata.find((d) => d.name.endsWith('primary.xml.gz'));
    if (primary) put('xml', 'primary.xml', gunzipSync(await isoFile(signed, primary.path)));
  } finally {
    removeGpgHome(home);
  }

  // an installer ISO, and the same rebuilt with the pack and an answerfile
  const installerDir = join(dir, 'build-installer');
  mkdirSync(installerDir);
  const installer = put('installer-iso', 'installer.iso', readFileSync(buildTestInstaller(installerDir)));
  const answerfile = join(dir, 'answerfile.xml');
  writeFileSync(answerfile, ANSWERFILE);
  const rebuilt = join(dir, 'build-rebuilt.iso');
  await cli(['rebuild-iso', `--output=${rebuilt}`, `--pack=${pack}`, `--answerfile=${answerfile}`, installer]);
  put('installer-iso', 'rebuilt.iso', readFileSync(rebuilt));

  // install.img members: as the installer ships it, and the forms rebuild-iso reads and writes
  const installImg = await isoFile(installer, 'install.img');
  const member = encodeInitrdMember([{ path: 'answerfile.xml', data: Buffer.from(ANSWERFILE) }], Number(EPOCH));
  const rawMember = encodeInitrdMember([{ path: 'answerfile.xml', data: Buffer.from(ANSWERFILE) }], Number(EPOCH), true);
  put('initrd', 'install-bzip2.img', installImg);
  put('initrd', 'install-bzip2-answerfile.img', Buffer.concat([installImg, member]));
  put('initrd', 'install-raw-first.img', Buffer.concat([rawMember, installImg]));
  const rawCpio = execFileSync('bzip2', ['-dc'], { input: installImg });
  put('initrd', 'install-gzip.img', gzipSync(rawCpio, { level: 9 }));
  put('initrd', 'install-xz.img', execFileSync('xz', ['-c', '--check=crc32'], { input: rawCpio }));
  put('initrd', 'install-raw.img', rawCpio);

  // FAT: the installer's EFI image, and a 2.88 MB mtools floppy with a tree
  put('fat', 'efiboot.img', await isoFile(installer, 'boot/efiboot.img'));
  const floppy = join(dir, 'floppy.img');
  execFileSync('mformat', ['-i', floppy, '-C', '-f', '2880', '::']);
  execFileSync('mmd', ['-i', floppy, '::EFI', '::EFI/xenserver', '::A Long Directory Name']);
  const tmpFile = join(dir, 'fat-file');
  writeFileSync(tmpFile, ANSWERFILE.repeat(40));
  execFileSync('mcopy', ['-i', floppy, tmpFile, '::EFI/xenserver/grub.cfg']);
  execFileSync('mcopy', ['-i', floppy, tmpFile, '::A Long Directory Name/a file with a long name.txt']);
  put('fat', 'floppy.img', readFileSync(floppy));

  // answerfiles and boot menus from the fixtures (text from the vendors' and users' own files)
  const answerDir = join(__dirname, '../../core/xenserver/installer/fixtures/answerfiles');
  for (const f of readdirSync(answerDir).filter((n) => n.endsWith('.xml')).sort()) put('answerfile', f, readFileSync(join(answerDir, f)));
  const menuDir = join(__dirname, '../fixtures/boot-menus');
  for (const f of readdirSync(menuDir).filter((n) => n.endsWith('.cfg')).sort()) put('boot-menu', f, readFileSync(join(menuDir, f)));

  // command lines (argv.ts), each naming the inputs a case's sandbox holds
  for (const [name, argv] of Object.entries(ARGV_SEEDS)) put('argv', `${name}.json`, `${JSON.stringify(argv, null, 1)}\n`);

  // the harness's own check (kinds.ts SELF_TEST)
  put('self-test', 'seed.bin', 'abcdefgh');

  const rpmCopy = join(dir, 'valid.rpm');
  copyFileSync(rpm, rpmCopy);
  const otherPack = join(dir, 'other-pack.iso');
  copyFileSync(join(otherDir, 'acme-tools.iso'), otherPack);
  return { seeds, rpm: rpmCopy, pack, otherPack, installer, answerfile, publicKey, passphraseFile, passphrase };
}

/** The manifest kind's seeds (suppack.json): the examples, a driver pack for two kernels, an installer. */
export function manifestSeeds(): Array<[name: string, bytes: Buffer]> {
  const seeds: Array<[string, Buffer]> = ['legacy-pack', 'userspace', 'update-pack', 'bundle'].map((example) => [
    `${example}.json`,
    readFileSync(join(__dirname, '../../examples', example, 'suppack.json')),
  ]);
  const driver = {
    format: 'update',
    pack: { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'acme-nic', version: '1.0', description: 'Acme NIC', driverDisk: true },
    rpms: [{ spec: 'specs/acme-nic.spec', kind: 'kernel-module', version: '1.0', release: '1' }],
    kernels: [{ version: '4.19.0+1', develRpm: 'kernels/kernel-devel-4.19.19-8.0.20.x86_64.rpm' }, { version: '4.19.0+2', buildDir: '/usr/src/k' }],
  };
  seeds.push(['driver.json', Buffer.from(JSON.stringify(driver, null, 2))]);
  const installer = { kind: 'installer', baseIso: 'iso/XenServer-8.2.1-install-cd.iso', packs: ['acme-nic'], answerfile: 'answerfile.xml' };
  seeds.push(['installer.json', Buffer.from(JSON.stringify(installer, null, 2))]);
  return seeds;
}

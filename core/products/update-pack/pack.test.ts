/**
 * The update format against the real consumers' tools: gpg --verify for update.xml.asc and
 * repomd.xml.asc, rpm -K for every RPM, Debian's dnf installing @update / @drivers with
 * gpgcheck=1 repo_gpgcheck=1 into an empty installroot (what xapi's apply and the host installer
 * do), and createrepo_c on the same RPMs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildUpdatePack, updatePackMetadata, writeUpdateIso } from './pack';
import { loadUpdateSigning } from '../../xenserver/update/signing';
import { signRpm } from '../../formats/rpm/sign';
import { signatureTime } from '../../formats/openpgp';
import { randomBytes } from '../../../testing/random';
import { inspectPack, verifyPack } from '../report/pack-report';
import { openIso } from '../../formats/iso';
import { encodeRpm } from '../../formats/rpm';
import { updatePackSchema, type UpdatePackInput } from '../../../schemas/update-pack';
import { generateKey, gpgHome, gpgVerify, removeGpgHome } from '../../formats/openpgp/testing';
import { makeShellRoot, run } from '../../formats/rpm/testing';

const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-update-pack-'));
const UUID = '6854ab19-f807-4444-b94f-3ce7d64efe50';
const EPOCH = 1_700_000_000;
let home: string;
let keys: { pub: string; secret: string; passphrase: string; fpr: string };

beforeAll(() => {
  home = gpgHome();
  const k = generateKey(home, { uid: 'Acme Signing <sign@acme.example>', algo: 'rsa2048', passphrase: 'correct horse' });
  keys = { pub: join(dir, 'RPM-GPG-KEY-acme'), secret: join(dir, 'secret.asc'), passphrase: join(dir, 'pass'), fpr: k.fpr };
  writeFileSync(keys.pub, k.publicArmored);
  writeFileSync(keys.secret, k.secretArmored);
  writeFileSync(keys.passphrase, 'correct horse\n');
});
afterAll(() => {
  removeGpgHome(home);
  rmSync(dir, { recursive: true, force: true });
});

const pack = (extra: Partial<UpdatePackInput> = {}) =>
  updatePackSchema.parse({
    uuid: UUID,
    label: 'acme-fw',
    version: '2.0.1',
    description: 'Acme firmware update',
    afterApply: ['restartHost'],
    baseRequires: 'xenserver-release >= 8.2.0',
    key: keys.pub,
    vendorName: 'Acme',
    ...extra,
  });

async function build(out: string, extra: Partial<UpdatePackInput> = {}, payload = [rpms['acme-firmware'], rpms['hello-lib']]) {
  mkdirSync(out, { recursive: true });
  const p = pack(extra);
  return buildUpdatePack({
    pack: p,
    rpms: payload,
    files: { ...(p.key ? { key: p.key } : {}) },
    signing: { keyFile: keys.secret, passphraseFile: keys.passphrase },
    output: out,
    epoch: EPOCH,
  });
}

function extract(iso: string, to: string): string {
  mkdirSync(to, { recursive: true });
  run('bsdtar', ['-xf', iso, '-C', to]);
  return to;
}

/** dnf as xapi runs it on apply, with signature checks on, into a fresh root that can run scriptlets. */
function dnfInstall(tree: string, group: string, root: string): { status: number | null; out: string } {
  makeShellRoot(root);
  mkdirSync(join(root, 'run'), { recursive: true });
  // makeShellRoot copies the host's /bin/sh for the scriptlets; on a XenServer host bash owns it.
  // Tell the root's rpmdb so, as a package that provides /bin/sh (and has no files).
  const sh = join(root, '..', `${group}-sh.rpm`);
  writeFileSync(
    sh,
    encodeRpm({ name: 'sh-provider', version: '1', release: '1', arch: 'noarch', summary: 'test', description: 'test', license: 'MIT', buildTime: EPOCH, provides: [{ name: '/bin/sh', flags: 0, version: '' }], files: [] }),
  );
  run('rpm', ['--root', root, '-i', sh]);
  const conf = join(root, '..', `${group}-dnf.conf`);
  writeFileSync(
    conf,
    [
      '[main]',
      'reposdir=/dev/null',
      `cachedir=${join(root, '..', `${group}-cache`)}`,
      'keepcache=0',
      'installonlypkgs=',
      'group_command=compat',
      '[acme-fw]',
      'name=acme-fw',
      `baseurl=file://${tree}`,
      'gpgcheck=1',
      'repo_gpgcheck=1',
      `gpgkey=file://${keys.pub}`,
      '',
    ].join('\n'),
  );
  const r = spawnSync('dnf', ['-y', '-c', conf, '--installroot', root, '--releasever', '1', '--nodocs', 'install', `@${group}`], {
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('a signed update ISO', () => {
  let iso: string;
  let tree: string;
  beforeAll(async () => {
    iso = (await build(join(dir, 'a'))).iso;
    tree = extract(iso, join(dir, 'a-tree'));
  });

  it('holds update.xml, Packages/, repodata/ and the signatures (docs/formats/xenserver.md §2.2)', () => {
    expect(iso).toBe(join(dir, 'a', 'acme-fw.iso'));
    const listing = run('isoinfo', ['-R', '-f', '-i', iso]).split('\n').filter(Boolean).sort();
    expect(listing).toEqual(
      [
        '/Packages',
        '/Packages/acme-firmware-2.0.1-1.noarch.rpm',
        '/Packages/control-acme-fw-2.0.1-1.noarch.rpm',
        '/Packages/hello-lib-1.2-3.noarch.rpm',
        '/Packages/update-acme-fw-2.0.1-1.noarch.rpm',
        '/RPM-GPG-KEY-acme',
        '/repodata',
        '/repodata/comps.xml',
        '/repodata/comps.xml.gz',
        '/repodata/filelists.xml.gz',
        '/repodata/other.xml.gz',
        '/repodata/primary.xml.gz',
        '/repodata/repomd.xml',
        '/repodata/repomd.xml.asc',
        '/update.xml',
        '/update.xml.asc',
      ].sort(),
    );
    const xml = readFileSync(join(tree, 'update.xml'), 'utf8');
    const size = ['acme-firmware', 'hello-lib'].reduce((s, n) => s + Number(run('rpm', ['-qp', '--qf', '%{SIZE}', rpms[n]!])), 0);
    expect(xml).toBe(
      `  <update after-apply-guidance="restartHost" control="control-acme-fw" installation-size="${size}" key="RPM-GPG-KEY-acme" name-label="acme-fw" uuid="${UUID}" version="2.0.1">\n` +
        '  <name-description>Acme firmware update</name-description>\n' +
        '  </update>\n',
    );
  });

  it('gpg --verify accepts update.xml.asc and repomd.xml.asc with the public key', () => {
    const pub = readFileSync(keys.pub);
    for (const f of ['update.xml', 'repodata/repomd.xml']) {
      const v = gpgVerify(pub, readFileSync(join(tree, `${f}.asc`)), readFileSync(join(tree, f)));
      expect(v.status, v.stderr).toBe(0);
      expect(v.stdout).toContain(`[GNUPG:] VALIDSIG ${keys.fpr}`);
    }
  });

  it('rpm -K with the key imported reports every RPM signed and intact', () => {
    const db = join(dir, 'rpmdb');
    mkdirSync(db, { recursive: true });
    run('rpm', ['--dbpath', db, '--import', keys.pub]);
    const packages = readdirSync(join(tree, 'Packages'));
    expect(packages).toHaveLength(4);
    for (const f of packages) {
      const out = run('rpm', ['--dbpath', db, '-Kv', join(tree, 'Packages', f)]);
      expect(out, f).toMatch(/Header V4 RSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
      expect(out, f).not.toMatch(/NOKEY|BAD|NOTFOUND/);
    }
  });

  it("Debian's dnf installs @update with gpgcheck=1 repo_gpgcheck=1 into an empty root, as xapi's apply does", () => {
    const root = join(dir, 'root-update');
    const r = dnfInstall(tree, 'update', root);
    expect(r.status, r.out).toBe(0);
    // The applied stamp is update.xml without key= (build-update 1.8.5, CA-251625).
    const xml = readFileSync(join(tree, 'update.xml'), 'utf8');
    expect(xml).toContain(' key="RPM-GPG-KEY-acme" ');
    expect(readFileSync(join(root, `var/update/applied/${UUID}`), 'utf8')).toBe(xml.replace(' key="RPM-GPG-KEY-acme"', ''));
    expect(readFileSync(join(root, 'lib/firmware/acme/acme.bin'), 'utf8')).toBe('FW');
    expect(readFileSync(join(root, 'usr/lib/hello/lib.txt'), 'utf8')).toBe('lib\n');
    expect(readFileSync(join(root, 'run/reboot-required.hfxs'), 'utf8')).toBe(`${UUID}\n`);
    // The control RPM is for the precheck, not part of @update.
    expect(run('rpm', ['--root', root, '-qa', '--qf', '%{NAME}\n']).split('\n').filter(Boolean).sort()).toEqual([
      'acme-firmware',
      'gpg-pubkey',
      'hello-lib',
      'sh-provider',
      'update-acme-fw',
    ]);
  });

  it('gives the same primary, filelists and other XML as createrepo_c on the same RPMs', () => {
    const copy = join(dir, 'cr');
    cpSync(join(tree, 'Packages'), join(copy, 'Packages'), { recursive: true });
    for (const f of readdirSync(join(copy, 'Packages'))) utimesSync(join(copy, 'Packages', f), EPOCH, EPOCH);
    execFileSync('createrepo_c', ['-q', '--no-database', '--simple-md-filenames', '--general-compress-type=gz', '-g', join(tree, 'repodata/comps.xml'), copy]);
    for (const f of ['primary', 'filelists', 'other']) {
      const ours = gunzipSync(readFileSync(join(tree, 'repodata', `${f}.xml.gz`))).toString();
      const theirs = gunzipSync(readFileSync(join(copy, 'repodata', `${f}.xml.gz`))).toString();
      expect(ours, f).toBe(theirs);
    }
  });

  it('passes suppack verify (sha256 and size of every package against primary.xml, as the installer checks; repomd.xml checksums as dnf checks)', async () => {
    const v = await verifyPack(iso);
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.file).sort()).toEqual(
      [
        ...readdirSync(join(tree, 'Packages')).map((f) => `Packages/${f}`),
        ...readdirSync(join(tree, 'repodata')).filter((f) => !f.startsWith('repomd.xml')).map((f) => `repodata/${f}`),
        'repodata/repomd.xml.asc',
        'update.xml.asc',
      ].sort(),
    );
    const r = await inspectPack(iso);
    expect(r.format).toBe('update');
    if (r.format !== 'update') return;
    expect(r.update.control).toBe('control-acme-fw');
    expect(r.groups).toEqual(['update']);
    expect(r.signatures).toEqual({ updateXml: true, repomd: true });
    // A package changed after the metadata was written is caught.
    const name = 'Packages/hello-lib-1.2-3.noarch.rpm';
    const img = await openIso(iso);
    const extent = img.lookup(name)!.extents[0]!;
    await img.close();
    const bytes = readFileSync(iso);
    bytes[extent.lba * 2048 + extent.length - 10]! ^= 0xff;
    const bad = join(dir, 'corrupt.iso');
    writeFileSync(bad, bytes);
    const v2 = await verifyPack(bad);
    expect(v2.ok).toBe(false);
    expect(v2.checks.filter((c) => !c.ok).map((c) => [c.file, c.problem])).toEqual([[name, expect.stringMatching(/^sha256 [0-9a-f]{64}, primary.xml says/)]]);
  });

  // Issue 19 item 4 (reproducer): update.xml edited (its .asc now BAD) and repomd.xml's primary
  // checksum wrong used to give "5 packages verified", exit 0.
  it('verify checks the detached signatures against the key on the medium, and repomd.xml checksums', async () => {
    const remaster = (name: string, edit: (t: string) => void) => {
      const t = join(dir, `tree-${name}`);
      cpSync(tree, t, { recursive: true });
      edit(t);
      const out = join(dir, `${name}.iso`);
      run('xorriso', ['-as', 'mkisofs', '-r', '-J', '-o', out, t]);
      return out;
    };
    const editUpdate = (t: string) => writeFileSync(join(t, 'update.xml'), readFileSync(join(t, 'update.xml'), 'utf8').replace('Acme firmware update', 'Acme firmware updatE'));
    const editRepomd = (t: string) => {
      const p = join(t, 'repodata/repomd.xml');
      const xml = readFileSync(p, 'utf8');
      writeFileSync(p, xml.replace(/(<data type="primary">\s*<checksum type="sha256">)([0-9a-f]{64})/, (_m, a: string) => a + '0'.repeat(64)));
    };
    expect(gpgVerify(readFileSync(keys.pub), readFileSync(join(tree, 'update.xml.asc')), readFileSync(join(tree, 'update.xml'))).status).toBe(0);
    const both = await verifyPack(remaster('bad-sigs', (t) => (editUpdate(t), editRepomd(t))));
    expect(both.ok).toBe(false);
    expect(both.checks.filter((c) => !c.ok).map((c) => [c.file, c.problem])).toEqual([
      ['update.xml.asc', 'BAD signature: the document or the signature was changed (checked against RPM-GPG-KEY-acme)'],
      ['repodata/repomd.xml.asc', 'BAD signature: the document or the signature was changed (checked against RPM-GPG-KEY-acme)'],
      ['repodata/primary.xml.gz', expect.stringMatching(/^sha256 [0-9a-f]{64}, repomd\.xml says 0{64}$/)],
    ]);
    // gpg agrees: the edited update.xml no longer verifies.
    const edited = join(dir, 'tree-bad-sigs');
    expect(gpgVerify(readFileSync(keys.pub), readFileSync(join(edited, 'update.xml.asc')), readFileSync(join(edited, 'update.xml'))).status).not.toBe(0);
    // A missing signature of a signed update, and a signature by another key.
    const missing = await verifyPack(remaster('no-asc', (t) => rmSync(join(t, 'update.xml.asc'))));
    expect(missing.checks.filter((c) => !c.ok).map((c) => c.file)).toEqual(['update.xml.asc']);
    const otherHome = gpgHome();
    try {
      const other = generateKey(otherHome, { uid: 'Other <o@x.example>', algo: 'ed25519', passphrase: '' });
      const foreign = await verifyPack(remaster('other-key', (t) => writeFileSync(join(t, 'RPM-GPG-KEY-acme'), other.publicArmored)));
      expect(foreign.checks.filter((c) => !c.ok).map((c) => c.problem)).toEqual([
        expect.stringMatching(/^made by key [0-9A-F]{40}, which the public key on the medium does not hold/),
        expect.stringMatching(/^made by key [0-9A-F]{40}, which the public key on the medium does not hold/),
      ]);
    } finally {
      removeGpgHome(otherHome);
    }
  });

  it('same inputs, same bytes (signatures included), at another path', async () => {
    const again = (await build(join(dir, 'other-place', 'x'))).iso;
    expect(readFileSync(again).equals(readFileSync(iso))).toBe(true);
  });
});

describe('a driver disk', () => {
  it('is named <name>-<version>.iso with the XCP-ng version, and dnf installs @drivers', async () => {
    const out = await build(
      join(dir, 'dd'),
      { label: 'acme-modules', version: undefined, driverDisk: true, build: '1', afterApply: [], baseRequires: undefined },
      [rpms['acme-modules']],
    );
    const v = run('rpm', ['-qp', '--qf', '%{VERSION}+%{RELEASE}', rpms['acme-modules']!]);
    expect(out.version).toBe(`${v}+1`);
    expect(out.iso).toBe(join(dir, 'dd', `acme-modules-${v}+1.iso`));
    const tree = extract(out.iso, join(dir, 'dd-tree'));
    const comps = readFileSync(join(tree, 'repodata/comps.xml'), 'utf8');
    expect(comps).toContain('<id>drivers</id>');
    expect(comps).toContain('<id>update</id>');
    const root = join(dir, 'root-drivers');
    const r = dnfInstall(tree, 'drivers', root);
    expect(r.status, r.out).toBe(0);
    const ko = run('rpm', ['-qpl', rpms['acme-modules']!]).split('\n').find((l) => l.endsWith('.ko'))!;
    expect(existsSync(join(root, ko))).toBe(true);
    expect(existsSync(join(root, `var/update/applied/${UUID}`))).toBe(true);
  });
});

describe('--groupfile: shipped byte for byte, UTF-8 only (docs/update-packs.md, "Group file")', () => {
  const comps = (name: Buffer, declaration = '<?xml version="1.0" encoding="UTF-8"?>\n') =>
    Buffer.concat([
      Buffer.from(`${declaration}<!-- ours -->\n<comps>\n  <group>\n    <id>update</id>\n    <name>`),
      name,
      Buffer.from('</name>\n    <default>true</default>\n    <uservisible>true</uservisible>\n    <packagelist>\n' +
        '      <packagereq type="mandatory">update-acme-fw</packagereq>\n      <packagereq type="mandatory">hello-lib</packagereq>\n' +
        '    </packagelist>\n  </group>\n</comps>\n'),
    ]);
  const buildWith = (groupfile: string, out: string) => {
    mkdirSync(out, { recursive: true });
    return buildUpdatePack({
      pack: pack({ groupfile }),
      rpms: [rpms['hello-lib']!],
      files: { key: keys.pub, groupfile },
      signing: { keyFile: keys.secret, passphraseFile: keys.passphrase },
      output: out,
      epoch: EPOCH,
    });
  };

  it('a UTF-8 file with an accented name: the same bytes as createrepo_c -g copies, and dnf installs @update from it', async () => {
    const utf8 = comps(Buffer.from('Caf\u00e9', 'utf8'));
    // named comps.xml: createrepo_c names its copy after the file it is given
    const groupfile = join(dir, 'gf-src', 'comps.xml');
    mkdirSync(join(dir, 'gf-src'));
    writeFileSync(groupfile, utf8);
    const { iso } = await buildWith(groupfile, join(dir, 'gf'));
    const tree = extract(iso, join(dir, 'gf-tree'));
    expect(readFileSync(join(tree, 'repodata/comps.xml')).equals(utf8)).toBe(true);
    expect(gunzipSync(readFileSync(join(tree, 'repodata/comps.xml.gz'))).equals(utf8)).toBe(true);
    const copy = join(dir, 'gf-cr');
    cpSync(join(tree, 'Packages'), join(copy, 'Packages'), { recursive: true });
    execFileSync('createrepo_c', ['-q', '--no-database', '--simple-md-filenames', '-g', groupfile, copy]);
    expect(readFileSync(join(copy, 'repodata/comps.xml')).equals(utf8)).toBe(true);
    const r = dnfInstall(tree, 'update', join(dir, 'root-gf'));
    expect(r.status, r.out).toBe(0);
    const report = await inspectPack(iso);
    expect(report.format === 'update' ? report.groups : undefined).toEqual(['update']);
  });

  it('ASCII under an ISO-8859-1 declaration reads alike everywhere: taken', async () => {
    const groupfile = join(dir, 'comps-ascii.xml');
    writeFileSync(groupfile, comps(Buffer.from('Cafe'), '<?xml version="1.0" encoding="ISO-8859-1"?>\n'));
    await expect(buildWith(groupfile, join(dir, 'gf-ascii'))).resolves.toMatchObject({ iso: expect.stringMatching(/\.iso$/) });
  });

  it('ISO-8859-1 text (which dnf refuses), or bytes that are no UTF-8: one line naming the file, no ISO', async () => {
    const latin1 = join(dir, 'comps-latin1.xml');
    writeFileSync(latin1, comps(Buffer.from([0x43, 0x61, 0x66, 0xe9]), '<?xml version="1.0" encoding="ISO-8859-1"?>\n'));
    await expect(buildWith(latin1, join(dir, 'gf-latin1'))).rejects.toThrow(
      `${latin1}: expected a UTF-8 group file, got latin_1 text: dnf reads comps as UTF-8 whatever the XML declaration says, so the host would refuse it (convert it with iconv -t UTF-8 and declare encoding="UTF-8")`,
    );
    expect(readdirSync(join(dir, 'gf-latin1'))).toEqual([]);
    const utf16 = join(dir, 'comps-utf16.xml');
    writeFileSync(utf16, Buffer.from(comps(Buffer.from('Cafe'), '<?xml version="1.0" encoding="UTF-16"?>\n').toString('latin1'), 'utf16le'));
    await expect(buildWith(utf16, join(dir, 'gf-utf16'))).rejects.toThrow(`${utf16}: expected a UTF-8 group file, got UTF-16 text`);
    const bad = join(dir, 'comps-bad.xml');
    writeFileSync(bad, comps(Buffer.from([0x43, 0x61, 0x66, 0xe9]), ''));
    await expect(buildWith(bad, join(dir, 'gf-bad'))).rejects.toThrow(/comps-bad\.xml: not well-formed XML: byte 0xe9 at offset \d+ is not UTF-8/);
    expect(readdirSync(join(dir, 'gf-bad'))).toEqual([]);
  });
});

// Signed RPMs go into the ISO without a signed copy on disk: their new lead and signature, then
// the original's bytes (core/formats/rpm/sign.ts signedRpmStream).
describe('signed RPMs, written straight into the ISO', () => {
  const big = join(dir, 'straight', 'big-1.0-1.noarch.rpm');
  const build = async (known: boolean, onProgress?: () => void) => {
    const p = pack();
    const meta = await updatePackMetadata(p, [big], { key: keys.pub }, EPOCH);
    const signing = await loadUpdateSigning(keys.pub, { keyFile: keys.secret, passphraseFile: keys.passphrase });
    const out = join(dir, 'straight', `out-${Math.random().toString(16).slice(2)}.iso`);
    await writeUpdateIso({ pack: p, version: meta.version, updateXml: meta.updateXml, rpms: [big], ...(known ? { known: meta.known } : {}), signing, epoch: EPOCH, ...(onProgress ? { onProgress } : {}) }, out);
    return { out, signing };
  };
  beforeAll(() => {
    mkdirSync(join(dir, 'straight'), { recursive: true });
    // 24 MiB that do not compress: more than the ISO writer reads ahead of its first write (4 x 4 MiB)
    const content = randomBytes(24 << 20, 'straight big');
    writeFileSync(big, encodeRpm({ name: 'big', version: '1.0', release: '1', arch: 'noarch', summary: 'big', description: 'big', license: 'MIT', buildTime: EPOCH, files: [{ path: '/opt/big.bin', mode: 0o100644, content }] }));
  });

  it('are byte for byte the copy signRpm writes', async () => {
    const { out, signing } = await build(true);
    const copy = join(dir, 'straight', 'signed-copy.rpm');
    await signRpm(big, copy, signing.key, signatureTime(signing.key, EPOCH));
    const tree = extract(out, join(dir, 'straight', 'tree'));
    expect(readFileSync(join(tree, 'Packages', 'big-1.0-1.noarch.rpm')).equals(readFileSync(copy))).toBe(true);
  });

  it('an RPM that changed after the metadata was made is refused', async () => {
    const p = pack();
    const meta = await updatePackMetadata(p, [big], { key: keys.pub }, EPOCH);
    const known = new Map(meta.known);
    known.set(big, { ...known.get(big)!, sha256: '0'.repeat(64) });
    const signing = await loadUpdateSigning(keys.pub, { keyFile: keys.secret, passphraseFile: keys.passphrase });
    await expect(
      writeUpdateIso({ pack: p, version: meta.version, updateXml: meta.updateXml, rpms: [big], known, signing, epoch: EPOCH }, join(dir, 'straight', 'changed1.iso')),
    ).rejects.toThrow(/big-1\.0-1\.noarch\.rpm: changed while the update was built/);
  });

  it('an RPM whose size changed after the metadata was made is refused, with both sizes', async () => {
    const p = pack();
    const meta = await updatePackMetadata(p, [big], { key: keys.pub }, EPOCH);
    const known = new Map(meta.known);
    const size = known.get(big)!.size;
    known.set(big, { ...known.get(big)!, size: size - 1 });
    const signing = await loadUpdateSigning(keys.pub, { keyFile: keys.secret, passphraseFile: keys.passphrase });
    await expect(
      writeUpdateIso({ pack: p, version: meta.version, updateXml: meta.updateXml, rpms: [big], known, signing, epoch: EPOCH }, join(dir, 'straight', 'changed2.iso')),
    ).rejects.toThrow(`big-1.0-1.noarch.rpm: changed while the update was built: it has ${size} bytes, ${size - 1} when it was read before`);
  });

  it('an RPM that changes while the ISO is written is refused', async () => {
    const original = readFileSync(big);
    let changed = false;
    try {
      await expect(
        build(false, () => {
          if (changed) return;
          changed = true;
          // same size, the last byte different: the writer has read at most 16 MiB of the RPM when
          // its first buffer is written
          const bytes = Buffer.from(original);
          bytes[bytes.length - 1] ^= 0xff;
          writeFileSync(big, bytes);
        }),
      ).rejects.toThrow(/big-1\.0-1\.noarch\.rpm: changed while the update was built/);
      expect(changed).toBe(true);
    } finally {
      writeFileSync(big, original);
    }
  });
});

describe('bad input gets a clear error and no output', () => {
  const noIso = (d: string) => expect(existsSync(d) ? readdirSync(d) : []).toEqual([]);

  it('a wrong passphrase', async () => {
    const out = join(dir, 'bad1');
    writeFileSync(join(dir, 'wrong'), 'nope\n');
    mkdirSync(out, { recursive: true });
    const p = pack();
    await expect(
      buildUpdatePack({ pack: p, rpms: [rpms['hello-lib']!], files: { key: keys.pub }, signing: { keyFile: keys.secret, passphraseFile: join(dir, 'wrong') }, output: out, epoch: EPOCH }),
    ).rejects.toThrow(/secret\.asc.*wrong passphrase/);
    noIso(out);
  });

  it('a missing secret key file, or none at all', async () => {
    const out = join(dir, 'bad2');
    mkdirSync(out, { recursive: true });
    const p = pack();
    await expect(
      buildUpdatePack({ pack: p, rpms: [rpms['hello-lib']!], files: { key: keys.pub }, signing: { keyFile: join(dir, 'nope.asc') }, output: out, epoch: EPOCH }),
    ).rejects.toThrow(/nope\.asc: cannot read the secret key file/);
    await expect(
      buildUpdatePack({ pack: p, rpms: [rpms['hello-lib']!], files: { key: keys.pub }, signing: { env: {} }, output: out, epoch: EPOCH }),
    ).rejects.toThrow(/RPM-GPG-KEY-acme: signing is on .* set SUPPACK_SIGNING_KEY/);
    noIso(out);
  });

  it('a secret key that the published public key does not hold', async () => {
    const other = generateKey(home, { uid: 'Other <o@example>', algo: 'rsa2048', passphrase: '' });
    writeFileSync(join(dir, 'other.asc'), other.secretArmored);
    const out = join(dir, 'bad3');
    mkdirSync(out, { recursive: true });
    await expect(
      buildUpdatePack({ pack: pack(), rpms: [rpms['hello-lib']!], files: { key: keys.pub }, signing: { keyFile: join(dir, 'other.asc'), noPassphrase: true }, output: out, epoch: EPOCH }),
    ).rejects.toThrow(/RPM-GPG-KEY-acme: does not hold the signing key/);
    noIso(out);
  });

  it('a payload that is not an RPM', async () => {
    const junk = join(dir, 'junk.rpm');
    writeFileSync(junk, 'not an rpm at all');
    const out = join(dir, 'bad4');
    mkdirSync(out, { recursive: true });
    await expect(
      buildUpdatePack({ pack: pack({ key: undefined }), rpms: [junk], files: {}, output: out, epoch: EPOCH }),
    ).rejects.toThrow(/junk\.rpm: .*RPM/);
    noIso(out);
  });

  it('a malformed UUID and an unknown after-apply value (schema)', () => {
    const bad = updatePackSchema.safeParse({ uuid: UUID.toUpperCase(), label: 'x', version: '1', description: 'd', afterApply: ['reboot'] });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['uuid', 'afterApply.0']);
    expect(bad.error?.issues[0]?.message).toMatch(/lowercase UUID/);
    expect(bad.error?.issues[1]?.message).toBe('expected one of restartXAPI, restartHost, restartPV, restartHVM');
  });
});

/**
 * Issue 12 item 3: every refusal with a real RPM, and the hosts' own rpm (4.4.2.3, 4.11.3 built
 * from upstream, testing/old-rpm.ts) as the oracle that the refused RPM really does not install
 * and the accepted one does. The offenders are made by Debian's rpmbuild with its default macros
 * (sha256 file digests), with xz / zstd payloads, a "~" version, and signatures made by
 * core/formats/rpm/sign.ts with gpg-generated RSA and Ed25519 keys.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { privateRpmRoot, rpmInRoot, runOldRpm, type OldRpmRelease } from '../../testing/old-rpm';
import { collectRpms } from '../products/rpms/collect';
import { checkRpmsForHost, checkSigningKeyForHost, HostMismatchError, oldestHostRpm, readRpmHostFacts, rpmBytesHostFacts } from './host-check';
import { HOST_RPMS, RPM_4_11, RPM_4_4, targetHost, UPDATE_HOSTS, type TargetHost } from './hosts';
import { buildLegacyPack } from '../products/legacy-pack/pack';
import { readSigningKey, type SigningKey } from '../formats/openpgp';
import { generateKey, gpgHome, removeGpgHome } from '../formats/openpgp/testing';
import { encodeRpm } from '../formats/rpm';
import { signRpm } from '../formats/rpm/sign';
import { buildUpdatePack } from '../products/update-pack/pack';
import { inspectPack, verifyPack } from '../products/report/pack-report';
import { combinePacks } from '../products/combined-pack/combine';
import { formatReport } from '../../cli/inspect';
import { legacyPackSchema } from '../../schemas/legacy-pack';
import { manifestSchema } from '../../schemas/manifest';
import { updatePackSchema } from '../../schemas/update-pack';

let dir: string;
let home: string;
const rpm: Record<string, string> = {};
const keys: Record<'rsa' | 'ed25519', { key: SigningKey; pub: string; secret: string }> = {} as never;
const XS65: TargetHost = targetHost({ format: 'legacy', pack: { product: 'XenServer', productVersion: '6.5.0' } });
const XS70: TargetHost = targetHost({ format: 'legacy', pack: { product: 'XenServer', productVersion: '7.0.0' } });

/** Debian's rpmbuild on a one-file noarch spec, with `defines`; returns the RPM copied to `dir/<as>`. */
function rpmbuild(as: string, defines: Record<string, string>, version = '1.0', preamble = ''): string {
  const top = mkdtempSync(join(dir, 'top-'));
  const spec = join(top, 'tool.spec');
  writeFileSync(
    spec,
    `Name: tool\nVersion: ${version}\nRelease: 1\nSummary: t\nLicense: MIT\nBuildArch: noarch\n${preamble}%description\nt\n` +
      '%install\nmkdir -p %{buildroot}/opt/tool\necho hi > %{buildroot}/opt/tool/a\n%files\n/opt/tool\n',
  );
  const args = ['-bb', '--define', `_topdir ${top}`, '--define', 'debug_package %{nil}'];
  for (const [k, v] of Object.entries(defines)) args.push('--define', `${k} ${v}`);
  execFileSync('rpmbuild', [...args, spec], { stdio: 'pipe', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', LC_ALL: 'C' } });
  const built = join(top, 'RPMS/noarch', readdirSync(join(top, 'RPMS/noarch'))[0]!);
  const out = join(dir, as);
  mkdirSync(join(out, '..'), { recursive: true });
  copyFileSync(built, out);
  return out;
}

const MD5 = { _binary_filedigest_algorithm: '1', _source_filedigest_algorithm: '1', _binary_payload: 'w9.gzdio' };

/** Installs `file` with rpm `release` into a new private root: the rpm output and status. */
function install(release: OldRpmRelease, file: string, extra: string[] = []) {
  const root = privateRpmRoot(release, dir);
  const r = rpmInRoot(release, root, ['-i', ...extra, file]);
  return { ...r, root };
}

async function refusal(files: Array<{ path: string; shownAs?: string }>, host: TargetHost): Promise<string[]> {
  try {
    await checkRpmsForHost(files, host);
  } catch (e) {
    expect(e).toBeInstanceOf(HostMismatchError);
    return (e as HostMismatchError).message.split('\n');
  }
  return [];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-host-check-'));
  rpm.debian = rpmbuild('rpms/tool-1.0-1.noarch.rpm', {}); // Debian's defaults: sha256 file digests
  rpm.md5 = rpmbuild('md5/tool-1.0-1.noarch.rpm', MD5);
  rpm.xz = rpmbuild('xz/tool-1.0-1.noarch.rpm', { ...MD5, _binary_payload: 'w2.xzdio' });
  rpm.zstd = rpmbuild('zstd/tool-1.0-1.noarch.rpm', { _binary_payload: 'w3.zstdio' });
  rpm.tilde = rpmbuild('tilde/tool-1.0~rc1-1.noarch.rpm', MD5, '1.0~rc1');
  rpm.rich = rpmbuild('rich/tool-1.0-1.noarch.rpm', {}, '1.0', 'Requires: (bash or dash)\n');
  home = gpgHome();
  for (const [algo, name] of [['rsa2048', 'rsa'], ['ed25519', 'ed25519']] as const) {
    const gen = generateKey(home, { uid: `Host ${name} <host-${name}@example.com>`, algo, passphrase: '' });
    const pub = join(dir, `RPM-GPG-KEY-${name}`);
    writeFileSync(pub, gen.publicArmored);
    const secret = join(dir, `${name}.secret.asc`);
    writeFileSync(secret, gen.secretArmored);
    keys[name] = { key: readSigningKey(gen.secretArmored, { source: secret }), pub, secret };
  }
  mkdirSync(join(dir, 'signed'));
  rpm.rsaSigned = join(dir, 'signed/tool-1.0-1.noarch.rpm');
  await signRpm(rpm.md5, rpm.rsaSigned, keys.rsa.key, 1700000000);
  mkdirSync(join(dir, 'ed-signed'));
  rpm.edSigned = join(dir, 'ed-signed/tool-1.0-1.noarch.rpm');
  await signRpm(rpm.md5, rpm.edSigned, keys.ed25519.key, 1700000000);
});
afterAll(() => {
  if (home) removeGpgHome(home);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the host table', () => {
  test.each([
    [RPM_4_4, '4.4'],
    [RPM_4_11, '4.11'],
  ] as const)('rpm %s: the rpmlib features are exactly those `rpm --showrc` of the built binary lists', (host, release) => {
    const showrc = runOldRpm(release, ['--showrc']).stdout;
    expect(runOldRpm(release, ['--version']).stdout.trim()).toBe(`RPM version ${host.version}`);
    const listed = Object.fromEntries([...showrc.matchAll(/^\s+rpmlib\((\w+)\) = (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(listed).toEqual(host.rpmlib);
  });

  test('platforms map to their dom0 rpm: XenServer 5.6-6.5 and XCP 1.x rpm 4.4.2.3; 7.0 on, CH 8, XCP-ng 8 and update packs rpm 4.11.3', () => {
    const legacy = (product: 'XenServer' | 'XCP', productVersion: string) => targetHost({ format: 'legacy', pack: { product, productVersion } });
    for (const v of ['5.6.0', '5.6.100', '6.0.2', '6.1.0', '6.2.0', '6.5.0']) expect(legacy('XenServer', v).rpm.version).toBe('4.4.2.3');
    for (const v of ['7.0.0', '7.1.0', '7.6.0', '8.0.0', '8.2.1', '8.4.0']) expect(legacy('XenServer', v).rpm.version).toBe('4.11.3');
    expect(legacy('XCP', '1.6.10').rpm.version).toBe('4.4.2.3');
    expect(legacy('XCP', '8.2.0').rpm.version).toBe('4.11.3');
    expect(legacy('XenServer', '6.5.0').name).toBe('XenServer 6.5');
    expect(targetHost({ format: 'update' })).toBe(UPDATE_HOSTS);
    expect(UPDATE_HOSTS.rpm).toBe(RPM_4_11);
  });

  test('without productVersion: the lowest xs:main version the requirements allow, else the oldest platform', () => {
    const pack = (requires: Array<{ originator: string; name: string; test: string; version: string }>) =>
      targetHost({ format: 'legacy', pack: { product: 'XenServer', requires } });
    expect(pack([{ originator: 'xs', name: 'main', test: 'ge', version: '7.0.0' }]).rpm).toBe(RPM_4_11);
    expect(pack([{ originator: 'xs', name: 'main', test: 'ge', version: '6.2.0' }]).rpm).toBe(RPM_4_4);
    expect(pack([{ originator: 'xs', name: 'main', test: 'lt', version: '8.0.0' }]).rpm).toBe(RPM_4_4);
    expect(pack([]).rpm).toBe(RPM_4_4);
    expect(pack([]).name).toMatch(/^XenServer 5\.6 \(no product version given/);
  });
});

describe('refusals, each with a real RPM the host rpm really refuses', () => {
  test("Debian rpmbuild's defaults (sha256 file digests) for XenServer 6.5: rpmlib(FileDigests), and rpm 4.4.2.3 agrees", async () => {
    const lines = await refusal([{ path: rpm.debian!, shownAs: 'rpms/tool-1.0-1.noarch.rpm' }], XS65);
    expect(lines).toEqual([
      "rpms/tool-1.0-1.noarch.rpm: needs rpmlib(FileDigests), which rpm 4.4.2.3 of XenServer 6.5 lacks (rebuild with md5 file digests (_binary_filedigest_algorithm 1); suppack's build-rpms does this for you)",
    ]);
    expect(install('4.4', rpm.debian!).output).toContain('rpmlib(FileDigests) <= 4.6.0-1 is needed by tool-1.0-1');
    // Forced past the dependency check, rpm 4.4 takes the sha256 digests for md5 ones.
    expect(install('4.4', rpm.debian!, ['--nodeps']).output).toContain('cpio: MD5 sum mismatch');
    // The same RPM is fine for XenServer 7.0: rpm 4.11.3 installs it.
    expect(await refusal([{ path: rpm.debian! }], XS70)).toEqual([]);
    expect(install('4.11', rpm.debian!).status).toBe(0);
  });

  test('md5 file digests and a gzip payload (what build-rpms makes for rpm 4.4) pass, and rpm 4.4.2.3 installs, verifies and removes it', async () => {
    expect(await refusal([{ path: rpm.md5! }], XS65)).toEqual([]);
    const r = install('4.4', rpm.md5!);
    expect(r.status, r.output).toBe(0);
    expect(rpmInRoot('4.4', r.root, ['-V', 'tool']).status).toBe(0);
    expect(rpmInRoot('4.4', r.root, ['-e', 'tool']).status).toBe(0);
    expect(existsSync(join(r.root, 'opt/tool/a'))).toBe(false);
  });

  test('an xz payload for XenServer 6.5: one line for the payload, and rpm 4.4.2.3 refuses it', async () => {
    const lines = await refusal([{ path: rpm.xz! }], XS65);
    expect(lines).toEqual([
      `${rpm.xz}: has its payload compressed with xz, which rpm 4.4.2.3 of XenServer 6.5 cannot unpack (rebuild with a gzip payload (_binary_payload w9.gzdio); suppack's build-rpms does this for you)`,
    ]);
    expect(install('4.4', rpm.xz!).output).toContain('rpmlib(PayloadIsXz) <= 5.2-1 is needed by tool-1.0-1');
    expect(await refusal([{ path: rpm.xz! }], XS70)).toEqual([]);
    expect(install('4.11', rpm.xz!).status).toBe(0);
  });

  test('a zstd payload for the update hosts: refused, and rpm 4.11.3 refuses it too', async () => {
    const lines = await refusal([{ path: rpm.zstd! }], UPDATE_HOSTS);
    expect(lines).toEqual([
      `${rpm.zstd}: has its payload compressed with zstd, which rpm 4.11.3 of XenServer 7.1+, Citrix Hypervisor 8.x and XCP-ng 8.x cannot unpack (rebuild with a gzip payload (_binary_payload w9.gzdio); suppack's build-rpms does this for you)`,
    ]);
    expect(install('4.11', rpm.zstd!).output).toContain('rpmlib(PayloadIsZstd) <= 5.4.18-1 is needed by tool-1.0-1');
  });

  test('a "~" version for XenServer 6.5: rpmlib(TildeInVersions), which rpm 4.4.2.3 lacks', async () => {
    const lines = await refusal([{ path: rpm.tilde! }], XS65);
    expect(lines).toEqual([
      `${rpm.tilde}: needs rpmlib(TildeInVersions), which rpm 4.4.2.3 of XenServer 6.5 lacks (use a version and release without "~")`,
    ]);
    expect(install('4.4', rpm.tilde!).output).toContain('rpmlib(TildeInVersions) <= 4.10.0-1 is needed');
  });

  test('a V4 RSA signature for XenServer 6.5: refused (rpm 4.4.2.3 reads it as BAD); fine for 7.0, where rpm 4.11.3 checks it with the key', async () => {
    const lines = await refusal([{ path: rpm.rsaSigned! }], XS65);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `${rpm.rsaSigned}: carries a V4 RSA/SHA256 signature (signature header RSA), which rpm 4.4.2.3 of XenServer 6.5 reads as BAD (remove it: rpmsign --delsign; packs for this host are not signed)`,
    );
    const root44 = privateRpmRoot('4.4', dir);
    expect(rpmInRoot('4.4', root44, ['-K', rpm.rsaSigned!]).output).toMatch(/BAD|NOT OK/);
    expect(await refusal([{ path: rpm.rsaSigned! }], XS70)).toEqual([]);
    const root = privateRpmRoot('4.11', dir);
    expect(rpmInRoot('4.11', root, ['--import', keys.rsa.pub]).status).toBe(0);
    const k = rpmInRoot('4.11', root, ['-K', rpm.rsaSigned!]);
    expect(k.status, k.output).toBe(0);
    expect(k.output).toMatch(/pgp|OK/i);
  });

  test('an Ed25519 signature for every XenServer / CH / XCP-ng host: refused; rpm 4.11.3 cannot verify it nor import the key', async () => {
    const lines = await refusal([{ path: rpm.edSigned! }], UPDATE_HOSTS);
    expect(lines).toEqual([
      `${rpm.edSigned}: carries a V4 EdDSA (Ed25519)/SHA256 signature (signature header DSA), which rpm 4.11.3 of XenServer 7.1+, Citrix Hypervisor 8.x and XCP-ng 8.x cannot verify (sign it with an RSA key, or remove it: rpmsign --delsign)`,
    ]);
    const root = privateRpmRoot('4.11', dir);
    expect(rpmInRoot('4.11', root, ['--import', keys.ed25519.pub]).status).not.toBe(0);
  });

  test('a rich dependency (Debian rpmbuild writes rpmlib(RichDependencies)) for the update hosts: refused, and rpm 4.11.3 agrees', async () => {
    const lines = await refusal([{ path: rpm.rich! }], UPDATE_HOSTS);
    expect(lines).toEqual([
      `${rpm.rich}: needs rpmlib(RichDependencies), which rpm 4.11.3 of XenServer 7.1+, Citrix Hypervisor 8.x and XCP-ng 8.x lacks (replace the rich (boolean) dependencies with plain ones)`,
    ]);
    expect(install('4.11', rpm.rich!).output).toContain('rpmlib(RichDependencies) <= 4.12.0-1 is needed by tool-1.0-1');
    expect(oldestHostRpm((await readRpmHostFacts(rpm.rich!)).facts)).toBeUndefined();
  });

  test('several RPMs, several problems: one line each, in order', async () => {
    const lines = await refusal([{ path: rpm.debian!, shownAs: 'a.rpm' }, { path: rpm.md5! }, { path: rpm.xz!, shownAs: 'b.rpm' }], XS65);
    expect(lines.map((l) => l.split(':')[0])).toEqual(['a.rpm', 'b.rpm']);
  });
});

describe('oldest host rpm', () => {
  test('md5 → rpm 4.4.2.3; Debian defaults → rpm 4.11.3; zstd and Ed25519 signatures → none', async () => {
    const oldest = async (f: string) => oldestHostRpm((await readRpmHostFacts(f)).facts)?.version;
    expect(await oldest(rpm.md5!)).toBe('4.4.2.3');
    expect(await oldest(rpm.debian!)).toBe('4.11.3');
    expect(await oldest(rpm.rsaSigned!)).toBe('4.11.3');
    expect(await oldest(rpm.zstd!)).toBeUndefined();
    expect(await oldest(rpm.edSigned!)).toBeUndefined();
    expect(HOST_RPMS.map((r) => r.version)).toEqual(['4.4.2.3', '4.11.3']);
  });
});

describe('the native writer follows the table', () => {
  const spec = {
    name: 'native',
    version: '1.0',
    release: '1',
    arch: 'noarch',
    summary: 's',
    description: 'd',
    license: 'MIT',
    buildTime: 1700000000,
    files: [{ path: '/opt/native/a', mode: 0o100644, content: Buffer.from('a\n') }],
  };

  test('md5 file digests: nothing rpm 4.4.2.3 lacks, and it installs and verifies there', () => {
    const bytes = encodeRpm({ ...spec, fileDigest: 'md5' });
    const facts = rpmBytesHostFacts(bytes, 'native.rpm');
    expect(facts.rpmlib.map((d) => d.name)).not.toContain('rpmlib(FileDigests)');
    expect(oldestHostRpm(facts)).toBe(RPM_4_4);
    const file = join(dir, 'native-1.0-1.noarch.rpm');
    writeFileSync(file, bytes);
    const r = install('4.4', file);
    expect(r.status, r.output).toBe(0);
    expect(rpmInRoot('4.4', r.root, ['-V', 'native']).status).toBe(0);
  });

  test('the default (sha256, the update hosts) needs rpm 4.11.3', () => {
    expect(oldestHostRpm(rpmBytesHostFacts(encodeRpm(spec), 'native.rpm'))).toBe(RPM_4_11);
  });
});

describe('refused before anything is written', () => {
  test('collect-rpms: a prebuilt Debian-default RPM in a XenServer 6.5 pack names the file, the glob, the feature and the host', async () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'rpms'), { recursive: true });
    copyFileSync(rpm.debian!, join(project, 'rpms/tool-1.0-1.noarch.rpm'));
    const out = join(dir, 'collected');
    const manifest = manifestSchema.parse({
      pack: { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-tool', text: 'Tool', version: '1.0', productVersion: '6.5.0' },
      prebuilt: ['rpms/*.rpm'],
    });
    await expect(collectRpms({ manifest, projectDir: project, builtDir: join(dir, 'none'), outDir: out })).rejects.toThrow(
      "rpms/tool-1.0-1.noarch.rpm (suppack.json prebuilt[0]): needs rpmlib(FileDigests), which rpm 4.4.2.3 of XenServer 6.5 lacks (rebuild with md5 file digests (_binary_filedigest_algorithm 1); suppack's build-rpms does this for you)",
    );
    expect(existsSync(out)).toBe(false);
  });

  test('build-supplemental-pack (CLI arguments, gulp files): no ISO, no md5 files', async () => {
    const outDir = join(dir, 'legacy-out');
    mkdirSync(outDir);
    const pack = legacyPackSchema.parse({ vendorCode: 'acme', vendorName: 'Acme', label: 'acme-tool', text: 'Tool', version: '1.0', productVersion: '6.5.0' });
    await expect(buildLegacyPack({ pack, rpms: [rpm.debian!], outDir, epoch: 1700000000 })).rejects.toThrow(/needs rpmlib\(FileDigests\), which rpm 4\.4\.2\.3 of XenServer 6\.5 lacks/);
    expect(readdirSync(outDir)).toEqual([]);
    // The md5 build of the same package makes a pack.
    await buildLegacyPack({ pack, rpms: [rpm.md5!], outDir, epoch: 1700000000 });
    expect(readdirSync(outDir).sort()).toEqual(['acme-tool.iso', 'acme-tool.iso.md5', 'acme-tool.metadata.md5']);
  });

  const update = () =>
    updatePackSchema.parse({ uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'acme-tool', version: '1.0.0', description: 'Tool' });

  test('build-update: an Ed25519 signing key is refused with one line naming the key and the hosts, and nothing is written', async () => {
    const outDir = join(dir, 'update-ed');
    mkdirSync(outDir);
    const build = buildUpdatePack({
      pack: update(),
      rpms: [rpm.debian!],
      files: { key: keys.ed25519.pub },
      signing: { keyFile: keys.ed25519.secret },
      output: outDir,
      epoch: 1700000000,
    });
    const err = await build.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe(
      `${keys.ed25519.pub}: the signing key ${keys.ed25519.key.keyId} is EdDSA (Ed25519), which rpm 4.11.3 of XenServer 7.1+, Citrix Hypervisor 8.x and XCP-ng 8.x cannot verify (its packages would be refused as unverifiable and the key would not import): sign with an RSA key (gpg --quick-gen-key NAME rsa4096 sign)`,
    );
    expect(err?.message).not.toContain('\n');
    expect(readdirSync(outDir)).toEqual([]);
  });

  test('build-update: a zstd payload RPM is refused, nothing is written', async () => {
    const outDir = join(dir, 'update-zstd');
    mkdirSync(outDir);
    await expect(buildUpdatePack({ pack: update(), rpms: [rpm.zstd!], files: {}, output: outDir, epoch: 1700000000 })).rejects.toThrow(
      /has its payload compressed with zstd, which rpm 4\.11\.3 of XenServer 7\.1\+, Citrix Hypervisor 8\.x and XCP-ng 8\.x cannot unpack/,
    );
    expect(readdirSync(outDir)).toEqual([]);
  });

  test('the signing key check itself: RSA passes for the update hosts, any key is refused for rpm 4.4', () => {
    expect(() => checkSigningKeyForHost(keys.rsa.key, 'k.asc', UPDATE_HOSTS)).not.toThrow();
    expect(() => checkSigningKeyForHost(keys.rsa.key, 'k.asc', XS65)).toThrow(/V4 OpenPGP signatures, which rpm 4\.4\.2\.3 of XenServer 6\.5 reads as BAD/);
  });
});

describe('suppack inspect: the oldest host rpm of every package', () => {
  test('a legacy pack of the md5 build: rpm 4.4.2.3; an update of the Debian-default build: rpm 4.11.3 (its generated RPMs too)', async () => {
    const legacyOut = join(dir, 'inspect-legacy');
    mkdirSync(legacyOut);
    const pack = legacyPackSchema.parse({ vendorCode: 'acme', vendorName: 'Acme', label: 'acme-tool', text: 'Tool', version: '1.0', productVersion: '6.5.0' });
    const { outputs } = await buildLegacyPack({ pack, rpms: [rpm.md5!], outDir: legacyOut, epoch: 1700000000 });
    const legacy = await inspectPack(outputs.iso!);
    expect(legacy.format === 'legacy' && legacy.rpmHosts).toEqual([
      { file: 'tool-1.0-1.noarch.rpm', oldestRpm: '4.4.2.3', hosts: 'XenServer 5.6 and later' },
    ]);
    expect(formatReport(legacy)).toContain('  tool-1.0-1.noarch.rpm  rpm 4.4.2.3 (XenServer 5.6 and later)\n');
    // A damaged package: inspect still reports (it is unreadable), verify finds it (no exception).
    const damaged = join(dir, 'damaged.iso');
    const bytes = readFileSync(outputs.iso!);
    const lead = bytes.indexOf(Buffer.from([0xed, 0xab, 0xee, 0xdb]));
    expect(lead).toBeGreaterThan(0);
    bytes[lead] = 0;
    writeFileSync(damaged, bytes);
    const d = await inspectPack(damaged);
    expect(d.format === 'legacy' && d.rpmHosts[0]).toMatchObject({ file: 'tool-1.0-1.noarch.rpm', oldestRpm: null, hosts: expect.stringMatching(/^unreadable: /) });
    expect((await verifyPack(damaged)).ok).toBe(false);
    // A combined pack shows it under each repository.
    const combined = await combinePacks({ packs: [outputs.iso!], outDir: join(dir, 'inspect-combined'), name: 'all', volumeId: 'All', epoch: 1700000000 });
    expect(formatReport(await inspectPack(combined.iso))).toContain('\n    packages.acme-tool/tool-1.0-1.noarch.rpm  rpm 4.4.2.3 (XenServer 5.6 and later)\n');

    const updateOut = join(dir, 'inspect-update');
    mkdirSync(updateOut);
    const u = updatePackSchema.parse({ uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'acme-tool', version: '1.0.0', description: 'Tool' });
    const { iso } = await buildUpdatePack({ pack: u, rpms: [rpm.debian!], files: {}, output: updateOut, epoch: 1700000000 });
    const report = await inspectPack(iso);
    expect(report.format === 'update' && report.rpmHosts?.map((h) => [h.file, h.oldestRpm])).toEqual([
      ['Packages/tool-1.0-1.noarch.rpm', '4.11.3'],
      ['Packages/update-acme-tool-1.0.0-1.noarch.rpm', '4.11.3'],
    ]);
    expect(formatReport(report)).toContain('  Packages/tool-1.0-1.noarch.rpm  rpm 4.11.3 (XenServer 7.0 and later)\n');
  });
});

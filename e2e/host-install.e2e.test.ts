/**
 * Issue 12 verification, end to end: every pack kind the generators make (driver, userspace,
 * combined as legacy packs for XenServer 6.5.0 and 7.0.0; an update and a driver disk), built
 * through Nx from specs in one workspace with the packed plugin. Every RPM of each ISO installs
 * in one transaction with the target host's own rpm (4.4.2.3 for 6.5, 4.11.3 otherwise; built
 * from upstream, testing/old-rpm.ts) into a private root, `rpm -V` is clean and `rpm -e` removes
 * it. The update is signed with an RSA key that rpm 4.11.3 verifies (`-K`, key imported with
 * `rpmkeys --import`); an Ed25519 key is refused with one line and no output.
 *
 * What cannot exist here: a real dom0. A stub package provides what the platform provides to the
 * packs (/bin/sh, the kernel release the modules were built for), and this machine's /bin/sh is
 * copied into the root for the scriptlets. The modules are built against the Debian kernel
 * headers installed here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newNxWorkspace, nxEnv } from './testing';
import { run, runAsync } from './testing';
import { addShellToRoot, oldRpmBin, platformStubRpm, privateRpmRoot, rpmInRoot, type OldRpmRelease } from '../testing/old-rpm';
import { generateKey, gpgHome, removeGpgHome } from '../core/formats/openpgp/testing';

const KERNEL = readdirSync('/lib/modules').find((k) => existsSync(join('/lib/modules', k, 'build'))) ?? '';

interface PackCase {
  name: string;
  type: 'driver' | 'userspace' | 'combined';
  format: 'legacy' | 'update';
  productVersion?: string;
  release: OldRpmRelease;
}

const PACKS: PackCase[] = [
  { name: 'xs65-nic', type: 'driver', format: 'legacy', productVersion: '6.5.0', release: '4.4' },
  { name: 'xs65-tools', type: 'userspace', format: 'legacy', productVersion: '6.5.0', release: '4.4' },
  { name: 'xs65-combo', type: 'combined', format: 'legacy', productVersion: '6.5.0', release: '4.4' },
  { name: 'xs70-nic', type: 'driver', format: 'legacy', productVersion: '7.0.0', release: '4.11' },
  { name: 'xs70-tools', type: 'userspace', format: 'legacy', productVersion: '7.0.0', release: '4.11' },
  { name: 'xs70-combo', type: 'combined', format: 'legacy', productVersion: '7.0.0', release: '4.11' },
  { name: 'upd-tools', type: 'userspace', format: 'update', release: '4.11' },
  { name: 'dd-nic', type: 'driver', format: 'update', release: '4.11' },
];
const SIGNED = 'upd-tools';

let root: string;
let ws: string;
let home: string;
const keys: Record<'rsa' | 'ed25519', { pub: string; secret: string }> = {} as never;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return nxEnv(ws, extra);
}

async function nx(args: string[], extra: NodeJS.ProcessEnv = {}) {
  return runAsync(join(ws, 'node_modules/.bin/nx'), args, { cwd: ws, env: env(extra) });
}

async function nxOk(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const r = await nx(args, extra);
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

const projectDir = (name: string) => join(ws, 'packs', name);
const isoDir = (name: string) => join(ws, 'dist/packs', name, 'iso');

/** The ISO's files extracted with xorriso; returns the RPMs it carries. */
function rpmsOfIso(name: string): string[] {
  const iso = join(isoDir(name), readdirSync(isoDir(name)).find((f) => f.endsWith('.iso'))!);
  const out = join(root, 'extracted', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', out], { stdio: 'pipe' });
  const dir = existsSync(join(out, 'Packages')) ? join(out, 'Packages') : out;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rpm'))
    .sort()
    .map((f) => join(dir, f));
}

const q = (rpm: string, ...args: string[]) =>
  execFileSync('rpm', ['-qp', '--nosignature', ...args, rpm], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .filter(Boolean);

/**
 * What the RPMs need from the platform: their requirements that no RPM of the set provides (by
 * provide or by file), rpmlib(...) left out (that is the host rpm's own business), as stub
 * provides ("name = version" for a versioned one).
 */
function platformNeeds(rpms: string[]): string[] {
  const provided = new Set(rpms.flatMap((r) => [...q(r, '--provides').map((p) => p.split(' ')[0]!), ...q(r, '-l')]));
  const needs = new Set<string>(['/bin/sh']);
  for (const r of rpms) {
    for (const line of q(r, '--requires')) {
      const [name, , version] = line.split(' ');
      if (name!.startsWith('rpmlib(') || provided.has(name!)) continue;
      needs.add(version !== undefined ? `${name} = ${version}` : name!);
    }
  }
  return [...needs].sort();
}

beforeAll(async () => {
  expect(KERNEL, 'kernel headers (linux-headers-amd64) must be installed').not.toBe('');
  root = mkdtempSync(join(tmpdir(), 'suppack-host-e2e-'));
  ws = join(root, 'ws');
  mkdirSync(ws);
  home = gpgHome();
  for (const [algo, name] of [['rsa3072', 'rsa'], ['ed25519', 'ed25519']] as const) {
    const gen = generateKey(home, { uid: `ACME ${name} <acme-${name}@example.com>`, algo, passphrase: '' });
    keys[name] = { pub: join(root, `${name}.pub.asc`), secret: join(root, `${name}.secret.asc`) };
    writeFileSync(keys[name].pub, gen.publicArmored);
    writeFileSync(keys[name].secret, gen.secretArmored);
  }
  await newNxWorkspace(root, ws, { name: 'acme-packs' });
  await nxOk(['g', 'suppack:init', '--no-interactive']);
  for (const p of PACKS) {
    await nxOk([
      'g', 'suppack:pack', `--name=${p.name}`, `--type=${p.type}`, `--format=${p.format}`, '--vendorName=ACME Inc.', `--text=ACME ${p.type}`,
      ...(p.format === 'legacy' ? ['--vendorCode=acme', `--productVersion=${p.productVersion}`] : []),
      `--kernel=${KERNEL}`, '--no-interactive',
    ]);
  }
  // The update is signed: its manifest names the public key it publishes.
  const manifestFile = join(projectDir(SIGNED), 'suppack.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.pack.key = 'RPM-GPG-KEY-acme';
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
}, 900_000);

afterAll(() => {
  if (home) removeGpgHome(home);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('an Ed25519 signing key', () => {
  test('is refused for the update hosts with one line naming the key, and the build writes no ISO', async () => {
    writeFileSync(join(projectDir(SIGNED), 'RPM-GPG-KEY-acme'), readFileSync(keys.ed25519.pub));
    const r = await nx(['run', `${SIGNED}:build-iso`, '--outputStyle=static'], { SUPPACK_SIGNING_KEY: keys.ed25519.secret });
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    const line = out.split('\n').find((l) => l.includes('EdDSA (Ed25519), which rpm 4.11.3'));
    expect(line, out).toMatch(
      /RPM-GPG-KEY-acme: the signing key [0-9A-F]{16} is EdDSA \(Ed25519\), which rpm 4\.11\.3 of XenServer 7\.1\+, Citrix Hypervisor 8\.x and XCP-ng 8\.x cannot verify .*sign with an RSA key/,
    );
    expect(out).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m); // no stack trace
    expect(existsSync(isoDir(SIGNED))).toBe(false);
  }, 900_000);
});

describe('every generated pack, built through Nx, installs with its host rpm', () => {
  beforeAll(async () => {
    writeFileSync(join(projectDir(SIGNED), 'RPM-GPG-KEY-acme'), readFileSync(keys.rsa.pub));
    await nxOk(['run-many', '-t', 'build-iso', '--outputStyle=static', '--parallel=1'], { SUPPACK_SIGNING_KEY: keys.rsa.secret });
  }, 1_500_000);

  test.each(PACKS.map((p) => [p.name, p] as const))('%s: one transaction installs every RPM, rpm -V is clean, rpm -e removes them', (name, p) => {
    const rpms = rpmsOfIso(name);
    expect(rpms.length).toBeGreaterThan(p.format === 'update' ? 1 : 0);
    if (p.release === '4.4') {
      // Built for rpm 4.4: md5 file digests, no rpmlib(FileDigests).
      for (const r of rpms) expect(q(r, '--requires').join('\n')).not.toContain('FileDigests');
    }
    const host = privateRpmRoot(p.release, root);
    addShellToRoot(host);
    // /run is a tmpfs on every host: the update RPM's %posttrans stamps the reboot there.
    mkdirSync(join(host, 'run'));
    // The signed update's key is imported first, as the host has it (the test below checks -K).
    if (name === SIGNED) expect(run(oldRpmBin('4.11', 'rpmkeys'), ['--root', host, '--dbpath', '/var/lib/rpm', '--import', keys.rsa.pub]).status).toBe(0);
    const stub = platformStubRpm(root, platformNeeds(rpms), `platform-${name}`);
    const names = rpms.map((r) => q(r, '--qf', '%{NAME}')[0]!);

    const i = rpmInRoot(p.release, host, ['-i', stub, ...rpms]);
    expect(i.status, i.output).toBe(0);
    expect(i.output).not.toMatch(/warning|error|failed/i);
    const installed = rpmInRoot(p.release, host, ['-qa', '--qf', '%{NAME}\n']).stdout.split('\n').filter(Boolean).sort();
    // (rpm 4.11 lists an imported key as the package gpg-pubkey.)
    expect(installed.filter((n) => n !== 'gpg-pubkey')).toEqual([...names, `platform-${name}`].sort());
    if (p.type !== 'userspace') expect(rpmInRoot(p.release, host, ['-ql', ...names]).stdout).toMatch(new RegExp(`^/lib/modules/${KERNEL.replace(/[.+]/g, '\\$&')}/updates/.*\\.ko$`, 'm'));

    for (const n of names) {
      const v = rpmInRoot(p.release, host, ['-V', n]);
      expect(v.status, `${n}: ${v.output}`).toBe(0);
      expect(v.output).toBe('');
    }
    const e = rpmInRoot(p.release, host, ['-e', ...names]);
    expect(e.status, e.output).toBe(0);
    expect(rpmInRoot(p.release, host, ['-qa', '--qf', '%{NAME}\n']).stdout.split('\n').filter((n) => n !== '' && n !== 'gpg-pubkey')).toEqual([`platform-${name}`]);
    rmSync(host, { recursive: true, force: true });
  });

  test('the signed update: rpm 4.11.3 checks every RPM with the RSA key imported by rpmkeys, and installs them with signature checking on', () => {
    const rpms = rpmsOfIso(SIGNED);
    const host = privateRpmRoot('4.11', root);
    addShellToRoot(host);
    mkdirSync(join(host, 'run'));
    // Before the key is imported, the signature is there but its key is not.
    expect(rpmInRoot('4.11', host, ['-Kv', rpms[0]!]).output).toMatch(/V4 RSA\/SHA256 Signature, key ID [0-9a-f]{8}: NOKEY/);
    const imp = run(oldRpmBin('4.11', 'rpmkeys'), ['--root', host, '--dbpath', '/var/lib/rpm', '--import', keys.rsa.pub]);
    expect(imp.status, imp.stdout + imp.stderr).toBe(0);
    for (const r of rpms) {
      const k = rpmInRoot('4.11', host, ['-Kv', r]);
      expect(k.status, k.output).toBe(0);
      expect(k.output).toMatch(/V4 RSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
      expect(k.output).not.toMatch(/NOKEY|BAD|NOT OK/);
    }
    const stub = platformStubRpm(root, platformNeeds(rpms), 'platform-signed');
    const i = rpmInRoot('4.11', host, ['-i', stub, ...rpms]);
    expect(i.status, i.output).toBe(0);
    expect(i.output).not.toMatch(/NOKEY|warning|error/i);
    rmSync(host, { recursive: true, force: true });
  });

  test('suppack inspect shows the oldest host rpm of each package: rpm 4.4.2.3 for the 6.5.0 pack, rpm 4.11.3 for the 7.0.0 one', () => {
    const suppack = join(ws, 'node_modules/.bin/suppack');
    const iso = (name: string) => join(isoDir(name), readdirSync(isoDir(name)).find((f) => f.endsWith('.iso'))!);
    const old = run(suppack, ['inspect', iso('xs65-tools')]);
    expect(old.status, old.stderr).toBe(0);
    expect(old.stdout).toMatch(/^oldest host rpm that installs each package:\n {2}xs65-tools-1\.0-1\.noarch\.rpm {2}rpm 4\.4\.2\.3 \(XenServer 5\.6 and later\)$/m);
    const newer = run(suppack, ['inspect', iso('xs70-tools')]);
    expect(newer.stdout).toMatch(/^ {2}xs70-tools-1\.0-1\.noarch\.rpm {2}rpm 4\.11\.3 \(XenServer 7\.0 and later\)$/m);
  });

  test('suppack build-supplemental-pack refuses the 7.0.0 build of a package for 6.5.0: one line, exit 1, no output', () => {
    const rpmsDir = join(ws, 'dist/packs/xs70-tools/rpms');
    const rpm = join(rpmsDir, readdirSync(rpmsDir)[0]!);
    const out = join(root, 'cli-out');
    mkdirSync(out);
    const r = run(join(ws, 'node_modules/.bin/suppack'), [
      'build-supplemental-pack', `--output=${out}`, '--vendor-code=acme', '--vendor-name=ACME', '--label=acme-tools', '--text=ACME tools',
      '--version=1.0', '--product-version=6.5.0', rpm,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`${rpm}: needs rpmlib(FileDigests), which rpm 4.4.2.3 of XenServer 6.5 lacks (rebuild with md5 file digests`),
    ]);
    expect(readdirSync(out)).toEqual([]);
  });
});

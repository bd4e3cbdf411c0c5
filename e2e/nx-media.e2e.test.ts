/**
 * Issues 4 and 5 through Nx, end to end with the packed plugin: a signed update-format driver
 * disk generated with `--format update --type driver`, two legacy packs, a `bundle` project
 * combining them and an `installer` project rebuilding an installer ISO with the bundle and an
 * answerfile. Every target is inferred and cached; the signing key comes from the environment and
 * is never part of a cache key. No mocks.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { run, runAsync } from './testing';
import { digestTree, newNxWorkspace, nxEnv, taskRuns } from './testing';
import { generateKey, gpgHome, gpgVerify, removeGpgHome } from '../core/formats/openpgp/testing';
import { ANSWERFILE, buildTestInstaller } from '../core/products/installer-iso/testing';

const rpms = inject('fixtureRpms');
const KERNEL = readdirSync('/lib/modules').find((k) => existsSync(join('/lib/modules', k, 'build'))) ?? '';
const UUID = '0f0e0d0c-0b0a-4998-8776-655443322110';

let root: string;
let ws: string;
let home: string;
let secretKey: string;
let otherSecretKey: string;
let otherPublicKey: Buffer;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return nxEnv(ws, { SUPPACK_SIGNING_KEY: secretKey, SUPPACK_SIGNING_PASSPHRASE: '', ...extra });
}

async function nx(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const r = await runAsync(join(ws, 'node_modules/.bin/nx'), args, { cwd: ws, env: env(extra) });
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

const buildAll = async (extra: NodeJS.ProcessEnv = {}) =>
  taskRuns(await nx(['run-many', '-t', 'build-iso,combine-packs,rebuild-iso', '--outputStyle=static', '--parallel=1'], extra));
const ran = (runs: Map<string, string>) => [...runs.entries()].filter(([, h]) => h === 'ran').map(([t]) => t).sort();

function writeJson(path: string, value: unknown) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

beforeAll(async () => {
  expect(KERNEL, 'kernel headers (linux-headers-amd64) must be installed').not.toBe('');
  root = mkdtempSync(join(tmpdir(), 'suppack-nx-media-'));
  ws = join(root, 'ws');
  mkdirSync(ws);
  home = gpgHome();
  const key = generateKey(home, { uid: 'ACME Signing <sign@acme.example>', algo: 'rsa2048', passphrase: '' });
  const other = generateKey(home, { uid: 'Someone Else <x@example>', algo: 'rsa2048', passphrase: '' });
  secretKey = join(root, 'acme-secret.asc');
  otherSecretKey = join(root, 'other-secret.asc');
  writeFileSync(secretKey, key.secretArmored);
  writeFileSync(otherSecretKey, other.secretArmored);
  otherPublicKey = other.publicArmored;

  await newNxWorkspace(root, ws, { name: 'acme-media', gitignore: 'node_modules\ndist\n.nx\n.nx-local-cache\n' });
  await nx(['g', 'suppack:init', '--no-interactive']);

  // An update-format driver disk, generated, then signed with a published public key.
  await nx(['g', 'suppack:pack', '--name=acme-disk', '--type=driver', '--format=update', `--uuid=${UUID}`, '--vendorCode=acme', '--vendorName=ACME Inc.', '--text=ACME NIC driver disk', `--kernel=${KERNEL}`, '--no-interactive']);
  const disk = join(ws, 'packs/acme-disk');
  writeFileSync(join(disk, 'RPM-GPG-KEY-acme'), key.publicArmored);
  const manifest = JSON.parse(readFileSync(join(disk, 'suppack.json'), 'utf8'));
  manifest.pack.key = 'RPM-GPG-KEY-acme';
  writeJson(join(disk, 'suppack.json'), manifest);

  // Two legacy packs of ready-made RPMs.
  for (const [name, rpm] of [['acme-fw', 'acme-firmware'], ['acme-lib', 'hello-lib']] as const) {
    const dir = join(ws, 'packs', name);
    mkdirSync(join(dir, 'rpms'), { recursive: true });
    copyFileSync(rpms[rpm]!, join(dir, 'rpms', `${rpm}.rpm`));
    writeJson(join(dir, 'suppack.json'), {
      pack: { vendorCode: 'acme', vendorName: 'ACME Inc.', label: name, text: `ACME ${name}`, version: '1.0', productVersion: '7.0.0' },
      prebuilt: ['rpms/*.rpm'],
    });
  }
  // A bundle of both, and an installer ISO with the bundle and an answerfile.
  writeJson(join(ws, 'media/all/suppack.json'), { kind: 'bundle', name: 'acme-all', volumeId: 'ACME packs', packs: ['acme-fw', 'acme-lib'] });
  const inst = join(ws, 'media/installer');
  mkdirSync(join(inst, 'base'), { recursive: true });
  copyFileSync(buildTestInstaller(join(root, 'base')), join(inst, 'base/installer.iso'));
  writeFileSync(join(inst, 'answerfile.xml'), ANSWERFILE);
  writeJson(join(inst, 'suppack.json'), { kind: 'installer', baseIso: 'base/installer.iso', packs: ['all'], answerfile: 'answerfile.xml', output: 'acme-install.iso' });
}, 900_000);

afterAll(() => {
  if (home) removeGpgHome(home);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('an Nx workspace with an update driver disk, a bundle and an installer', () => {
  let first: Map<string, string>;
  beforeAll(async () => {
    first = await buildAll();
  }, 900_000);

  test('every project got its targets inferred, and the signing key is no input of any', async () => {
    for (const [project, targets] of [
      ['acme-disk', ['pack-metadata', 'build-iso']],
      ['all', ['combine-packs']],
      ['installer', ['rebuild-iso']],
    ] as const) {
      const p = JSON.parse((await nx(['show', 'project', project, '--json'])).replace(/^[^{]*/, ''));
      for (const t of targets) expect(p.targets[t]?.cache, `${project}:${t}`).toBe(true);
      expect(JSON.stringify(p.targets)).not.toMatch(/SUPPACK_SIGNING|secret/);
      expect(JSON.stringify(p.targets)).not.toContain(ws);
    }
    for (const t of ['acme-disk:build-iso', 'acme-fw:build-iso', 'acme-lib:build-iso', 'all:combine-packs', 'installer:rebuild-iso']) {
      expect(first.get(t), t).toBe('ran');
    }
  });

  test('the driver disk is signed and named <label>-<rpm version>+<release>+<build>.iso', async () => {
    const isoDir = join(ws, 'dist/packs/acme-disk/iso');
    const iso = readdirSync(isoDir).find((f) => f.endsWith('.iso'))!;
    expect(iso).toMatch(/^acme-disk-[\w.]+\+[\w.]+\+1\.iso$/);
    expect(readFileSync(join(isoDir, `${iso}.sha256`), 'utf8')).toMatch(new RegExp(`^[0-9a-f]{64}  ${iso.replace(/[.+]/g, '\\$&')}\n$`));
    const x = join(root, 'disk-tree');
    mkdirSync(x, { recursive: true });
    execFileSync('bsdtar', ['-xf', join(isoDir, iso), '-C', x]);
    const pub = readFileSync(join(ws, 'packs/acme-disk/RPM-GPG-KEY-acme'));
    for (const f of ['update.xml', 'repodata/repomd.xml']) {
      const v = gpgVerify(pub, readFileSync(join(x, `${f}.asc`)), readFileSync(join(x, f)));
      expect(v.status, v.stderr).toBe(0);
    }
    expect(readFileSync(join(x, 'repodata/comps.xml'), 'utf8')).toContain('<id>drivers</id>');
    const verify = run(join(ws, 'node_modules/.bin/suppack'), ['verify', join(isoDir, iso)]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });

  test('the bundle lists both packs; the installer holds the bundle and the answerfile', async () => {
    const bundle = join(ws, 'dist/media/all/bundle-iso/acme-all.iso');
    expect(execFileSync('bsdtar', ['-xOf', bundle, 'XS-REPOSITORY-LIST'], { encoding: 'utf8' })).toBe('packages.acme-fw\npackages.acme-lib\n');
    const installer = join(ws, 'dist/media/installer/installer/acme-install.iso');
    const inspect = JSON.parse(run(join(ws, 'node_modules/.bin/suppack'), ['inspect', '--json', installer]).stdout);
    expect(inspect.format).toBe('installer');
    expect(inspect.repositoryList).toEqual(['packages.acme-fw', 'packages.acme-lib']);
    expect(inspect.answerfile).toBe(ANSWERFILE.replace('>pw</root-password>', '>(hidden)</root-password>'));
    const verify = run(join(ws, 'node_modules/.bin/suppack'), ['verify', installer]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });

  test('after rm -rf dist every target is a cache hit and the bytes come back identical, whatever key is in the environment', async () => {
    const before = digestTree(join(ws, 'dist'));
    rmSync(join(ws, 'dist'), { recursive: true, force: true });
    // Another secret key: not part of any hash, so the signed ISO comes from the cache as it was.
    const runs = await buildAll({ SUPPACK_SIGNING_KEY: otherSecretKey });
    expect(ran(runs)).toEqual([]);
    expect(digestTree(join(ws, 'dist'))).toEqual(before);
  });

  test('an answerfile change re-runs rebuild-iso only; a base ISO change too; a new public key re-signs the disk', async () => {
    appendFileSync(join(ws, 'media/installer/answerfile.xml'), '<!-- site 2 -->\n');
    expect(ran(await buildAll())).toEqual(['installer:rebuild-iso']);
    const base = join(ws, 'media/installer/base/installer.iso');
    copyFileSync(buildTestInstaller(join(root, 'base2'), {}, 'XenServer-8.4 site 2'), base);
    expect(ran(await buildAll())).toEqual(['installer:rebuild-iso']);
    expect(run('isoinfo', ['-d', '-i', join(ws, 'dist/media/installer/installer/acme-install.iso')]).stdout).toContain('Volume id: XenServer-8.4 site 2');
    // The published key changes, the secret in the environment does not match it: a clear error.
    writeFileSync(join(ws, 'packs/acme-disk/RPM-GPG-KEY-acme'), otherPublicKey);
    const r = await runAsync(join(ws, 'node_modules/.bin/nx'), ['run', 'acme-disk:build-iso', '--outputStyle=static'], { cwd: ws, env: env() });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/RPM-GPG-KEY-acme: does not hold the signing key/);
    const ok = taskRuns(await nx(['run', 'acme-disk:build-iso', '--outputStyle=static'], { SUPPACK_SIGNING_KEY: otherSecretKey }));
    expect(ok.get('acme-disk:build-iso')).toBe('ran');
  });
});

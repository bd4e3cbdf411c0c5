/**
 * The packed suppack under the Node.js release users run most (the LTS line pinned in .ci/node-lts,
 * fetched by scripts/node-lts.sh), beside the Node the tests run on (the oldest suppack supports,
 * 20.19+): every command gives the same bytes under both (a legacy pack with its tarball, a signed
 * update, a driver disk, a combined pack), `verify` accepts them under the LTS, and the Nx plugin
 * infers the same targets. Output made on one developer's Node is what CI's Node makes.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKey, gpgHome, removeGpgHome } from '../core/formats/openpgp/testing';
import { digestTree, EXAMPLE_FLAGS, installPackedSuppack, REPO, run, type Installed } from './testing';

const VERSION = readFileSync(join(REPO, '.ci/node-lts'), 'utf8').trim();
const NODE_LTS = join(process.env.SUPPACK_NODE_LTS_BASE ?? join(homedir(), '.cache/suppack-node-lts'), VERSION, 'bin/node');
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };

const examples = (dir: string) =>
  readdirSync(join(REPO, 'examples', dir, 'rpms'))
    .filter((f) => f.endsWith('.rpm'))
    .sort()
    .map((f) => join(REPO, 'examples', dir, 'rpms', f));

let suppack: Installed;
let cli: string;
let work: string;
let home: string;
let keys: { pub: string; secret: string };

beforeAll(() => {
  // scripts/setup.sh fetches it (scripts/node-lts.sh); without it this file tests nothing
  expect(existsSync(NODE_LTS), `${NODE_LTS}: run scripts/node-lts.sh`).toBe(true);
  suppack = installPackedSuppack();
  cli = realpathSync(suppack.bin);
  work = mkdtempSync(join(tmpdir(), 'suppack-node-lts-'));
  home = gpgHome();
  const gen = generateKey(home, { uid: 'ACME <acme@example.com>', algo: 'rsa3072', passphrase: '' });
  keys = { pub: join(work, 'RPM-GPG-KEY-acme'), secret: join(work, 'acme.secret.asc') };
  writeFileSync(keys.pub, gen.publicArmored);
  writeFileSync(keys.secret, gen.secretArmored);
}, 300_000);

afterAll(() => {
  if (suppack) rmSync(suppack.root, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
  if (home) removeGpgHome(home);
});

/** Every build, run into `out` with `node`. */
function buildAll(node: string, out: string): void {
  mkdirSync(out, { recursive: true });
  const commands: string[][] = [
    ['build-supplemental-pack', `--output=${out}`, '--tarball', ...EXAMPLE_FLAGS, ...examples('legacy-pack')],
    ['build-supplemental-pack', `--output=${out}`, ...EXAMPLE_FLAGS.map((f) => (f.startsWith('--label=') ? '--label=example-other' : f)), ...examples('legacy-pack')],
    ['combine-packs', `--output=${join(out, 'combined.iso')}`, '--volume-id=EXAMPLE ALL', join(out, 'example-hello.iso'), join(out, 'example-other.iso')],
    [
      'build-update', `--output=${join(out, 'update.iso')}`, '--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', '--label=example-update', '--version=1.0.0',
      '--description=Example update', `--keyfile=${keys.pub}`, `--key=${keys.secret}`, ...examples('update-pack'),
    ],
    ['build-update', `--output=${out}`, '--driver-disk', '--uuid=1b2c3d4e-5f60-4718-89ab-cdef01234567', '--label=example-drv', '--version=1.0.0', '--build=1', '--description=Example driver', ...examples('update-pack')],
  ];
  for (const args of commands) {
    const r = run(node, [cli, ...args], { env: EPOCH });
    expect(r.status, `${node} ${args[0]}: ${r.stderr}`).toBe(0);
  }
}

describe(`suppack under Node ${VERSION} and under this Node (${process.version})`, () => {
  let lts: string;
  let here: string;
  beforeAll(() => {
    lts = join(work, 'lts');
    here = join(work, 'here');
    buildAll(NODE_LTS, lts);
    buildAll(process.execPath, here);
  }, 600_000);

  test('they are two releases, the LTS a newer one', () => {
    expect(run(NODE_LTS, ['--version']).stdout.trim()).toBe(`v${VERSION}`);
    expect(Number(VERSION.split('.')[0])).toBeGreaterThan(Number(process.versions.node.split('.')[0]));
  });

  test('every output has the same bytes', () => {
    const a = digestTree(lts);
    expect(Object.keys(a).sort()).toEqual(Object.keys(digestTree(here)).sort());
    expect(Object.keys(a).length).toBeGreaterThanOrEqual(10);
    expect(a).toEqual(digestTree(here));
  });

  test('verify accepts each ISO under the LTS', () => {
    for (const iso of readdirSync(lts).filter((f) => f.endsWith('.iso'))) {
      const r = run(NODE_LTS, [cli, 'verify', join(lts, iso)]);
      expect(r.status, `${iso}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  test('the Nx plugin infers the same targets', () => {
    const ws = join(work, 'ws');
    for (const example of ['legacy-pack', 'update-pack', 'userspace', 'bundle']) {
      cpSync(join(REPO, 'examples', example, 'suppack.json'), join(ws, 'packs', example, 'suppack.json'));
    }
    const script = `
      const { createNodesV2 } = require(require.resolve('suppack/plugin', { paths: [${JSON.stringify(suppack.dir)}] }));
      const files = ['legacy-pack', 'update-pack', 'userspace', 'bundle'].map((p) => 'packs/' + p + '/suppack.json');
      Promise.resolve(createNodesV2[1](files, {}, { workspaceRoot: ${JSON.stringify(ws)}, nxJsonConfiguration: {} }))
        .then((r) => process.stdout.write(JSON.stringify(r)));`;
    // @nx/devkit is the workspace's (a peer dependency): the repository's, as in an Nx workspace
    const env = { NODE_PATH: join(REPO, 'node_modules') };
    const a = run(NODE_LTS, ['-e', script], { cwd: ws, env });
    const b = run(process.execPath, ['-e', script], { cwd: ws, env });
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(a.stdout).toContain('"build-iso"');
    expect(a.stdout).toBe(b.stdout);
  });
});

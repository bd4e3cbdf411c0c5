/**
 * Issue 3 acceptance, end to end: the packed plugin in a hand-written Nx 24 workspace.
 * Generators make a driver, a userspace and a combined pack; `nx run-many -t build-iso` builds
 * them with real rpmbuild (the driver's module compiled against the Debian kernel headers);
 * every target is cached locally and remotely (a loopback self-hosted cache), and a change
 * re-runs exactly the stages that read it. No mocks.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordOutputHashes, run, runAsync } from './testing';
import { buildFixtureRpmFiles } from '../testing/rpms';
import { buildTestInstaller } from '../core/products/installer-iso/testing';
import { digestTree, newNxWorkspace, nxEnv, taskRuns } from './testing';
import { startRemoteCache, type RemoteCache } from './testing';

const KERNEL = readdirSync('/lib/modules').find((k) => existsSync(join('/lib/modules', k, 'build'))) ?? '';
const PACKS = {
  driver: 'acme-nic',
  userspace: 'acme-tools',
  combined: 'acme-combo',
} as const;
const TARGETS = ['render-spec', 'build-srctarballs', 'build-rpms', 'collect-rpms', 'lint', 'pack-metadata', 'build-iso', 'bundle'];

let root: string;
let ws: string;
let cache: RemoteCache;

function env(workspace: string): NodeJS.ProcessEnv {
  return nxEnv(workspace, { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: cache.token });
}

async function nx(args: string[], workspace = ws) {
  const r = await runAsync(join(workspace, 'node_modules/.bin/nx'), args, { cwd: workspace, env: env(workspace) });
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

async function buildIsoAll(workspace = ws) {
  return taskRuns(await nx(['run-many', '-t', 'build-iso', '--outputStyle=static', '--parallel=1'], workspace));
}

beforeAll(async () => {
  expect(KERNEL, 'kernel headers (linux-headers-amd64) must be installed').not.toBe('');
  cache = await startRemoteCache();
  root = mkdtempSync(join(tmpdir(), 'suppack-nx-e2e-'));
  ws = join(root, 'ws');
  await newNxWorkspace(root, ws, { name: 'acme-packs' });
  await nx(['g', 'suppack:init', '--no-interactive']);
  for (const [type, name] of Object.entries(PACKS)) {
    await nx([
      'g', 'suppack:pack', `--name=${name}`, `--type=${type}`, '--vendorCode=acme', '--vendorName=ACME Inc.',
      `--text=ACME ${type} pack`, '--productVersion=7.0.0', `--kernel=${KERNEL}`, '--no-interactive',
    ]);
  }
}, 600_000);

afterAll(async () => {
  await cache?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a workspace with the three generated packs', () => {
  let firstRun: Map<string, string>;
  beforeAll(async () => {
    firstRun = await buildIsoAll();
    recordOutputHashes('nx-e2e', join(ws, 'dist'));
  }, 900_000);

  test('init registered the plugin in nx.json, once', async () => {
    await nx(['g', 'suppack:init', '--no-interactive']);
    const plugins = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8')).plugins as unknown[];
    expect(plugins.filter((p) => ['suppack', 'suppack/plugin'].includes(typeof p === 'string' ? p : (p as { plugin: string }).plugin))).toHaveLength(1);
  });

  test('run-many built every stage of every pack', async () => {
    for (const name of Object.values(PACKS)) {
      for (const t of ['render-spec', 'build-rpms', 'collect-rpms', 'lint', 'pack-metadata', 'build-iso']) {
        expect(firstRun.get(`${name}:${t}`), `${name}:${t}`).toBe('ran');
      }
    }
  });

  test('the three generated packs pass lint with no finding (DDK guide rules, docs/lint.md)', () => {
    for (const name of Object.values(PACKS)) {
      const report = JSON.parse(readFileSync(join(ws, 'dist/packs', name, 'lint/lint.json'), 'utf8'));
      expect(report.findings, name).toEqual([]);
      const sarif = JSON.parse(readFileSync(join(ws, 'dist/packs', name, 'lint/lint.sarif'), 'utf8'));
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs[0].results).toEqual([]);
    }
  });

  test('nx show project lists every target with its description, none hand-written', async () => {
    for (const name of Object.values(PACKS)) {
      const project = JSON.parse((await nx(['show', 'project', name, '--json'])).replace(/^[^{]*/, ''));
      for (const t of TARGETS) {
        expect(project.targets[t], `${name}:${t}`).toBeDefined();
        expect(project.targets[t].metadata.description).toMatch(/\w/);
        expect(project.targets[t].cache).toBe(true);
      }
      expect(JSON.stringify(project.targets)).not.toContain(ws);
    }
    expect(readdirSync(join(ws, 'packs', PACKS.driver))).not.toContain('project.json');
  });

  test('each ISO passes suppack verify and isoinfo, and holds the RPMs rpm can read', async () => {
    for (const name of Object.values(PACKS)) {
      const isoDir = join(ws, 'dist/packs', name, 'iso');
      const iso = join(isoDir, readdirSync(isoDir).find((f) => f.endsWith('.iso'))!);
      const verify = run(join(ws, 'node_modules/.bin/suppack'), ['verify', iso]);
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      const listing = run('isoinfo', ['-R', '-l', '-i', iso]).stdout;
      const rpms = readdirSync(join(ws, 'dist/packs', name, 'rpms'));
      expect(rpms.length).toBeGreaterThan(0);
      for (const rpm of rpms) {
        expect(listing).toContain(` ${rpm}`);
        const q = run('rpm', ['-qp', '--nosignature', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm', join(ws, 'dist/packs', name, 'rpms', rpm)]);
        expect(q.stdout).toBe(rpm);
      }
    }
  });

  test('the driver RPM carries a kernel module built for the installed kernel', async () => {
    const rpmsDir = join(ws, 'dist/packs', PACKS.driver, 'rpms');
    const rpm = readdirSync(rpmsDir).find((f) => f.includes('-modules'))!;
    expect(rpm).toContain(KERNEL);
    const x = join(root, 'ko');
    mkdirSync(x, { recursive: true });
    execFileSync('sh', ['-c', `rpm2cpio "${join(rpmsDir, rpm)}" | cpio -idm --quiet`], { cwd: x });
    const ko = execFileSync('find', [x, '-name', '*.ko'], { encoding: 'utf8' }).trim().split('\n')[0];
    expect(ko).toContain(`/lib/modules/${KERNEL}/updates/`);
    const info = run('/sbin/modinfo', [ko]).stdout;
    expect(info).toMatch(new RegExp(`^vermagic:\\s+${KERNEL.replace(/[.+]/g, '\\$&')} `, 'm'));
  });

  test('after rm -rf dist every target is a cache hit and the files come back byte-identical', async () => {
    const before = digestTree(join(ws, 'dist'));
    rmSync(join(ws, 'dist'), { recursive: true, force: true });
    const runs = await buildIsoAll();
    expect([...runs.values()].filter((h) => h === 'ran')).toEqual([]);
    expect(runs.size).toBeGreaterThanOrEqual(Object.keys(PACKS).length * 5);
    expect(digestTree(join(ws, 'dist'))).toEqual(before);
  });

  // A path with a space and a quote: rpm's build scripts take their paths unquoted (core/products/rpms/work-dir.ts).
  const copyDir = () => join(root, "else where's", 'copy');

  test('a copy at another path with its own local cache gets remote hits for every target', async () => {
    const other = copyDir();
    const skip = new Set(['dist', '.nx-local-cache', '.nx'].map((d) => join(ws, d)));
    cpSync(ws, other, { recursive: true, verbatimSymlinks: true, filter: (src) => !skip.has(src) });
    const hits = async () => (await cache.requests()).filter((l) => l.endsWith('HIT')).length;
    const hitsBefore = await hits();
    const runs = await buildIsoAll(other);
    expect([...runs.entries()].filter(([, h]) => h !== 'remote')).toEqual([]);
    expect((await hits()) - hitsBefore).toBe(runs.size);
    expect(digestTree(join(other, 'dist'))).toEqual(digestTree(join(ws, 'dist')));
  });

  test('the copy, under a path with a space and a quote, builds its own RPMs: the same bytes', async () => {
    const built = (w: string) => Object.fromEntries(Object.values(PACKS).map((p) => [p, digestTree(join(w, 'dist/packs', p, 'RPMS'))]));
    const runs = taskRuns(await nx(['run-many', '-t', 'build-rpms', '--skip-nx-cache', '--outputStyle=static', '--parallel=1'], copyDir()));
    expect([...runs.entries()].filter(([t, h]) => t.endsWith(':build-rpms') && h !== 'ran')).toEqual([]);
    const rebuilt = built(copyDir());
    // the driver pack's module was compiled by kbuild there, which refuses a space in a directory
    expect(Object.keys(rebuilt[PACKS.driver]!).some((f) => f.includes('-modules-'))).toBe(true);
    expect(rebuilt).toEqual(built(ws));
    // rpmbuild worked in a scratch directory (gone now), not in dist/<project>/.rpmbuild
    for (const p of Object.values(PACKS)) expect(existsSync(join(copyDir(), 'dist/packs', p, '.rpmbuild'))).toBe(false);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('.suppack-rpmbuild.'))).toEqual([]);
  });

  /**
   * Issue 14 item 4: each target hashes what its stage reads, nothing more. Each row edits one
   * thing and lists the targets that must run again and those that must come from the cache
   * (a target in neither list may go either way: e.g. collect-rpms re-runs only when rpmbuild's
   * output bytes changed).
   */
  const manifestOf = (pack: string) => join(ws, 'packs', pack, 'suppack.json');
  const editManifest = (pack: string, edit: (m: Record<string, any>) => void) => {
    const m = JSON.parse(readFileSync(manifestOf(pack), 'utf8')) as Record<string, any>;
    edit(m);
    writeFileSync(manifestOf(pack), `${JSON.stringify(m, null, 2)}\n`);
  };
  const EDITS: Array<{ edit: string; pack: string; apply: () => void; ran: string[]; cached: string[] }> = [
    {
      edit: 'pack.text',
      pack: PACKS.userspace,
      apply: () => editManifest(PACKS.userspace, (m) => (m.pack.text = 'ACME tools, new text')),
      ran: ['pack-metadata', 'build-iso'],
      cached: ['render-spec', 'build-srctarballs', 'build-rpms', 'collect-rpms', 'lint'],
    },
    {
      edit: 'pack.version',
      pack: PACKS.userspace,
      apply: () => editManifest(PACKS.userspace, (m) => (m.pack.version = '1.1')),
      ran: ['render-spec', 'build-rpms', 'lint', 'pack-metadata', 'build-iso'],
      cached: ['build-srctarballs'],
    },
    {
      edit: 'a kernel (its build tree spelt out)',
      pack: PACKS.driver,
      apply: () => editManifest(PACKS.driver, (m) => (m.kernels[0].buildDir = `/lib/modules/${KERNEL}/build/`)),
      ran: ['render-spec', 'build-rpms'],
      cached: ['build-srctarballs'],
    },
    {
      edit: 'a spec template',
      pack: PACKS.userspace,
      apply: () => appendFileSync(join(ws, 'packs', PACKS.userspace, 'specs', `${PACKS.userspace}.spec`), '\n# e2e: touched\n'),
      ran: ['render-spec', 'build-rpms'],
      cached: ['build-srctarballs'],
    },
    {
      edit: 'a source file',
      pack: PACKS.driver,
      apply: () => {
        const src = join(ws, 'packs', PACKS.driver, 'src');
        // A change that reaches the module binary (a comment alone compiles to the same .ko).
        appendFileSync(join(src, readdirSync(src).find((f) => f.endsWith('.c'))!), '\nMODULE_INFO(e2e, "touched");\n');
      },
      ran: ['build-srctarballs', 'build-rpms', 'collect-rpms', 'lint', 'pack-metadata', 'build-iso'],
      cached: ['render-spec'],
    },
    {
      edit: 'an EULA',
      pack: PACKS.userspace,
      apply: () => appendFileSync(join(ws, 'packs', PACKS.userspace, `${PACKS.userspace}-EULA`), '\nOne more clause.\n'),
      ran: ['render-spec', 'build-rpms', 'collect-rpms', 'lint', 'pack-metadata', 'build-iso'],
      cached: ['build-srctarballs'],
    },
    {
      edit: 'a README',
      pack: PACKS.driver,
      apply: () => appendFileSync(join(ws, 'packs', PACKS.driver, 'README.md'), '\nMore words.\n'),
      ran: [],
      cached: TARGETS.filter((t) => t !== 'bundle'),
    },
  ];

  test.each(EDITS)('editing $edit re-runs exactly the stages that read it', async ({ pack, apply, ran, cached }) => {
    apply();
    const runs = await buildIsoAll();
    const ranNow = [...runs.entries()].filter(([, h]) => h === 'ran').map(([t]) => t);
    // no other pack's target runs
    expect(ranNow.filter((t) => !t.startsWith(`${pack}:`))).toEqual([]);
    for (const t of ran) expect(runs.get(`${pack}:${t}`), `${pack}:${t} must run`).toBe('ran');
    for (const t of cached) {
      if (runs.has(`${pack}:${t}`)) expect(runs.get(`${pack}:${t}`), `${pack}:${t} must come from the cache`).not.toBe('ran');
    }
  });

  test("the plugin's own version re-runs every target", async () => {
    const lockPath = join(ws, 'package-lock.json');
    const lock = readFileSync(lockPath, 'utf8');
    try {
      const edited = JSON.parse(lock) as { packages: Record<string, { version?: string; integrity?: string }> };
      const entry = edited.packages['node_modules/suppack']!;
      entry.version = '0.1.1';
      if (entry.integrity) entry.integrity = `${entry.integrity.slice(0, -4)}AAA=`;
      writeFileSync(lockPath, JSON.stringify(edited, null, 2));
      const runs = await buildIsoAll();
      const notRan = [...runs.entries()].filter(([, h]) => h !== 'ran').map(([t]) => t);
      expect(notRan).toEqual([]);
      expect(runs.size).toBeGreaterThanOrEqual(Object.keys(PACKS).length * 6);
    } finally {
      writeFileSync(lockPath, lock);
    }
  });

  test('nx g suppack:bundle and suppack:installer make projects of the packs that build and verify', async () => {
    await nx(['g', 'suppack:bundle', '--name=acme-all', '--no-interactive']);
    expect(JSON.parse(readFileSync(join(ws, 'bundles/acme-all/suppack.json'), 'utf8')).packs).toEqual(Object.values(PACKS).sort());
    await nx(['g', 'suppack:installer', '--name=acme-installer', '--baseIso=iso/installer.iso', '--answerfile=answerfile.xml', '--packs=acme-all', '--no-interactive']);
    const installerDir = join(ws, 'installers/acme-installer');
    mkdirSync(join(installerDir, 'iso'), { recursive: true });
    const scratch = mkdtempSync(join(root, 'installer-'));
    cpSync(buildTestInstaller(scratch), join(installerDir, 'iso/installer.iso'));
    const out = await nx(['run', 'acme-installer:rebuild-iso', '--outputStyle=static']);
    // the installer's member bundle was combined first
    expect(taskRuns(out).get('acme-all:combine-packs')).toBeDefined();
    const bundleIso = join(ws, 'dist/bundles/acme-all/bundle-iso/acme-all.iso');
    const installerIso = join(ws, 'dist/installers/acme-installer/installer/acme-installer.iso');
    for (const iso of [bundleIso, installerIso]) {
      const v = run(join(ws, 'node_modules/.bin/suppack'), ['verify', iso]);
      expect(v.status, v.stdout + v.stderr).toBe(0);
    }
    const inspect = run(join(ws, 'node_modules/.bin/suppack'), ['inspect', '--json', installerIso]);
    expect(inspect.status, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain('answerfile');
  });

  test('build-iso fails on a lint error, naming it; an ignored rule with a reason does not fail', async () => {
    // Runs last: it changes the userspace pack's manifest.
    const dir = join(ws, 'packs', PACKS.userspace);
    const manifestPath = join(dir, 'suppack.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    mkdirSync(join(dir, 'vendor'), { recursive: true });
    const bad = Object.entries(buildFixtureRpmFiles(join(__dirname, '../testing/fixtures/lint-specs'))).find(([f]) => f.startsWith('lint-bad-udev-'))!;
    cpSync(bad[1], join(dir, 'vendor', bad[0]));
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, prebuilt: ['vendor/*.rpm'] }, null, 2));
    const failed = await runAsync(join(ws, 'node_modules/.bin/nx'), ['run', `${PACKS.userspace}:build-iso`, '--outputStyle=static'], { cwd: ws, env: env(ws) });
    expect(failed.status).not.toBe(0);
    expect(failed.stdout + failed.stderr).toContain(
      `error: ${bad[0]}: /lib/udev/rules.d/90-acme.rules: udev rules outside /etc/udev/rules.d/ [PLACE-UDEV, DDK guide 7.2]`,
    );
    expect(taskRuns(failed.stdout + failed.stderr).get(`${PACKS.userspace}:build-iso`)).toBeUndefined();

    writeFileSync(manifestPath, JSON.stringify({ ...manifest, prebuilt: ['vendor/*.rpm'], lint: { ignore: { 'PLACE-UDEV': 'the vendor ships its rules where its udev reads them' } } }, null, 2));
    const runs = taskRuns(await nx(['run', `${PACKS.userspace}:build-iso`, '--outputStyle=static']));
    expect(runs.get(`${PACKS.userspace}:build-iso`)).toBe('ran');
    const report = JSON.parse(readFileSync(join(ws, 'dist/packs', PACKS.userspace, 'lint/lint.json'), 'utf8'));
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'PLACE-UDEV', ignored: 'the vendor ships its rules where its udev reads them' })]);
  });
});

/**
 * One package, three kinds of user (issue 14): the packed tarball installed as each installs it.
 * - CLI and library users (`npm i suppack`) get no Nx: @nx/devkit and nx are optional peers, and
 *   the bin, the package root and `suppack/gulp` load without them.
 * - gulp users add gulp.
 * - Nx users (Nx 23 and Nx 24 workspaces) get exactly one @nx/devkit, the workspace's own, and
 *   `nx add`-style init registers `suppack/plugin`, whose inferred targets Nx shows.
 * Each install's package count and size are printed (the README's table comes from them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nxEnv } from './testing';
import { REPO, runAsync } from './testing';

const root = mkdtempSync(join(tmpdir(), 'suppack-install-e2e-'));
let tgz: string;
beforeAll(() => {
  tgz = join(root, execFileSync('npm', ['pack', '--silent', '--pack-destination', root], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').at(-1)!);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A new project `name` with `deps` installed; returns its directory. */
async function install(name: string, deps: string[]): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true }, null, 2));
  const r = await runAsync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...deps], { cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  return dir;
}

/** Installed packages (every package.json below node_modules that names a package) and size in MB. */
function measure(dir: string): { packages: number; mb: number } {
  const list = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
  const kb = Number(execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { packages: new Set(list.slice(1)).size, mb: Math.round(kb / 1024) };
}

/** Every copy of `pkg` under node_modules. */
function copiesOf(dir: string, pkg: string): string[] {
  const found: string[] = [];
  const walk = (nm: string) => {
    if (!existsSync(nm)) return;
    if (existsSync(join(nm, pkg, 'package.json'))) found.push(join(nm, pkg));
    for (const e of readdirSync(nm)) {
      const scoped = e.startsWith('@') ? readdirSync(join(nm, e)).map((s) => join(e, s)) : [e];
      for (const p of scoped) walk(join(nm, p, 'node_modules'));
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

describe('npm i suppack: the CLI and the library, no Nx', () => {
  it('installs neither nx nor @nx/devkit; the bin, the package root and suppack/gulp work', async () => {
    const dir = await install('cli-user', [tgz]);
    expect(copiesOf(dir, 'nx')).toEqual([]);
    expect(copiesOf(dir, '@nx/devkit')).toEqual([]);
    const help = await runAsync(join(dir, 'node_modules/.bin/suppack'), ['--help'], { cwd: dir });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: suppack <command>/);
    const lib = await runAsync(process.execPath, ['-e', "const s=require('suppack'); const g=require('suppack/gulp'); console.log(typeof s.buildLegacyPack, typeof g.supplementalPack, typeof s.createNodes[1])"], { cwd: dir });
    expect(lib.stderr).toBe('');
    expect(lib.stdout.trim()).toBe('function function function');
    const m = measure(dir);
    console.log(`npm i suppack: ${m.packages} packages, ${m.mb} MB`);
  }, 300_000);

  it('with gulp: no Nx either', async () => {
    const dir = await install('gulp-user', [tgz, 'gulp@5']);
    expect(copiesOf(dir, 'nx')).toEqual([]);
    const m = measure(dir);
    console.log(`npm i suppack gulp: ${m.packages} packages, ${m.mb} MB`);
  }, 300_000);
});

describe.each(['23', '24'])('an Nx %s workspace', (version) => {
  it('has one @nx/devkit (its own); init registers suppack/plugin; targets are inferred, renamed by option; --packVersion=1.0 stays "1.0"; a broken manifest fails its targets', async () => {
    const dir = await install(`nx-${version}`, ['-D', tgz, `nx@${version}`, `@nx/devkit@${version}`]);
    expect(copiesOf(dir, '@nx/devkit')).toEqual([join(dir, 'node_modules/@nx/devkit')]);
    writeFileSync(join(dir, 'nx.json'), '{}\n');
    const env = nxEnv(dir);
    const init = await runAsync(join(dir, 'node_modules/.bin/nx'), ['g', 'suppack:init'], { cwd: dir, env });
    expect(init.status, init.stdout + init.stderr).toBe(0);
    const pack = await runAsync(
      join(dir, 'node_modules/.bin/nx'),
      ['g', 'suppack:pack', '--name=acme-tool', '--type=userspace', '--vendorCode=acme', '--vendorName=Acme', '--packVersion=1.0', '--no-interactive'],
      { cwd: dir, env },
    );
    expect(pack.status, pack.stdout + pack.stderr).toBe(0);
    // Nx parses --packVersion=1.0 as the number 1; the manifest gets the version as typed
    expect(JSON.parse(readFileSync(join(dir, 'packs/acme-tool/suppack.json'), 'utf8')).pack.version).toBe('1.0');

    // a broken manifest keeps its project in the graph, and its targets fail naming the problem
    mkdirSync(join(dir, 'packs/broken'));
    writeFileSync(join(dir, 'packs/broken/suppack.json'), '{\n  "pack": { "label": 5 }\n}\n');
    const broken = await runAsync(join(dir, 'node_modules/.bin/nx'), ['run-many', '-t', 'build-iso', '--projects=broken', '--outputStyle=static'], {
      cwd: dir,
      env: { ...env, NX_CACHE_PROJECT_GRAPH: 'false' },
    });
    expect(broken.status).not.toBe(0);
    expect(broken.stdout + broken.stderr).toContain('packs/broken/suppack.json: line 2, column 22: pack.label: expected the pack label (e.g. acme-nic), got the number 5');
    rmSync(join(dir, 'packs/broken'), { recursive: true });
    const show = await runAsync(join(dir, 'node_modules/.bin/nx'), ['show', 'project', 'acme-tool', '--json'], { cwd: dir, env });
    expect(show.status, show.stdout + show.stderr).toBe(0);
    const project = JSON.parse(show.stdout) as { targets: Record<string, { executor: string }> };
    expect(project.targets['build-iso']?.executor).toBe('suppack:build-iso');

    // renamed targets through the options init wrote; dependsOn follows the new names
    const nxJsonPath = join(dir, 'nx.json');
    const nxJson = JSON.parse(readFileSync(nxJsonPath, 'utf8')) as { plugins: Array<{ plugin: string; options: Record<string, string> }> };
    expect(nxJson.plugins.map((p) => p.plugin)).toEqual(['suppack/plugin']);
    nxJson.plugins[0]!.options.buildIsoTargetName = 'iso';
    nxJson.plugins[0]!.options.lintTargetName = 'rpmlint';
    writeFileSync(nxJsonPath, JSON.stringify(nxJson, null, 2));
    const renamed = await runAsync(join(dir, 'node_modules/.bin/nx'), ['show', 'project', 'acme-tool', '--json'], { cwd: dir, env: { ...env, NX_CACHE_PROJECT_GRAPH: 'false' } });
    expect(renamed.status, renamed.stderr).toBe(0);
    const targets = (JSON.parse(renamed.stdout) as { targets: Record<string, { executor: string; dependsOn?: unknown[] }> }).targets;
    expect(targets.iso?.executor).toBe('suppack:build-iso');
    expect(targets['build-iso']).toBeUndefined();
    expect(JSON.stringify(targets.iso?.dependsOn)).toContain('rpmlint');

    // a wrong option fails the graph, naming it and the closest known one
    nxJson.plugins[0]!.options.bundleTargetNam = 'zip';
    writeFileSync(nxJsonPath, JSON.stringify(nxJson, null, 2));
    const wrong = await runAsync(join(dir, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: dir, env: { ...env, NX_CACHE_PROJECT_GRAPH: 'false' } });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toContain('nx.json: plugins[suppack].options.bundleTargetNam: unknown option; did you mean bundleTargetName?');
    expect(wrong.stdout + wrong.stderr).not.toMatch(/^\s+at /m);
    const m = measure(dir);
    console.log(`npm i -D suppack nx@${version} @nx/devkit@${version}: ${m.packages} packages, ${m.mb} MB`);
  }, 600_000);
});

/**
 * Issue 12 items 4 and 5, end to end with the packed plugin in an Nx workspace:
 * - the README's Nx quick start, as written (no --kernel), builds on this Debian machine: the
 *   generator picks the kernel whose headers are installed;
 * - a build tree on the machine (buildDir) is hashed by its identity files (item 5): a new
 *   .config re-runs build-rpms, a new mtime nothing;
 * - a driver pack whose kernel names a kernel-devel RPM (laid out as XCP-ng's, made here from the
 *   Debian headers under another release) builds against it, and the RPM's bytes are what
 *   build-rpms hashes: new bytes re-run build-rpms only (the same module comes out, so every later
 *   stage is a cache hit), a README edit or a new mtime re-run nothing.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run, runAsync } from './testing';
import { newNxWorkspace, nxEnv, taskRuns } from './testing';
import { debianHeadersTree, installedHeaders, kernelDevelRpm } from '../testing/kernel-devel';

const RELEASE = '6.1.0+1';
const QUICK = 'acme-nic';
const XCPNG = 'acme-xcpng';
const TREE = 'acme-tree';

let root: string;
let ws: string;
const rpms: string[] = [];

function env(): NodeJS.ProcessEnv {
  return nxEnv(ws);
}

async function nx(args: string[]) {
  const r = await runAsync(join(ws, 'node_modules/.bin/nx'), args, { cwd: ws, env: env() });
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

const buildIso = async (project: string) => taskRuns(await nx(['run', `${project}:build-iso`, '--outputStyle=static']));
const ran = (runs: Map<string, string>) => [...runs.entries()].filter(([, h]) => h === 'ran').map(([t]) => t).sort();

/** The vermagic of the module in the project's collected driver RPM. */
function vermagic(project: string): string {
  const dir = join(ws, 'dist/packs', project, 'rpms');
  const rpm = readdirSync(dir).find((f) => f.includes('-modules'))!;
  const x = mkdtempSync(join(root, 'ko-'));
  execFileSync('sh', ['-c', 'rpm2cpio "$1" | cpio -idm --quiet', 'sh', join(dir, rpm)], { cwd: x });
  const ko = execFileSync('find', [x, '-name', '*.ko'], { encoding: 'utf8' }).trim();
  return /^vermagic:\s+(\S+)/m.exec(run('/sbin/modinfo', [ko]).stdout)?.[1] ?? '';
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'suppack-nx-kdevel-'));
  ws = join(root, 'ws');
  mkdirSync(join(ws, 'kernels'), { recursive: true });
  // Two kernel-devel RPMs of the same tree (Release 1 and 2): the same headers, other bytes.
  const tree = join(root, 'tree');
  await debianHeadersTree(tree, RELEASE);
  for (const r of ['1', '2']) rpms.push(await kernelDevelRpm({ release: RELEASE, tree, outDir: join(root, `rpm-${r}`), rpmRelease: r }));
  copyFileSync(rpms[0]!, join(ws, 'kernels/kernel-devel.rpm'));

  // Downloaded kernel-devel RPMs are usually kept out of git: build-rpms hashes them all the same.
  await newNxWorkspace(root, ws, { name: 'acme-packs', gitignore: 'node_modules\ndist\nkernels/\n' });
  // The README's quick start, word for word.
  await nx(['g', 'suppack:init', '--no-interactive']);
  await nx(['g', 'suppack:pack', `--name=${QUICK}`, '--type=driver', '--vendorCode=acme', '--vendorName=ACME Inc.', '--no-interactive']);
  // The README's way to build for a XenServer / XCP-ng kernel.
  await nx(['g', 'suppack:pack', `--name=${XCPNG}`, '--type=driver', '--vendorCode=acme', '--vendorName=ACME Inc.', '--kernelDevelRpm=kernels/kernel-devel.rpm', '--no-interactive']);
  // The same tree installed on the machine, outside the workspace: buildDir.
  await nx(['g', 'suppack:pack', `--name=${TREE}`, '--type=driver', '--vendorCode=acme', '--vendorName=ACME Inc.', `--kernel=${RELEASE}`, `--kernelBuildDir=${tree}`, '--no-interactive']);
}, 900_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('drivers against installed headers and against a kernel-devel RPM', () => {
  test('the quick start as written builds, for the kernel whose headers are installed', async () => {
    const runs = await buildIso(QUICK);
    expect(runs.get(`${QUICK}:build-rpms`)).toBe('ran');
    expect(runs.get(`${QUICK}:build-iso`)).toBe('ran');
    expect(vermagic(QUICK)).toBe(installedHeaders().kernel);
  }, 900_000);

  test('the kernel-devel pack builds against the RPM: the module has its release', async () => {
    const runs = await buildIso(XCPNG);
    expect(runs.get(`${XCPNG}:build-rpms`)).toBe('ran');
    expect(vermagic(XCPNG)).toBe(RELEASE);
    const project = JSON.parse((await nx(['show', 'project', XCPNG, '--json'])).replace(/^[^{]*/, ''));
    expect(project.targets['build-rpms'].inputs).toContainEqual({ fileset: '{workspaceRoot}/kernels/kernel-devel.rpm', includeIgnored: true });
    expect(JSON.stringify(project.targets)).not.toContain(ws);
  }, 900_000);

  test('a README edit or a new mtime on the RPM re-runs nothing; new RPM bytes re-run build-rpms and nothing else', async () => {
    appendFileSync(join(ws, 'packs', XCPNG, 'README.md'), '\nMore words.\n');
    expect(ran(await buildIso(XCPNG))).toEqual([]);

    utimesSync(join(ws, 'kernels/kernel-devel.rpm'), new Date(), new Date());
    expect(ran(await buildIso(XCPNG))).toEqual([]);

    copyFileSync(rpms[1]!, join(ws, 'kernels/kernel-devel.rpm'));
    const runs = await buildIso(XCPNG);
    // Same headers, so the same module and RPM: every later stage comes from the cache.
    expect(ran(runs)).toEqual([`${XCPNG}:build-rpms`]);
    expect(runs.get(`${XCPNG}:build-iso`)).toBe('local');
    expect(vermagic(XCPNG)).toBe(RELEASE);
  }, 900_000);

  test('a build tree on the machine: new identity files re-run build-rpms, a new mtime nothing', async () => {
    const tree = join(root, 'tree');
    const first = await buildIso(TREE);
    expect(first.get(`${TREE}:build-rpms`)).toBe('ran');
    expect(vermagic(TREE)).toBe(RELEASE);
    expect(ran(await buildIso(TREE))).toEqual([]);

    utimesSync(join(tree, 'Makefile'), new Date(), new Date());
    expect(ran(await buildIso(TREE))).toEqual([]);

    // New headers under the same release (a distribution update): here a new .config.
    appendFileSync(join(tree, '.config'), '# updated by the e2e test\n');
    const runs = await buildIso(TREE);
    expect(runs.get(`${TREE}:build-rpms`)).toBe('ran');
    expect(runs.get(`${TREE}:render-spec`)).toBe('local');
  }, 900_000);
});

/**
 * Nx workspaces of prebuilt-RPM packs, end to end with the packed plugin.
 *
 * Issue 14: a project whose suppack.json is broken stays in the graph and its targets fail, so
 * `run-many` exits non-zero naming the file while the other packs build.
 *
 * Issue 20: the `prebuilt` patterns users write (braces, "!"
 * exclusions, `**`, dot files) select in collect-rpms exactly the files Nx hashes for the target.
 * For each pattern list: changing any collected RPM re-runs collect-rpms, changing a file the
 * patterns leave out does not; an RPM Nx cannot hash by content (a symlink, an ignored file) is
 * refused with the reason. A git workspace, as users have. No mocks.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { runAsync } from './testing';
import { newNxWorkspace, nxEnv, taskRuns } from './testing';

const rpms = inject('fixtureRpms');
const PACK = { vendorCode: 'acme', vendorName: 'ACME Inc.', text: 'ACME prebuilt pack', version: '1.0', productVersion: '7.0.0' };

let root: string;
let ws: string;

function env(): NodeJS.ProcessEnv {
  return nxEnv(ws);
}

async function nx(args: string[]) {
  return runAsync(join(ws, 'node_modules/.bin/nx'), args, { cwd: ws, env: env() });
}

/** How collect-rpms of `project` ran: 'ran' or a cache hit. */
async function collect(project: string): Promise<string | undefined> {
  const r = await nx(['run', `${project}:collect-rpms`, '--outputStyle=static']);
  if (r.status !== 0) throw new Error(`nx run ${project}:collect-rpms failed:\n${r.stdout}\n${r.stderr}`);
  return taskRuns(r.stdout + r.stderr).get(`${project}:collect-rpms`);
}

function writeJson(path: string, value: unknown) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A pack project whose files are copies of fixture RPMs (or text), with `prebuilt` patterns. */
function project(name: string, prebuilt: string[], files: Record<string, string>) {
  const dir = join(ws, 'packs', name);
  for (const [rel, src] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    if (src.startsWith('/')) copyFileSync(src, join(dir, rel));
    else writeFileSync(join(dir, rel), src);
  }
  writeJson(join(dir, 'suppack.json'), { pack: { ...PACK, label: name }, prebuilt });
}

const collected = (name: string) => readdirSync(join(ws, 'dist/packs', name, 'rpms')).sort();

/** Another valid RPM's bytes at `rel` (a content change Nx must see), the original back after. */
function swapRpm(name: string, rel: string): () => void {
  const path = join(ws, 'packs', name, rel);
  const before = readFileSync(path);
  const other = readFileSync(rpms['hello-lib']).equals(before) ? rpms['xs-hello'] : rpms['hello-lib'];
  copyFileSync(other, path);
  return () => writeFileSync(path, before);
}

interface Case {
  name: string;
  prebuilt: string[];
  files: Record<string, string>;
  collected: string[];
  left: string[];
}

const CASES: Case[] = [
  {
    name: 'braces',
    prebuilt: ['rpms/{x86_64,noarch}/*.rpm'],
    files: { 'rpms/x86_64/a.rpm': rpms['hello-lib'], 'rpms/noarch/b.rpm': rpms['xs-hello'], 'rpms/i686/c.rpm': rpms['hello-lib'] },
    collected: ['rpms/noarch/b.rpm', 'rpms/x86_64/a.rpm'],
    left: ['rpms/i686/c.rpm'],
  },
  {
    name: 'exclusions',
    prebuilt: ['rpms/**/*.rpm', '!rpms/**/*debuginfo*.rpm'],
    files: { 'rpms/a.rpm': rpms['hello-lib'], 'rpms/sub/b.rpm': rpms['xs-hello'], 'rpms/sub/b-debuginfo.rpm': 'not read' },
    collected: ['rpms/a.rpm', 'rpms/sub/b.rpm'],
    left: ['rpms/sub/b-debuginfo.rpm'],
  },
  {
    name: 'dot-files',
    prebuilt: ['rpms/*.rpm', 'more/'],
    files: { 'rpms/.a.rpm': rpms['hello-lib'], 'more/.cache/b.rpm': rpms['xs-hello'], 'rpms/notes.txt': 'not read' },
    collected: ['more/.cache/b.rpm', 'rpms/.a.rpm'],
    left: ['rpms/notes.txt'],
  },
];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'suppack-nx-globs-'));
  ws = join(root, 'ws');
  await newNxWorkspace(root, ws, {
    name: 'acme-globs',
    nxJson: { plugins: ['suppack'] },
    gitignore: 'node_modules\ndist\n.nx\n.nx-local-cache\npacks/ignored/rpms/local/\n',
  });
  execFileSync('git', ['init', '-q', ws]);

  for (const c of CASES) project(c.name, c.prebuilt, c.files);
  project('symlinked', ['rpms/*.rpm'], { 'rpms/a.rpm': rpms['hello-lib'], 'shared/b.rpm': rpms['xs-hello'] });
  symlinkSync('../shared/b.rpm', join(ws, 'packs/symlinked/rpms/link.rpm'));
  project('ignored', ['rpms/**/*.rpm'], { 'rpms/a.rpm': rpms['hello-lib'], 'rpms/local/b.rpm': rpms['xs-hello'] });
  // pack.version a number: the manifest is invalid
  writeJson(join(ws, 'packs/broken/suppack.json'), { pack: { ...PACK, label: 'broken', version: 1.0 }, prebuilt: ['x.rpm'] });
}, 600_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.each(CASES)('prebuilt $prebuilt', (c) => {
  test('collects the files the patterns name; each collected file is hashed, each left-out file is not', async () => {
    expect(await collect(c.name)).toBe('ran');
    expect(collected(c.name)).toEqual(c.collected.map((f) => f.split('/').at(-1)).sort());
    expect(await collect(c.name)).toBe('local');

    for (const rel of c.collected) {
      const restore = swapRpm(c.name, rel);
      expect(await collect(c.name), `changing ${rel}`).toBe('ran');
      restore();
      expect(await collect(c.name), `restoring ${rel}`).toBe('local');
    }
    for (const rel of c.left) {
      writeFileSync(join(ws, 'packs', c.name, rel), `changed ${rel}`);
      expect(await collect(c.name), `changing left-out ${rel}`).toBe('local');
    }
  }, 300_000);
});

describe('RPMs Nx cannot hash by their content', () => {
  test.each([
    ['symlinked', /prebuilt\[0\]: rpms\/link\.rpm is a symbolic link: Nx hashes the link, not the RPM it points to/],
    ['ignored', /prebuilt\[0\]: rpms\/local\/b\.rpm is not among the files Nx hashes for this project \(ignored by a \.gitignore or \.nxignore/],
  ])('%s: collect-rpms fails naming the file and the reason', async (name, message) => {
    const r = await nx(['run', `${name}:collect-rpms`, '--outputStyle=static']);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`packs/${name}/suppack\\.json: ${message.source}`));
  }, 120_000);
});

describe('a broken suppack.json', () => {
  test('its targets fail naming the file and field; run-many exits non-zero and the other packs still build', async () => {
    const r = await nx(['run-many', '-t', 'build-iso', '-p', 'braces,broken', '--outputStyle=static', '--parallel=1']);
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toMatch(/packs\/broken\/suppack\.json: line \d+, column \d+: pack\.version: /);
    const runs = taskRuns(out);
    expect(runs.get('braces:build-iso')).toMatch(/ran|local/);
    expect(readdirSync(join(ws, 'dist/packs/braces/iso'))).toContain('braces.iso');
    expect(runs.get('broken:build-iso')).toBe('ran');
    const single = await nx(['run', 'broken:collect-rpms', '--outputStyle=static']);
    expect(single.status).not.toBe(0);
    expect(single.stdout + single.stderr).toMatch(/packs\/broken\/suppack\.json: line \d+, column \d+: pack\.version: /);
  }, 300_000);
});

describe('nx g suppack:pack', () => {
  test('--packVersion=1.0 and 2.10 reach suppack.json as typed, though Nx parses them as numbers', async () => {
    for (const [name, version] of [['ver-a', '1.0'], ['ver-b', '2.10']]) {
      const r = await nx(['g', 'suppack:pack', `--name=${name}`, '--type=userspace', '--vendorCode=acme', '--vendorName=ACME Inc.', `--packVersion=${version}`, '--no-interactive']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(ws, 'packs', name, 'suppack.json'), 'utf8')).pack.version).toBe(version);
    }
  }, 120_000);
});

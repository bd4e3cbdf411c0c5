/**
 * Reading an update ISO back (inspect / verify) from ISOs mastered here with xorriso from a real
 * build's tree, with one file changed. Issue 19 item 7: a primary.xml.gz that inflates too far
 * gets its own message (it was "expected gzip"), read with flat memory (streamed, twice).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inspectPack, verifyPack } from '../../products/report/pack-report';
import { buildUpdatePack } from '../../products/update-pack/pack';
import { updatePackSchema } from '../../../schemas/update-pack';
import { SuppackError } from '../../base/errors';

const rpms = inject('fixtureRpms');
let dir: string;
let tree: string;
let primary: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-update-report-'));
  mkdirSync(join(dir, 'out'));
  const { iso } = await buildUpdatePack({
    pack: updatePackSchema.parse({ uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'upd', version: '1', description: 'u' }),
    rpms: [rpms['hello-lib']!],
    files: {},
    output: join(dir, 'out'),
    epoch: 1_700_000_000,
  });
  tree = join(dir, 'tree');
  mkdirSync(tree);
  execFileSync('bsdtar', ['-xf', iso, '-C', tree]);
  primary = readdirSync(join(tree, 'repodata')).find((f) => f.endsWith('primary.xml.gz'))!;
  expect(primary).toBeDefined();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An ISO of the build's tree with repodata/<primary> made by `shell` (run in the repodata dir, $P = the file). */
function withPrimary(name: string, shell: string): string {
  const t = join(dir, `tree-${name}`);
  execFileSync('cp', ['-a', tree, t]);
  execFileSync('sh', ['-c', shell], { cwd: join(t, 'repodata'), env: { ...process.env, P: primary } });
  const iso = join(dir, `${name}.iso`);
  execFileSync('xorriso', ['-as', 'mkisofs', '-r', '-J', '-o', iso, t], { stdio: 'ignore' });
  rmSync(t, { recursive: true, force: true });
  return iso;
}

async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SuppackError);
  expect((e as Error).message).not.toMatch(/\n/);
  return (e as Error).message;
}

describe('primary.xml.gz of an update ISO', () => {
  it('the build itself reads back: one package plus the generated update RPM', async () => {
    const iso = withPrimary('same', 'true');
    const r = await inspectPack(iso);
    expect(r.format === 'update' && r.packages.map((p) => p.href.replace(/-[^-]+-[^-]+$/, ''))).toEqual(['Packages/hello-lib', 'Packages/update-upd']);
    expect((await verifyPack(iso)).ok).toBe(true);
  });

  it('reproducer: a valid gzip inflating to 250 MiB is refused as too large, not as "not gzip"', async () => {
    const iso = withPrimary('bomb', 'head -c 262144000 /dev/zero | gzip -1 > "$P"');
    // One at a time: a second promise started early would reject unhandled while the first runs.
    for (const run of [() => inspectPack(iso), () => verifyPack(iso)]) {
      expect(await failure(run())).toMatch(new RegExp(`${primary.replace(/\./g, '\\.')}: inflates to more than 64 MiB: not the primary\\.xml of an update`));
    }
  });

  it('not gzip, a truncated gzip, and the wrong root element each have their own message', async () => {
    expect(await failure(inspectPack(withPrimary('text', 'echo "<metadata/>" > "$P"')))).toMatch(/: expected gzip \(the installer reads primary\.xml\.gz with gzip only\)$/);
    expect(await failure(inspectPack(withPrimary('cut', 'gzip -dc "$P" | gzip | head -c 200 > x && mv x "$P"')))).toMatch(/: expected gzip/);
    expect(await failure(inspectPack(withPrimary('root', 'echo "<repomd/>" | gzip > "$P"')))).toMatch(/: expected the root element <metadata>, got <repomd>$/);
  });
});

// Issue 19 item 4 (first part): verify checks repomd.xml's checksums as dnf does.
describe('repomd.xml checksums', () => {
  it('verify lists every repodata file as OK on the build, and FAILS a primary whose checksum repomd.xml does not give', async () => {
    const good = await verifyPack(withPrimary('repomd-good', 'true'));
    expect(good.ok).toBe(true);
    const repodata = good.checks.filter((c) => c.file.startsWith('repodata/'));
    expect(repodata.map((c) => c.file)).toContain(`repodata/${primary}`);
    expect(repodata.length).toBeGreaterThanOrEqual(4);
    expect(repodata.every((c) => c.ok)).toBe(true);
    const bad = await verifyPack(withPrimary('repomd-bad', `python3 - <<'PY'
import re
p='repomd.xml'
s=open(p).read()
m=re.search(r'(<data type="primary">\\s*<checksum type="sha256">)([0-9a-f]{64})', s)
s=s[:m.start(2)]+('0'*64)+s[m.end(2):]
open(p,'w').write(s)
PY`));
    expect(bad.ok).toBe(false);
    const failed = bad.checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.file).toBe(`repodata/${primary}`);
    expect(failed[0]!.problem).toMatch(new RegExp(`^sha256 [0-9a-f]{64}, repomd\\.xml says ${'0'.repeat(64)}$`));
  });
});

/**
 * Test fixtures: real RPMs built by the real rpmbuild from testing/fixtures/specs/*.spec.
 * Built once per spec set (keyed by a hash of the specs and the rpmbuild version) into
 * node_modules/.cache/suppack-fixture-rpms/<hash>/, so the suite pays for rpmbuild once.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SPEC_DIR = join(__dirname, 'fixtures/specs');
const CACHE_ROOT = join(__dirname, '../node_modules/.cache/suppack-fixture-rpms');

/** Fixture name (spec basename) → absolute path of the binary RPM it builds. */
export type FixtureRpms = Record<string, string>;

export function buildFixtureRpms(): FixtureRpms {
  return buildSpecs(SPEC_DIR, 'by-spec');
}

/**
 * Every binary RPM (subpackages included) the specs of `specDir` build, by file name, e.g.
 * `lint-clean-tools-1.0-1.noarch.rpm` → its absolute path. Cached like buildFixtureRpms.
 */
export function buildFixtureRpmFiles(specDir: string): FixtureRpms {
  return buildSpecs(specDir, 'by-file');
}

function buildSpecs(specDir: string, key: 'by-spec' | 'by-file'): FixtureRpms {
  const specs = readdirSync(specDir)
    .filter((f) => f.endsWith('.spec'))
    .sort();
  const rpmbuildVersion = execFileSync('rpmbuild', ['--version'], { encoding: 'utf8' }).trim();
  const hash = createHash('sha256').update(rpmbuildVersion);
  if (key === 'by-file') hash.update('by-file');
  for (const s of specs) hash.update(s).update(readFileSync(join(specDir, s)));
  const dir = join(CACHE_ROOT, hash.digest('hex').slice(0, 16));
  const index = join(dir, 'index.json');
  if (existsSync(index)) return JSON.parse(readFileSync(index, 'utf8')) as FixtureRpms;

  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const result: FixtureRpms = {};
  for (const spec of specs) {
    const topdir = join(work, 'top');
    execFileSync(
      'rpmbuild',
      [
        '-bb',
        '--nodeps',
        '--define', `_topdir ${topdir}`,
        '--define', 'debug_package %{nil}',
        '--define', '_buildhost fixtures.suppack.invalid',
        '--define', 'use_source_date_epoch_as_buildtime 1',
        '--define', 'clamp_mtime_to_source_date_epoch 1',
        '--define', '_binary_payload w9.gzdio',
        join(specDir, spec),
      ],
      { stdio: 'pipe', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', LC_ALL: 'C' } },
    );
    const rpmsDir = join(topdir, 'RPMS');
    for (const arch of readdirSync(rpmsDir)) {
      for (const f of readdirSync(join(rpmsDir, arch))) {
        renameSync(join(rpmsDir, arch, f), join(work, f));
        result[key === 'by-spec' ? spec.replace(/\.spec$/, '') : f] = join(dir, f);
      }
    }
    rmSync(topdir, { recursive: true, force: true });
  }
  writeFileSync(join(work, 'index.json'), JSON.stringify(result, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return result;
}

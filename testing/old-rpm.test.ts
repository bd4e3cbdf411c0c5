import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privateRpmRoot, rpmInRoot, runOldRpm } from './old-rpm';
import { SPEC_DIR } from './rpms';

// hello-lib built the way rpm 4.4 can read: md5 file digests, gzip payload.
const work = mkdtempSync(join(tmpdir(), 'suppack-old-rpm-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
function md5Rpm(): string {
  execFileSync('rpmbuild', [
    '-bb', '--nodeps', '--quiet',
    '--define', `_topdir ${work}`,
    '--define', '_binary_filedigest_algorithm 1',
    '--define', '_binary_payload w9.gzdio',
    join(SPEC_DIR, 'hello-lib.spec'),
  ], { stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } });
  const dir = join(work, 'RPMS/noarch');
  return join(dir, readdirSync(dir)[0]);
}
const rpm = md5Rpm();

// The host rpm oracles themselves: each release runs, and installs and erases a real RPM in a
// private root, so a test that fails on a host rpm fails because of the pack, not the oracle.
describe.each([
  ['4.11', 'RPM version 4.11.3'],
  ['4.4', 'RPM version 4.4.2.3'],
] as const)('rpm %s oracle', (release, version) => {
  it('reports its upstream version', () => {
    expect(runOldRpm(release, ['--version']).stdout.trim()).toBe(version);
  });

  it('installs and erases an md5-digest gzip RPM in a private root', () => {
    const root = privateRpmRoot(release);
    try {
      const install = rpmInRoot(release, root, ['-i', '--nodeps', '--noscripts', '--nosignature', rpm]);
      expect(install.output).toBe('');
      expect(install.status).toBe(0);
      expect(rpmInRoot(release, root, ['-q', 'hello-lib']).status).toBe(0);
      expect(rpmInRoot(release, root, ['-e', '--nodeps', 'hello-lib']).status).toBe(0);
      expect(rpmInRoot(release, root, ['-q', 'hello-lib']).status).not.toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

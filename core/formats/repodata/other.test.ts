import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoPackage } from './package';
import { createrepo, gunzipRepodata } from './testing';
import { writeRepodata } from './write';

const REV = 1700000000;
let root: string;

/** An RPM with 12 changelog entries (more than createrepo_c's default limit of 10). */
function buildChangelogRpm(dir: string): string {
  const entries = Array.from({ length: 12 }, (_, k) => {
    const i = 12 - k;
    const day = new Date((1600000000 + i * 86400) * 1000).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+).*$/, '$1 $3 $2 $4');
    return `* ${day} Dev <dev@example.com> - 1-${i}\n- change ${i} & <x>\n`;
  });
  const spec = join(dir, 'cl.spec');
  writeFileSync(spec, `Name: cl\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n%description\nd\n%files\n%changelog\n${entries.join('\n')}`);
  execFileSync('rpmbuild', ['-bb', '--define', `_topdir ${join(dir, 'top')}`, spec], { stdio: 'pipe', env: { ...process.env, SOURCE_DATE_EPOCH: String(REV), LC_ALL: 'C' } });
  const rpmDir = join(dir, 'top/RPMS/noarch');
  return join(rpmDir, readdirSync(rpmDir)[0]!);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'suppack-other-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('other.xml', () => {
  it('keeps the newest 10 changelog entries, oldest first, exactly as createrepo_c', async () => {
    const rpm = buildChangelogRpm(root);
    const repos = ['ours', 'theirs'].map((n) => {
      const d = join(root, n);
      mkdirSync(join(d, 'Packages'), { recursive: true });
      copyFileSync(rpm, join(d, 'Packages/cl.rpm'));
      utimesSync(join(d, 'Packages/cl.rpm'), REV, REV);
      return d;
    });
    const pkg = await readRepoPackage(join(repos[0]!, 'Packages/cl.rpm'), 'Packages/cl.rpm', REV);
    expect(pkg.changelogs).toHaveLength(12);
    await writeRepodata({ packages: [pkg], outDir: repos[0]!, revision: REV });
    createrepo(repos[1]!, REV);
    const xml = gunzipRepodata(repos[0]!, 'other.xml.gz');
    expect(xml.match(/<changelog /g)).toHaveLength(10);
    expect(xml.indexOf('- 1-3"')).toBeLessThan(xml.indexOf('- 1-12"'));
    expect(xml).not.toContain('- 1-2"');
    expect(xml).toContain('change 12 &amp; &lt;x&gt;');
    expect(xml).toBe(gunzipRepodata(repos[1]!, 'other.xml.gz'));
    expect(gunzipRepodata(repos[0]!, 'primary.xml.gz')).toBe(gunzipRepodata(repos[1]!, 'primary.xml.gz'));
  });
});

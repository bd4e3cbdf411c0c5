import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compsXml, type CompsGroup } from './comps';
import { readRepoPackage, type RepoPackage } from './package';
import { createrepo, elements, gunzipRepodata, packageBlocks } from './testing';
import { writeRepodata } from './write';

const REV = 1700000000;
const GROUPS: CompsGroup[] = [
  { id: 'update', name: 'update', description: 'Fixes for acme&co <nic>', packages: ['xs-hello', 'hello-lib'] },
  { id: 'drivers', name: 'drivers', packages: ['acme-4.19.0+1-modules', 'acme-firmware'] },
];

let root: string;
const rpms = inject('fixtureRpms');

/** A repo root with every fixture RPM under Packages/, mtimes at REV (createrepo_c's <time file>). */
function makeRepo(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'Packages'), { recursive: true });
  for (const path of Object.values(rpms)) {
    const dest = join(dir, 'Packages', basename(path));
    copyFileSync(path, dest);
    utimesSync(dest, REV, REV);
  }
  return dir;
}

async function packagesOf(dir: string): Promise<RepoPackage[]> {
  const files = readdirSync(join(dir, 'Packages')).sort();
  return Promise.all(files.map((f) => readRepoPackage(join(dir, 'Packages', f), `Packages/${f}`, REV)));
}

function readAll(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const f of readdirSync(join(dir, 'repodata')).sort()) out[f] = readFileSync(join(dir, 'repodata', f));
  return out;
}

let ours: string;
let theirs: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'suppack-repodata-'));
  ours = makeRepo('ours');
  theirs = makeRepo('theirs');
  await writeRepodata({ packages: await packagesOf(ours), groups: GROUPS, outDir: ours, revision: REV });
  writeFileSync(join(root, 'comps.xml'), compsXml(GROUPS));
  createrepo(theirs, REV, join(root, 'comps.xml'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeRepodata against createrepo_c 0.17', () => {
  it.each(['primary.xml.gz', 'filelists.xml.gz', 'other.xml.gz'])('%s: same packages, each with the same lines', (name) => {
    const a = packageBlocks(gunzipRepodata(ours, name));
    const b = packageBlocks(gunzipRepodata(theirs, name));
    expect(a.size).toBe(Object.keys(rpms).length);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [id, lines] of a) expect(lines, `${name} ${id}`).toEqual(b.get(id));
  });

  it.each(['primary.xml.gz', 'filelists.xml.gz', 'other.xml.gz'])('%s: the uncompressed XML is byte for byte createrepo_c\'s', (name) => {
    expect(gunzipRepodata(ours, name)).toBe(gunzipRepodata(theirs, name));
  });

  it('primary carries what the installer and dnf read: pkgid, location, sizes, header-range, deps with pre', () => {
    const xml = gunzipRepodata(ours, 'primary.xml.gz');
    const hello = [...packageBlocks(xml).values()].find((l) => l.includes('<name>xs-hello</name>'))!.join('\n');
    expect(hello).toContain(`<location href="Packages/${basename(rpms['xs-hello']!)}"/>`);
    expect(hello).toContain('<version epoch="2" ver="1.0" rel="1"/>');
    expect(hello).toContain('<rpm:entry name="/bin/sh" pre="1"/>');
    expect(hello).toContain('<rpm:entry name="hello-api" flags="GE" epoch="0" ver="1.0"/>');
    expect(hello).not.toContain('rpmlib(');
    expect(hello).not.toMatch(/<rpm:requires>[\s\S]*config\(xs-hello\)/);
    expect(hello).toContain('<file>/etc/xs-hello/hello.conf</file>');
    expect(hello).not.toContain('/opt/xs/hello.txt');
    // host-installer YumRepository._parse_repodata zips these three in document order.
    const locations = elements(xml, 'location').map((e) => e.attrs.href!);
    const sizes = elements(xml, 'size').map((e) => Number(e.attrs.package));
    const sums = elements(xml, 'checksum').filter((e) => e.attrs.type === 'sha256').map((e) => e.text);
    expect(sizes).toHaveLength(locations.length);
    expect(sums).toHaveLength(locations.length);
    locations.forEach((href, i) => {
      expect(statSync(join(ours, href)).size).toBe(sizes[i]);
      expect(execFileSync('sha256sum', [join(ours, href)], { encoding: 'utf8' }).split(' ')[0]).toBe(sums[i]);
    });
  });

  it('repomd.xml lists the same files with the same checksums, except <size>/<checksum> of the .gz files', () => {
    const a = readFileSync(join(ours, 'repodata/repomd.xml'), 'utf8');
    const b = readFileSync(join(theirs, 'repodata/repomd.xml'), 'utf8');
    const pick = (xml: string) => ({
      data: elements(xml, 'location').map((e) => e.attrs.href),
      open: elements(xml, 'open-checksum').map((e) => e.text),
      rev: elements(xml, 'revision').map((e) => e.text),
      ts: elements(xml, 'timestamp').map((e) => e.text),
    });
    expect(pick(a)).toEqual(pick(b));
    expect(a.replace(/<checksum type="sha256">\w+<\/checksum>|<size>\d+<\/size>/g, '')).toBe(
      b.replace(/<checksum type="sha256">\w+<\/checksum>|<size>\d+<\/size>/g, ''),
    );
    expect(readFileSync(join(ours, 'repodata/comps.xml'))).toEqual(readFileSync(join(theirs, 'repodata/comps.xml')));
  });
});

describe('header text that is not UTF-8, against createrepo_c (docs/formats/containers.md §5)', () => {
  // An RPM as rpm 4.11 builds one from an ISO-8859-1 spec (Debian's rpmbuild, told not to refuse
  // such text): Latin-1 summary, description, changelog author and text, and a file name; valid
  // UTF-8 beside them; a vendor that is UTF-8; a non-ASCII changelog author in an attribute.
  const latin1Spec = (): Buffer =>
    Buffer.from(
      'Name: enc\nVersion: 1\nRelease: 1\nSummary: Caf\xe9 cr\xe8me\nLicense: x\nVendor: Caf\xc3\xa9 SA\nBuildArch: noarch\n' +
        '%description\nCaf\xe9 \x80\xbf ok done\tTab\nna\xc3\xafve line\n' +
        '%install\nmkdir -p %{buildroot}/usr/share/enc\ntouch "%{buildroot}/usr/share/enc/caf\xe9" "%{buildroot}/usr/share/enc/na\xc3\xafve"\n' +
        '%files\n/usr/share/enc\n' +
        '%changelog\n* Mon Jan 01 2024 J\xf6rg M\xfcller <j@x> - 1-1\n- premi\xe8re\n* Sun Dec 31 2023 J\u00f6rg <j@x> - 0-1\n- UTF-8 author\n',
      'latin1',
    );

  it('every file byte for byte as createrepo_c writes it', async () => {
    const dir = join(root, 'enc');
    writeFileSync(join(root, 'enc.spec'), latin1Spec());
    execFileSync('rpmbuild', ['-bb', '--define', `_topdir ${join(dir, 'top')}`, '--define', '_invalid_encoding_terminates_build 0', join(root, 'enc.spec')], { stdio: 'pipe' });
    const repos = ['enc-ours', 'enc-theirs'].map((n) => {
      mkdirSync(join(root, n, 'Packages'), { recursive: true });
      const dest = join(root, n, 'Packages/enc-1-1.noarch.rpm');
      copyFileSync(join(dir, 'top/RPMS/noarch/enc-1-1.noarch.rpm'), dest);
      utimesSync(dest, REV, REV);
      return join(root, n);
    });
    await writeRepodata({ packages: await packagesOf(repos[0]!), outDir: repos[0]!, revision: REV });
    createrepo(repos[1]!, REV);
    for (const name of ['primary.xml.gz', 'filelists.xml.gz', 'other.xml.gz']) {
      expect(gunzipRepodata(repos[0]!, name), name).toBe(gunzipRepodata(repos[1]!, name));
    }
    const primary = gunzipRepodata(repos[0]!, 'primary.xml.gz');
    expect(primary).toContain('<summary>Caf\u00e9 cr\u00e8me</summary>');
    expect(gunzipRepodata(repos[0]!, 'other.xml.gz')).toContain('author="J&#xF6;rg M&#xFC;ller &lt;j@x&gt; - 1-1"');
  });
});

describe('repomd.xml', () => {
  it('checksums and sizes verify with sha256sum and gunzip', () => {
    const xml = readFileSync(join(ours, 'repodata/repomd.xml'), 'utf8');
    const blocks = [...xml.matchAll(/<data type="(\w+)">([\s\S]*?)<\/data>/g)];
    expect(blocks.map((m) => m[1])).toEqual(['primary', 'filelists', 'other', 'group', 'group_gz']);
    for (const [, , body] of blocks) {
      const href = elements(body!, 'location')[0]!.attrs.href!;
      const file = join(ours, href);
      const sum = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
      expect(elements(body!, 'checksum')[0]!.text).toBe(sum);
      expect(Number(elements(body!, 'size')[0]!.text)).toBe(statSync(file).size);
      expect(elements(body!, 'timestamp')[0]!.text).toBe(String(REV));
      const open = elements(body!, 'open-checksum')[0];
      if (open !== undefined) {
        const plain = gunzipSync(readFileSync(file));
        expect(execFileSync('sha256sum', { input: plain, encoding: 'utf8' }).split(' ')[0]).toBe(open.text);
        expect(Number(elements(body!, 'open-size')[0]!.text)).toBe(plain.length);
      }
    }
    expect(xml).toContain(`<revision>${REV}</revision>`);
  });

  it('gzip members have MTIME 0 and OS 3, and every file has mtime = revision', () => {
    for (const f of ['primary.xml.gz', 'filelists.xml.gz', 'other.xml.gz', 'comps.xml.gz']) {
      const gz = readFileSync(join(ours, 'repodata', f));
      expect(gz.readUInt32LE(4)).toBe(0);
      expect(gz[9]).toBe(3);
    }
    for (const f of readdirSync(join(ours, 'repodata'))) expect(statSync(join(ours, 'repodata', f)).mtimeMs).toBe(REV * 1000);
  });
});

describe('determinism', () => {
  it('two writes, with packages in another order, give identical bytes', async () => {
    const pkgs = await packagesOf(ours);
    const a = join(root, 'det-a');
    const b = join(root, 'det-b');
    const ra = await writeRepodata({ packages: pkgs, groups: GROUPS, outDir: a, revision: REV });
    await writeRepodata({ packages: [...pkgs].reverse(), groups: [...GROUPS].reverse(), outDir: b, revision: REV });
    expect(ra.files.map((f) => basename(f))).toEqual(['primary.xml.gz', 'filelists.xml.gz', 'other.xml.gz', 'comps.xml', 'comps.xml.gz', 'repomd.xml']);
    expect(ra.repomd).toBe(join(a, 'repodata/repomd.xml'));
    expect(readAll(a)).toEqual(readAll(b));
    expect(readAll(a)).toEqual(readAll(ours));
  });

  it('without groups: no comps files and no group entries', async () => {
    const dir = join(root, 'nogroups');
    const r = await writeRepodata({ packages: await packagesOf(ours), outDir: dir, revision: REV });
    expect(Object.keys(readAll(dir))).toEqual(['filelists.xml.gz', 'other.xml.gz', 'primary.xml.gz', 'repomd.xml']);
    expect(readFileSync(r.repomd, 'utf8')).not.toContain('group');
  });
});

describe('errors', () => {
  it('rejects a location given twice and one outside the repo, naming the field', async () => {
    const [p] = await packagesOf(ours);
    await expect(writeRepodata({ packages: [p!, { ...p! }], outDir: join(root, 'e1'), revision: REV })).rejects.toThrow(
      /^packages\[1\]\.href: location ".*" is given twice$/,
    );
    await expect(writeRepodata({ packages: [{ ...p!, href: '../x.rpm' }], outDir: join(root, 'e2'), revision: REV })).rejects.toThrow(
      /^packages\[0\]\.href: expected a path relative to the repo root/,
    );
    await expect(writeRepodata({ packages: [p!], outDir: join(root, 'e3'), revision: -1 })).rejects.toThrow(/^revision: /);
  });
});

describe("Debian's dnf on the written repo", () => {
  const dnf = (args: string[]): string => {
    const install = mkdtempSync(join(root, 'dnfroot-'));
    return execFileSync(
      'dnf',
      ['-q', '--setopt=reposdir=/dev/null', `--repofrompath=t,file://${ours}`, '--repo', 't', '--installroot', install, '--releasever', '1', '--nogpgcheck', ...args],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  };

  it('lists every package as available', () => {
    const out = dnf(['list', 'available']);
    for (const path of Object.values(rpms)) {
      const info = execFileSync('rpm', ['-qp', '--qf', '%{NAME}.%{ARCH}', path], { encoding: 'utf8' });
      expect(out).toContain(info);
    }
  });

  it('sees the update and drivers groups and their mandatory packages', () => {
    const list = dnf(['group', 'list']);
    expect(list).toMatch(/^\s*update$/m);
    expect(list).toMatch(/^\s*drivers$/m);
    const info = dnf(['group', 'info', 'update']);
    expect(info).toMatch(/Mandatory Packages:\s*\n\s*hello-lib\s*\n\s*xs-hello/);
    expect(info).toContain('acme&co');
  });
});

/**
 * Issue 2 acceptance, end to end: the packed CLI builds a legacy pack from the example RPMs and
 * the real tools (isoinfo, bsdtar, xorriso, md5sum) accept it; the same inputs give the same
 * bytes anywhere; bad inputs give one-line errors and leave nothing behind.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXAMPLE_FLAGS, installPackedSuppack, REPO, run, type Installed } from './testing';

const EXAMPLE_RPMS = readdirSync(join(REPO, 'examples/legacy-pack/rpms'))
  .filter((f) => f.endsWith('.rpm'))
  .map((f) => join(REPO, 'examples/legacy-pack/rpms', f));

const FLAGS = EXAMPLE_FLAGS;

let suppack: Installed;
let work: string;

afterAll(() => {
  if (suppack) rmSync(suppack.root, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeAll(() => {
  suppack = installPackedSuppack();
  work = mkdtempSync(join(tmpdir(), 'suppack-legacy-'));
});

function build(outDir: string, rpms: string[], extra: string[] = [], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  return run(suppack.bin, ['build-supplemental-pack', `--output=${outDir}`, ...FLAGS, ...extra, ...rpms], { env, cwd });
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('a pack built from the example RPMs', () => {
  let out: string;
  let iso: string;
  beforeAll(() => {
    out = join(work, 'out');
    const r = build(out, EXAMPLE_RPMS, ['--tarball']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    iso = join(out, 'example-hello.iso');
  });

  test('writes the ISO, both md5 files and the tarball, nothing else', () => {
    expect(readdirSync(out).sort()).toEqual([
      'example-hello.iso',
      'example-hello.iso.md5',
      'example-hello.metadata.md5',
      'example-hello.tar.gz',
    ]);
  });

  test('isoinfo -d shows volume id = text and application id = vendor name', () => {
    const r = run('isoinfo', ['-d', '-i', iso]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Volume id: Example hello pack$/m);
    expect(r.stdout).toMatch(/^Application id: Example Vendor Inc\.$/m);
    expect(r.stdout).toMatch(/Rock Ridge signatures version 1 found/);
    expect(r.stdout).toMatch(/Joliet with UCS level 3 found/);
  });

  test('isoinfo -R -l and -J -l list every file', () => {
    const expected = ['XS-REPOSITORY', 'XS-PACKAGES', 'install', 'install.sh', ...EXAMPLE_RPMS.map((p) => basename(p))];
    for (const mode of ['-R', '-J']) {
      const r = run('isoinfo', [mode, '-l', '-i', iso]);
      expect(r.status).toBe(0);
      for (const name of expected) expect(r.stdout).toContain(` ${name}`);
    }
  });

  test('bsdtar extracts the RPMs byte-identical and the install scripts executable', () => {
    const x = join(work, 'x');
    mkdirSync(x);
    const r = run('bsdtar', ['-xf', iso, '-C', x]);
    expect(r.status).toBe(0);
    for (const p of EXAMPLE_RPMS) expect(md5(readFileSync(join(x, basename(p))))).toBe(md5(readFileSync(p)));
    expect(readFileSync(join(x, 'install'))).toEqual(readFileSync(join(x, 'install.sh')));
    expect(run('sh', ['-n', join(x, 'install')]).status).toBe(0);
    const ls = run('ls', ['-l', join(x, 'install.sh')]).stdout;
    expect(ls).toMatch(/^-r-xr-xr-x/);
  });

  test('xorriso walks the image without complaint', () => {
    const r = run('xorriso', ['-indev', iso, '-find', '/', '-exec', 'lsdl']);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/SORRY|FAILURE|WARNING/);
    expect(r.stdout).toContain('example-hello-1.0-1.noarch.rpm');
  });

  test('md5sum -c accepts <label>.iso.md5', () => {
    const r = run('md5sum', ['-c', 'example-hello.iso.md5'], { cwd: out });
    expect(r.stdout).toBe('example-hello.iso: OK\n');
    expect(r.status).toBe(0);
  });

  test('<label>.metadata.md5 is md5 of XS-REPOSITORY followed by XS-PACKAGES', () => {
    const repo = run('isoinfo', ['-R', '-x', '/XS-REPOSITORY', '-i', iso]).stdout;
    const pkgs = run('isoinfo', ['-R', '-x', '/XS-PACKAGES', '-i', iso]).stdout;
    expect(repo).toMatch(/^<repository build="42" memory-requirement-mb="20" name="example-hello" originator="example" product="XenServer" version="1.0">\n/);
    expect(readFileSync(join(out, 'example-hello.metadata.md5'), 'utf8')).toBe(`${md5(repo + pkgs)}\n`);
  });

  test('XS-PACKAGES lists the data RPM before the RPM that requires it (--reorder is the default)', () => {
    const pkgs = run('isoinfo', ['-R', '-x', '/XS-PACKAGES', '-i', iso]).stdout;
    expect(pkgs.indexOf('example-hello-data-1.0-1')).toBeGreaterThan(0);
    expect(pkgs.indexOf('example-hello-data-1.0-1')).toBeLessThan(pkgs.indexOf('>example-hello-1.0-1'));
  });

  test('the tarball holds the same pack', () => {
    const r = run('bsdtar', ['-tvf', join(out, 'example-hello.tar.gz')]);
    expect(r.status).toBe(0);
    for (const name of ['XS-REPOSITORY', 'XS-PACKAGES', 'install', 'install.sh', ...EXAMPLE_RPMS.map((p) => basename(p))]) {
      expect(r.stdout).toMatch(new RegExp(` ${name.replace(/[.+]/g, '\\$&')}$`, 'm'));
    }
    expect(r.stdout).toMatch(/root\s+root/);
  });

  test('suppack verify passes, and fails on a tampered copy', () => {
    const ok = run(suppack.bin, ['verify', iso]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^OK {6}example-hello-1\.0-1\.noarch\.rpm$/m);
    expect(ok.stdout).toContain(readFileSync(join(out, 'example-hello.metadata.md5'), 'utf8').trim());

    const bad = join(work, 'tampered.iso');
    const bytes = readFileSync(iso);
    const rpm = readFileSync(EXAMPLE_RPMS[0]);
    const at = bytes.indexOf(rpm.subarray(0, 512));
    expect(at).toBeGreaterThan(0);
    bytes[at + rpm.length - 10] ^= 0xff;
    writeFileSync(bad, bytes);
    const r = run(suppack.bin, ['verify', bad]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^FAILED  ${basename(EXAMPLE_RPMS[0]).replace(/[.+]/g, '\\$&')}: md5 `, 'm'));
  });

  test('suppack inspect prints the metadata', () => {
    const r = run(suppack.bin, ['inspect', iso]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('pack:           example:example-hello 1.0 build 42');
    expect(r.stdout).toContain('xs:main eq 7.0.0 (XenServer)');
    const json = JSON.parse(run(suppack.bin, ['inspect', '--json', iso]).stdout);
    expect(json.packages.map((p: { file: string }) => p.file)).toEqual([
      'example-hello-data-1.0-1.noarch.rpm',
      'example-hello-1.0-1.noarch.rpm',
    ]);
  });
});

test('the same inputs at different paths, with another umask and TZ, give identical bytes', () => {
  const builds = ['a/deeper/place', 'b'].map((where, i) => {
    const dir = join(work, 'det', where);
    mkdirSync(join(dir, 'rpms'), { recursive: true });
    const rpms = EXAMPLE_RPMS.map((p) => {
      const copy = join(dir, 'rpms', basename(p));
      copyFileSync(p, copy);
      return copy;
    });
    const out = join(dir, 'out');
    const r = run('sh', ['-c', `umask ${i ? '077' : '022'}; exec "$@"`, 'sh', suppack.bin, 'build-supplemental-pack', `--output=${out}`, ...FLAGS, '--tarball', ...rpms], {
      env: { TZ: i ? 'Pacific/Kiritimati' : 'America/Los_Angeles' },
    });
    expect(r.status).toBe(0);
    return out;
  });
  for (const f of ['example-hello.iso', 'example-hello.tar.gz', 'example-hello.iso.md5', 'example-hello.metadata.md5']) {
    expect(md5(readFileSync(join(builds[0], f))), f).toBe(md5(readFileSync(join(builds[1], f))));
  }
});

test('SOURCE_DATE_EPOCH changes the ISO timestamps and nothing else about the pack', () => {
  const a = join(work, 'sde-a');
  const b = join(work, 'sde-b');
  expect(build(a, EXAMPLE_RPMS, [], { SOURCE_DATE_EPOCH: '1700000000' }).status).toBe(0);
  expect(build(b, EXAMPLE_RPMS, [], { SOURCE_DATE_EPOCH: '1800000000' }).status).toBe(0);
  expect(readFileSync(join(a, 'example-hello.iso'))).not.toEqual(readFileSync(join(b, 'example-hello.iso')));
  expect(readFileSync(join(a, 'example-hello.metadata.md5'))).toEqual(readFileSync(join(b, 'example-hello.metadata.md5')));
  expect(run('xorriso', ['-indev', join(a, 'example-hello.iso'), '-pvd_info']).stdout).toMatch(/^Creation Time: 2023111422132000$/m);
});

describe('bad inputs: one line naming the file, non-zero exit, no output', () => {
  const cases: Array<[string, (p: string) => void, RegExp]> = [
    ['zero-length', (p) => writeFileSync(p, ''), /./],
    ['not an RPM', (p) => writeFileSync(p, 'hello, I am text\n'.repeat(20)), /not an RPM/i],
    ['truncated', (p) => truncateSync(p, 3000), /truncated/i],
    [
      'corrupted header',
      (p) => {
        const b = readFileSync(p);
        const main = b.indexOf(Buffer.from([0x8e, 0xad, 0xe8, 0x01]), 100);
        b.writeUInt32BE(0x7fffffff, main + 16 + 8); // intro 8 + il/dl 8, then entry 0's offset: far outside the store
        writeFileSync(p, b);
      },
      /header/i,
    ],
  ];
  for (const [name, spoil, pattern] of cases) {
    test(name, () => {
      const dir = join(work, 'bad', name.replace(/ /g, '-'));
      mkdirSync(dir, { recursive: true });
      const good = join(dir, basename(EXAMPLE_RPMS[0]));
      copyFileSync(EXAMPLE_RPMS[0], good);
      const spoilt = join(dir, 'spoilt.rpm');
      copyFileSync(EXAMPLE_RPMS[1], spoilt);
      spoil(spoilt);
      const out = join(dir, 'out');
      const r = build(out, [good, spoilt]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(spoilt);
      expect(lines[0]).toMatch(pattern);
      expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    });
  }

  test('a text over 32 characters names --text and writes nothing', () => {
    const out = join(work, 'bad-text');
    const r = run(suppack.bin, ['build-supplemental-pack', `--output=${out}`, ...FLAGS, '--text=This description is far too long for a volume id', ...EXAMPLE_RPMS]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^suppack: error: --text: expected at most 32 characters/);
    expect(existsSync(out)).toBe(false);
  });

  test('a missing mandatory flag is a usage error', () => {
    const r = run(suppack.bin, ['build-supplemental-pack', `--output=${join(work, 'x')}`, '--vendor-code=a', ...EXAMPLE_RPMS]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/--vendor-name: required/);
  });
});

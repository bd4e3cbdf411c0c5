import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { decodeHeader } from './header';
import { LEAD_SIZE } from './lead';
import { readRpm } from './read';
import { RPMSENSE } from './types';
import { encodeRpm, writeRpm, type RpmSpecInput } from './write';
import { makeShellRoot, run } from './testing';

const rpms = inject('fixtureRpms');

function sample(): RpmSpecInput {
  return {
    name: 'update-acme',
    epoch: 1,
    version: '2.0',
    release: '3.xs8',
    arch: 'noarch',
    summary: 'Acme update pack',
    description: 'Installs the acme update.\nSecond line.',
    license: 'GPLv2',
    url: 'https://example.com/acme',
    vendor: 'Acme Inc.',
    packager: 'Acme Build <build@example.com>',
    buildTime: 1700000000,
    requires: [{ name: 'bash', flags: RPMSENSE.GREATER | RPMSENSE.EQUAL, version: '4.0' }],
    provides: [{ name: 'acme-update', flags: RPMSENSE.EQUAL, version: '2.0' }],
    conflicts: [{ name: 'old-acme', flags: RPMSENSE.LESS, version: '0.5' }],
    obsoletes: [{ name: 'ancient-acme', flags: 0, version: '' }],
    files: [
      { path: '/opt/acme/bin/run.sh', mode: 0o100755, content: Buffer.from('#!/bin/sh\necho run\n') },
      { path: '/opt/acme', mode: 0o040755 },
      { path: '/opt/acme/data.txt', mode: 0o100644, content: Buffer.from('data\n'), mtime: 1600000000 },
      { path: '/opt/acme/bin', mode: 0o040755 },
      { path: '/opt/acme/link', mode: 0o120777, linkTo: 'data.txt' },
      { path: '/etc/acme.conf', mode: 0o100640, content: Buffer.from('a=1\n'), flags: 1 | 16 },
      { path: '/opt/acme/empty', mode: 0o100644 },
    ],
    scripts: { prein: 'echo pre > /tmp/prein-ran', postin: 'echo post > /tmp/postin-ran' },
  };
}

let dir: string;
let rpmPath: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rpm-write-'));
  rpmPath = join(dir, 'update-acme-2.0-3.xs8.noarch.rpm');
  await writeRpm(sample(), rpmPath);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('encodeRpm checked by rpm', () => {
  it('passes rpm -Kv: header SHA256/SHA1, payload SHA256 and MD5 digests', () => {
    const out = run('rpm', ['-Kv', rpmPath]);
    for (const line of ['Header SHA256 digest: OK', 'Header SHA1 digest: OK', 'Payload SHA256 digest: OK', 'MD5 digest: OK']) {
      expect(out).toContain(line);
    }
    expect(out).not.toMatch(/BAD|NOT OK/);
  });

  it('shows the package fields with rpm -qpi', () => {
    const out = run('rpm', ['-qpi', rpmPath]);
    const field = (k: string): string | undefined => new RegExp(`^${k}\\s*: (.*)$`, 'm').exec(out)?.[1];
    expect(field('Name')).toBe('update-acme');
    expect(field('Epoch')).toBe('1');
    expect(field('Version')).toBe('2.0');
    expect(field('Release')).toBe('3.xs8');
    expect(field('Architecture')).toBe('noarch');
    expect(field('Group')).toBe('Unspecified');
    expect(field('License')).toBe('GPLv2');
    expect(field('Size')).toBe('36');
    expect(field('Source RPM')).toBe('update-acme-2.0-3.xs8.src.rpm');
    expect(field('Build Host')).toBe('suppack.invalid');
    expect(field('URL')).toBe('https://example.com/acme');
    expect(field('Vendor')).toBe('Acme Inc.');
    expect(field('Summary')).toBe('Acme update pack');
    expect(out).toContain('Description :\nInstalls the acme update.\nSecond line.');
    expect(run('rpm', ['-qp', '--qf', '%{BUILDTIME} %{OS} %{PAYLOADCOMPRESSOR} %{PAYLOADFLAGS} %{ENCODING}', rpmPath])).toBe('1700000000 linux gzip 9 utf-8');
  });

  it('lists files sorted with sizes, modes, digests and link targets (rpm -qpl, --dump)', () => {
    expect(run('rpm', ['-qpl', rpmPath]).trim().split('\n')).toEqual([
      '/etc/acme.conf', '/opt/acme', '/opt/acme/bin', '/opt/acme/bin/run.sh', '/opt/acme/data.txt', '/opt/acme/empty', '/opt/acme/link',
    ]);
    const dump = run('rpm', ['-qp', '--dump', rpmPath]).trim().split('\n').map((l) => l.split(' '));
    const byPath = new Map(dump.map((f) => [f[0], f]));
    // path size mtime digest mode owner group isconfig isdoc rdev symlink
    expect(byPath.get('/opt/acme/data.txt')!.slice(1, 8)).toEqual([
      '5', '1600000000', '6667b2d1aab6a00caa5aee5af8ad9f1465e567abf1c209d15727d57b3e8f6e5f', '0100644', 'root', 'root', '0',
    ]);
    expect(byPath.get('/etc/acme.conf')!.slice(4, 8)).toEqual(['0100640', 'root', 'root', '1']);
    expect(byPath.get('/opt/acme/link')!.slice(1, 2).concat(byPath.get('/opt/acme/link')!.slice(4, 5), byPath.get('/opt/acme/link')!.slice(-1))).toEqual([
      '8', '0120777', 'data.txt',
    ]);
    expect(byPath.get('/opt/acme')![4]).toBe('040755');
    expect(byPath.get('/opt/acme/bin/run.sh')![4]).toBe('0100755');
  });

  it('has the scripts, requires and provides rpm expects', () => {
    expect(run('rpm', ['-qp', '--scripts', rpmPath])).toBe(
      'preinstall scriptlet (using /bin/sh):\necho pre > /tmp/prein-ran\npostinstall scriptlet (using /bin/sh):\necho post > /tmp/postin-ran\n',
    );
    expect(run('rpm', ['-qp', '--requires', rpmPath]).trim().split('\n')).toEqual([
      '/bin/sh', '/bin/sh', 'bash >= 4.0', 'config(update-acme) = 1:2.0-3.xs8',
      'rpmlib(CompressedFileNames) <= 3.0.4-1', 'rpmlib(FileDigests) <= 4.6.0-1', 'rpmlib(PayloadFilesHavePrefix) <= 4.0-1',
    ]);
    expect(run('rpm', ['-qp', '--qf', '[%{REQUIRENAME} %{REQUIREFLAGS:deptype}\n]', rpmPath])).toContain('/bin/sh pre,interp\n/bin/sh post,interp\n');
    expect(run('rpm', ['-qp', '--provides', rpmPath]).trim().split('\n')).toEqual([
      'acme-update = 2.0', 'config(update-acme) = 1:2.0-3.xs8', 'update-acme = 1:2.0-3.xs8',
    ]);
    expect(run('rpm', ['-qp', '--conflicts', rpmPath]).trim()).toBe('old-acme < 0.5');
    expect(run('rpm', ['-qp', '--obsoletes', rpmPath]).trim()).toBe('ancient-acme');
  });

  it('has a newc payload with ./-prefixed sorted names (rpm2cpio | cpio -t)', () => {
    const cpio = Buffer.from(run('rpm2cpio', [rpmPath]), 'latin1');
    expect(cpio.subarray(0, 6).toString()).toBe('070701');
    const raw = run('sh', ['-c', `rpm2cpio "$1" | cpio -t --quiet`, 'sh', rpmPath]);
    expect(raw.trim().split('\n')).toEqual([
      './etc/acme.conf', './opt/acme', './opt/acme/bin', './opt/acme/bin/run.sh', './opt/acme/data.txt', './opt/acme/empty', './opt/acme/link',
    ]);
  });

  it('installs into an rpm root: files with content and modes, scriptlets run', () => {
    const root = join(dir, 'root');
    makeShellRoot(root);
    run('rpm', ['--root', root, '-ivh', '--nodeps', rpmPath]);
    expect(readFileSync(join(root, 'opt/acme/data.txt'), 'utf8')).toBe('data\n');
    expect(readFileSync(join(root, 'opt/acme/bin/run.sh'), 'utf8')).toBe('#!/bin/sh\necho run\n');
    expect(lstatSync(join(root, 'opt/acme/bin/run.sh')).mode).toBe(0o100755);
    expect(lstatSync(join(root, 'etc/acme.conf')).mode).toBe(0o100640);
    expect(lstatSync(join(root, 'opt/acme/empty')).size).toBe(0);
    expect(readlinkSync(join(root, 'opt/acme/link'))).toBe('data.txt');
    expect(readFileSync(join(root, 'tmp/prein-ran'), 'utf8')).toBe('pre\n');
    expect(readFileSync(join(root, 'tmp/postin-ran'), 'utf8')).toBe('post\n');
    expect(run('rpm', ['--root', root, '-q', 'update-acme']).trim()).toBe('update-acme-2.0-3.xs8.noarch');
    // Verify (-V) finds no changed file: only the missing bash dependency is reported.
    const verify = run('sh', ['-c', 'rpm --root "$1" -V update-acme; true', 'sh', root]);
    expect(verify).not.toMatch(/^[.SM5DLUGTP?]{9}/m);
  });

  it('is accepted by createrepo_c', () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'p.rpm'), readFileSync(rpmPath));
    run('createrepo_c', ['--no-database', '--general-compress-type=gz', repo]);
    const primary = run('sh', ['-c', 'zcat "$1"/repodata/*primary.xml.gz', 'sh', repo]);
    expect(primary).toContain('<name>update-acme</name>');
    expect(primary).toContain('<version epoch="1" ver="2.0" rel="3.xs8"/>');
  });
});

describe('encodeRpm read back', () => {
  it('round-trips through readRpm', async () => {
    const info = await readRpm(rpmPath);
    const spec = sample();
    expect(info).toMatchObject({
      name: spec.name, epoch: 1, version: spec.version, release: spec.release, arch: 'noarch', group: 'Unspecified',
      summary: spec.summary, description: spec.description, license: spec.license, url: spec.url, vendor: spec.vendor,
      packager: spec.packager, buildTime: spec.buildTime, buildHost: 'suppack.invalid', isSource: false, size: 36,
      payloadCompressor: 'gzip', scripts: spec.scripts, conflicts: spec.conflicts, obsoletes: spec.obsoletes,
    });
    expect(info.files.map((f) => [f.path, f.mode, f.size, f.linkTo, f.flags, f.user, f.group])).toEqual([
      ['/etc/acme.conf', 0o100640, 4, '', 17, 'root', 'root'],
      ['/opt/acme', 0o040755, 0, '', 0, 'root', 'root'],
      ['/opt/acme/bin', 0o040755, 0, '', 0, 'root', 'root'],
      ['/opt/acme/bin/run.sh', 0o100755, 19, '', 0, 'root', 'root'],
      ['/opt/acme/data.txt', 0o100644, 5, '', 0, 'root', 'root'],
      ['/opt/acme/empty', 0o100644, 0, '', 0, 'root', 'root'],
      ['/opt/acme/link', 0o120777, 8, 'data.txt', 0, 'root', 'root'],
    ]);
    expect(info.requires).toContainEqual(spec.requires![0]);
    expect(info.provides).toContainEqual({ name: 'update-acme', flags: RPMSENSE.EQUAL, version: '1:2.0-3.xs8' });
    expect(info.fileSize).toBe(readFileSync(rpmPath).length);
  });

  it('writes a 96-byte lead naming n-[e:]v-r and reserves 4128 bytes for signing', () => {
    const buf = encodeRpm(sample());
    expect(buf.subarray(0, 8).toString('hex')).toBe('edabeedb03000000');
    expect(buf.toString('latin1', 10, 10 + 'update-acme-1:2.0-3.xs8'.length + 1)).toBe('update-acme-1:2.0-3.xs8\0');
    expect(buf.readUInt16BE(76)).toBe(1);
    expect(buf.readUInt16BE(78)).toBe(5);
    const sig = decodeHeader(buf, LEAD_SIZE, 'signature');
    expect(sig.paddedEnd % 8).toBe(0);
    expect(sig.bin(1008)).toEqual(Buffer.alloc(4128));
    expect([...sig.entries.keys()]).toEqual([62, 269, 273, 1000, 1004, 1007, 1008]);
  });

  it('carries the set of main header tags rpmbuild writes for a noarch package', () => {
    const fixture = readFileSync(rpms['xs-hello']!);
    const theirs = decodeHeader(fixture, decodeHeader(fixture, LEAD_SIZE, 'signature').paddedEnd, 'main');
    const spec: RpmSpecInput = {
      ...sample(),
      vendor: undefined, packager: undefined,
      scripts: { postin: 'true', preun: 'true' },
    };
    const buf = encodeRpm(spec);
    const ours = decodeHeader(buf, decodeHeader(buf, LEAD_SIZE, 'signature').paddedEnd, 'main');
    // Left out on purpose: 1122 OPTFLAGS (compiler flags), 1141 FILECLASS + 1142 CLASSDICT (libmagic output),
    // 5097 PAYLOADDIGESTALT (optional digest of the uncompressed payload).
    const omitted = new Set([1122, 1141, 1142, 5097]);
    expect([...theirs.entries.keys()].filter((t) => !omitted.has(t) && !ours.has(t))).toEqual([]);
    expect([...ours.entries.keys()].filter((t) => !theirs.has(t))).toEqual([]);
  });

  it('is deterministic: same input, same bytes; a different buildTime changes them', () => {
    const a = encodeRpm(sample());
    expect(encodeRpm(sample()).equals(a)).toBe(true);
    expect(encodeRpm({ ...sample(), files: [...sample().files].reverse() }).equals(a)).toBe(true);
    expect(encodeRpm({ ...sample(), buildTime: 1700000001 }).equals(a)).toBe(false);
    // RFC 1952 2.3: the payload's gzip member header has MTIME 0 and OS 3.
    const payload = a.subarray(a.length - decodeHeader(a, LEAD_SIZE, 'signature').number(1000)!);
    const gz = payload.subarray(decodeHeader(payload, 0, 'main').end);
    expect(gz.subarray(0, 10).toString('hex')).toBe('1f8b0800000000000203');
  });

  it('writes a package with no files and no scripts', async () => {
    const out = join(dir, 'empty.rpm');
    await writeRpm({ ...sample(), files: [], scripts: undefined, epoch: undefined }, out);
    expect(run('rpm', ['-Kv', out])).toContain('Payload SHA256 digest: OK');
    expect(run('rpm', ['-qpl', out]).trim()).toBe('(contains no files)');
    expect(run('rpm', ['-qp', '--requires', out])).not.toContain('/bin/sh');
    expect((await readRpm(out)).epoch).toBeUndefined();
  });
});

describe('encodeRpm validation', () => {
  const cases: Array<[string, (s: RpmSpecInput) => void, RegExp]> = [
    ['relative file path', (s) => (s.files[0]!.path = 'opt/acme/x'), /^RPM spec files\[0\]\.path: expected an absolute normalized path/],
    ['duplicate path', (s) => s.files.push({ path: '/opt/acme/data.txt', mode: 0o100644 }), /^RPM spec files\[7\]\.path: duplicate path \/opt\/acme\/data\.txt$/],
    ['bad name chars', (s) => (s.name = 'update acme'), /^RPM spec name: expected letters/],
    ['version containing -', (s) => (s.version = '2.0-1'), /^RPM spec version: expected .*no '-'.*"2\.0-1"/],
    ['release containing -', (s) => (s.release = 'a-b'), /^RPM spec release: /],
    ['.. in a path', (s) => (s.files[0]!.path = '/opt/../etc'), /^RPM spec files\[0\]\.path: /],
    ['unsupported arch', (s) => (s.arch = 'sparc'), /^RPM spec arch: expected one of noarch, x86_64/],
    ['symlink without target', (s) => delete s.files[4]!.linkTo, /^RPM spec files\[4\]\.linkTo: /],
    ['content on a directory', (s) => (s.files[1]!.content = Buffer.from('x')), /^RPM spec files\[1\]\.content: /],
    ['device mode', (s) => (s.files[0]!.mode = 0o020644), /^RPM spec files\[0\]\.mode: /],
    ['file under a non-directory', (s) => s.files.push({ path: '/opt/acme/data.txt/x', mode: 0o100644 }), /inside \/opt\/acme\/data\.txt, which is not a directory/],
    ['dependency with a space', (s) => (s.requires = [{ name: 'a b', flags: 0, version: '' }]), /^RPM spec requires\[0\]: name: /],
    ['version without a comparison', (s) => (s.provides = [{ name: 'x', flags: 0, version: '1' }]), /^RPM spec provides\[0\]: /],
    ['multi-line summary', (s) => (s.summary = 'a\nb'), /^RPM spec summary: /],
    ['negative buildTime', (s) => (s.buildTime = -1), /^RPM spec buildTime: /],
    ['interpreter of a missing script', (s) => (s.scriptPrograms = { preun: ['/bin/bash'] }), /^RPM spec scriptPrograms\.preun: names the interpreter of a script that is not given/],
    ['relative interpreter', (s) => ((s.scripts = { prein: 'exit 0' }), (s.scriptPrograms = { prein: ['python'] })), /^RPM spec scriptPrograms\.prein: expected an absolute interpreter path/],
  ];
  it.each(cases)('rejects %s with a one-line SuppackError', (_label, mutate, message) => {
    const spec = sample();
    mutate(spec);
    let err: unknown;
    try {
      encodeRpm(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SuppackError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('names the output file and leaves nothing behind when writeRpm fails', async () => {
    const out = join(dir, 'bad', 'bad.rpm');
    await expect(writeRpm({ ...sample(), version: '1-2' }, out)).rejects.toThrow(/^.*bad\.rpm: RPM spec version: /);
    expect(existsSync(out)).toBe(false);
  });
});

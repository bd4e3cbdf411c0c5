import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { compareXcpVersions } from '../legacy/version';
import { hostileRpm } from '../../formats/rpm/testing';
import { INSTALL_SCRIPT_NAMES, installScriptPath, readInstallScript } from './index';
import {
  giveRootAShell,
  HOST_UUID,
  installedNames,
  makeHost,
  rpmQuery,
  runInstall,
  writePack,
  type Host,
  type PackSpec,
} from './testing';

// The real script runs under dash (/bin/sh on Debian) and bash against a fake host root:
// SUPPACK_ROOT prefixes the host paths and gives rpm --root; XE points at a stand-in xe that
// only logs its arguments, because no XenServer host (xapi) can run here.
const rpms = inject('fixtureRpms');
const SHELLS = ['/bin/sh', 'bash'];

const bases: string[] = [];
afterEach(() => {
  for (const b of bases.splice(0)) rmSync(b, { recursive: true, force: true });
});

/** A fresh host and pack directory; every path contains spaces. */
function setup(spec: PackSpec, hostOpts: Parameters<typeof makeHost>[1] = {}): { host: Host; pack: string } {
  const base = mkdtempSync(join(tmpdir(), 'suppack install '));
  bases.push(base);
  const host = makeHost(base, hostOpts);
  const pack = join(base, 'mnt', 'my pack');
  writePack(pack, spec);
  return { host, pack };
}

const registered = (host: Host, id: string, file: string) =>
  join(host.root, 'etc/xensource/installed-repos', id, file);
const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');

const helloLib = { rpm: rpms['hello-lib'], label: 'hello-lib' };
const manyFiles = { rpm: rpms['many-files'], label: 'many-files' };
const kernel = { rpm: rpms.kernel, label: 'kernel', options: '-i' };
const acmeTool = { rpm: rpms['acme-tool'], label: 'acme-tool' };
const base = (rpm: string) => rpm.slice(rpm.lastIndexOf('/') + 1);

describe('install script assets', () => {
  it('is a POSIX sh script found next to the module, under both ISO names', async () => {
    expect(INSTALL_SCRIPT_NAMES).toEqual(['install', 'install.sh']);
    const bytes = await readInstallScript();
    expect(bytes.equals(readFileSync(installScriptPath()))).toBe(true);
    const text = bytes.toString('latin1');
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).not.toMatch(/\r/);
    expect(/^[\x09\x0a\x20-\x7e]*$/.test(text)).toBe(true);
    expect(statSync(installScriptPath()).mode & 0o111).not.toBe(0);
  });
});

describe.each(SHELLS)('install.sh under %s', (shell) => {
  it('installs, registers the pack and refreshes xapi', () => {
    const { host, pack } = setup({
      packages: [helloLib, manyFiles, kernel],
      requires: [{ originator: 'xs', name: 'main', test: 'ge', version: '8.2.0', build: '17' }],
    });
    const r = runInstall(shell, host, pack, ['-b']);
    expect(r.stderr).not.toMatch(/FATAL|Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Installing 'Hello pack'...");
    expect(r.stdout).toContain('Pack installation successful.');
    expect(installedNames(host)).toEqual(['hello-lib', 'kernel', 'many-files']);
    for (const f of ['XS-REPOSITORY', 'XS-PACKAGES']) {
      expect(readFileSync(registered(host, 'acme:hello', f)).equals(readFileSync(join(pack, f)))).toBe(true);
    }
    expect(read(host.xeLog)).toBe(`host-refresh-pack-info host-uuid=${HOST_UUID}\n`);
    // options="-i" → rpm -ihv first; the others in one rpm -Uhv transaction.
    const calls = read(host.rpmLog).split('\n');
    const root = `--root ${host.root}`;
    expect(calls).toContain(`${root} -ihv ./${base(rpms.kernel)}`);
    expect(calls).toContain(`${root} -Uhv ./${base(rpms['hello-lib'])} ./${base(rpms['many-files'])}`);
    expect(calls.findIndex((c) => c.includes('-ihv'))).toBeLessThan(calls.findIndex((c) => c.includes('-Uhv')));
  });

  it('installs a kernel-style options="-i" package with rpm -i', () => {
    const { host, pack } = setup({ packages: [kernel] });
    const r = runInstall(shell, host, pack, ['-b']);
    expect(r.status).toBe(0);
    expect(rpmQuery(host, 'kernel')).toBe('kernel-4.19.19-7.0.9.1.xs8');
    expect(read(host.rpmLog)).toMatch(/ -ihv \.\/kernel-/);
    expect(read(host.rpmLog)).not.toMatch(/-Uhv/);
  });

  it('skips an RPM already installed at the same VERSION-RELEASE, and asks before reinstalling', () => {
    const { host, pack } = setup({ packages: [helloLib] });
    expect(runInstall(shell, host, pack, ['-b']).status).toBe(0);
    const again = runInstall(shell, host, pack, ['--batch']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`Skipping ${base(rpms['hello-lib'])}: hello-lib 1.2-3 is already installed`);
    expect(read(host.rpmLog).match(/-Uhv/g)).toHaveLength(1);
    // Interactive: the already-installed warning; N → 3, Y → carry on.
    const no = runInstall(shell, host, pack, [], 'n\n');
    expect(no.status).toBe(3);
    expect(no.stderr).toContain("Warning: 'Hello pack' is already installed");
    expect(runInstall(shell, host, pack, [], 'y\n').status).toBe(0);
    expect(read(host.xeLog).split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('rejects a pack for another product: exit 2 in batch mode, N at the prompt, PLATFORM_NAME accepted', () => {
    const { host, pack } = setup({ product: 'XCP-ng', packages: [helloLib] });
    const r = runInstall(shell, host, pack, ['-b']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Error: Repository is not compatible with installed product (XCP-ng expected)');
    const n = runInstall(shell, host, pack, [], 'N\n');
    expect(n.status).toBe(2);
    expect(n.stdout).toContain('Do you want to continue? (Y/N)');
    expect(installedNames(host)).toEqual([]);
    expect(existsSync(registered(host, 'acme:hello', ''))).toBe(false);
    const other = setup({ product: 'XCP', packages: [helloLib] });
    expect(runInstall(shell, other.host, other.pack, ['-b']).status).toBe(0);
  });

  it('fails on a missing dependency, naming it', () => {
    const { host, pack } = setup({
      packages: [helloLib],
      requires: [{ originator: 'acme', name: 'base', test: 'ge', version: '1.0' }],
    });
    const r = runInstall(shell, host, pack, ['-b']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FATAL: missing dependency acme:base');
    expect(installedNames(host)).toEqual([]);
  });

  it('stops on a dependency version too low (exit 2 in batch), continues on Y', () => {
    const { host, pack } = setup({
      packages: [helloLib],
      requires: [{ originator: 'xs', name: 'main', test: 'ge', version: '9.0' }],
    });
    const r = runInstall(shell, host, pack, ['-b']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Error: unsatisfied dependency xs:main ge 9.0 (installed: 8.2.1)');
    expect(installedNames(host)).toEqual([]);
    expect(runInstall(shell, host, pack, [], 'Y\n').status).toBe(0);
    expect(installedNames(host)).toEqual(['hello-lib']);
  });

  it('checks xs:main against PRODUCT_VERSION when installed-repos/xs:main is absent', () => {
    const ok = setup(
      { packages: [helloLib], requires: [{ originator: 'xs', name: 'main', test: 'eq', version: '8.2.1' }] },
      { xsMain: false },
    );
    expect(runInstall(shell, ok.host, ok.pack, ['-b']).status).toBe(0);
    const low = setup(
      { packages: [helloLib], requires: [{ originator: 'xs', name: 'main', test: 'gt', version: '8.2.1' }] },
      { xsMain: false },
    );
    expect(runInstall(shell, low.host, low.pack, ['-b']).status).toBe(2);
  });

  it('refuses a corrupt package (md5) and a missing one, installing nothing', () => {
    const { host, pack } = setup({ packages: [manyFiles, helloLib] });
    const file = join(pack, base(rpms['hello-lib']));
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff; // same size, different md5
    writeFileSync(file, bytes);
    const r = runInstall(shell, host, pack, ['-b']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^FATAL: MD5 mismatch on hello-lib-1\.2-3\.noarch\.rpm \(expected [0-9a-f]{32}, got [0-9a-f]{32}\)$/m);
    expect(r.stderr).not.toContain('many-files');
    rmSync(file);
    const missing = runInstall(shell, host, pack, ['-b']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`FATAL: ${base(rpms['hello-lib'])} missing`);
    expect(installedNames(host)).toEqual([]);
    expect(read(host.rpmLog)).not.toMatch(/hv/);
    expect(read(host.xeLog)).toBe('');
  });

  it('shows the EULA even in batch mode; N or no answer exits 4 and installs nothing', () => {
    const { host, pack } = setup({ packages: [helloLib, acmeTool] });
    const r = runInstall(shell, host, pack, ['-b'], 'N\n');
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('ACME END USER LICENSE AGREEMENT\nYou agree to be nice.\nAccept? (Y/N) ');
    expect(runInstall(shell, host, pack, ['-b'], '').status).toBe(4);
    expect(runInstall(shell, host, pack, [], 'maybe\nno\n').status).toBe(4);
    expect(installedNames(host)).toEqual([]);
    expect(existsSync(registered(host, 'acme:hello', ''))).toBe(false);
  });

  it('installs after the EULA is accepted', () => {
    const { host, pack } = setup({ packages: [acmeTool] });
    giveRootAShell(host); // acme-tool has scriptlets: it needs /bin/sh in the rpm root
    const r = runInstall(shell, host, pack, ['-b'], 'Y\n');
    expect(r.stderr).not.toMatch(/FATAL/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ACME END USER LICENSE AGREEMENT');
    expect(rpmQuery(host, 'acme-tool')).toBe('acme-tool-3.1.4-2.xs8');
  });

  it('copes with spaces and escaped characters in paths, names and descriptions', () => {
    const { host, pack } = setup({
      name: 'hello & "co"',
      description: 'Hello <pack> & "friends"',
      packages: [{ ...helloLib, as: 'hello lib & co.rpm' }],
    });
    expect(read(join(pack, 'XS-PACKAGES'))).toContain('>hello lib &amp; co.rpm</package>');
    // `install` (not install.sh), run through a path with spaces from another directory.
    const r = spawnSync(shell, [join(pack, 'install')], { cwd: tmpdir(), env: host.env, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/FATAL|Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Installing 'Hello <pack> & "friends"'...`);
    expect(read(host.rpmLog)).toContain('-Uhv ./hello lib & co.rpm');
    expect(installedNames(host)).toEqual(['hello-lib']);
    expect(read(registered(host, 'acme:hello & "co"', 'XS-REPOSITORY'))).toBe(read(join(pack, 'XS-REPOSITORY')));
  });

  it('prints usage for -h, and usage with exit 1 for an unknown option', () => {
    const { host, pack } = setup({ packages: [helloLib] });
    const h = runInstall(shell, host, pack, ['-h']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: \.\/install \[-b\|--batch\]/);
    const bad = runInstall(shell, host, pack, ['--force']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Error: unknown option: --force');
    expect(bad.stderr).toContain('Usage:');
    expect(installedNames(host)).toEqual([]);
  });

  it('compares versions like docs/formats/xenserver.md §1.11 (xcp/version.py)', () => {
    const ops = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'] as const;
    // Each line: vercmp's output (or "error"), then vertest's status for each operator.
    const prog = `. "$1"
while IFS='|' read -r a b; do
  c=$(vercmp "$a" "$b") || c=error
  line=$c
  for op in ${ops.join(' ')}; do vertest "$a" "$op" "$b"; line="$line $?"; done
  printf '%s\\n' "$line"
done`;
    const input = VERSION_PAIRS.map(([a, b]) => `${a}|${b}\n`).join('');
    const r = spawnSync(shell, ['-c', prog, 'sh', installScriptPath()], {
      input,
      encoding: 'utf8',
      env: { ...process.env, SUPPACK_INSTALL_LIB: '1' },
    });
    expect(r.stderr).toBe('');
    const got = r.stdout.trimEnd().split('\n');
    const want = VERSION_PAIRS.map(([a, b]) => {
      const c = refCompare(a, b);
      const status = ops.map((op) => (c === 'error' ? 2 : refTest(c, op) ? 0 : 1));
      return [String(c), ...status].join(' ');
    });
    expect(got).toEqual(want);
  });
});

// Issue 19, item 1: a NAME from an RPM header never reaches rpm's command line. rpm 4.4.2.3 reads
// options even after `--`, so install.sh asks rpm for the installed list once (rpm -qa) instead
// of `rpm -q NAME`, and refuses a NAME or VERSION-RELEASE outside rpmbuild's rules. Run with the
// system rpm and with the hosts' own releases (testing/old-rpm.ts) into a private root.
describe.each([undefined, '4.11', '4.4'] as const)('install.sh and hostile package names, rpm %s', (release) => {
  const hostOpts = release === undefined ? {} : { rpm: release };
  it('never runs the %(...) of a NAME like --eval=%(touch ...): refused, nothing installed', () => {
    const marker = mkdtempSync(join(tmpdir(), 'suppack-pwned-'));
    bases.push(marker);
    const work = mkdtempSync(join(tmpdir(), 'suppack-hostile-'));
    bases.push(work);
    const evil = hostileRpm(work, 'evil.rpm', { name: `--eval=%(touch ${marker}/pwned)` });
    const { host, pack } = setup({ packages: [{ rpm: rpms['old-host'], label: 'old-host' }, { rpm: evil, label: 'evil' }] }, hostOpts);
    for (const shell of SHELLS) {
      const r = runInstall(shell, host, pack, ['-b']);
      expect(existsSync(join(marker, 'pwned'))).toBe(false);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('FATAL: evil.rpm: bad package NAME in the RPM header');
      expect(read(host.rpmLog)).not.toMatch(/hv|--eval/);
    }
  });

  it('skips a package already installed at the same VERSION-RELEASE (the rpm -qa list)', () => {
    const { host, pack } = setup({ packages: [{ rpm: rpms['old-host'], label: 'old-host' }] }, hostOpts);
    const first = runInstall('/bin/sh', host, pack, ['-b']);
    expect(first.stderr).not.toMatch(/FATAL|Error/);
    expect(first.status).toBe(0);
    const again = runInstall('/bin/sh', host, pack, ['-b']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`Skipping ${base(rpms['old-host'])}: old-host 2.1-4 is already installed`);
    expect(read(host.rpmLog).match(/-Uhv/g)).toHaveLength(1);
  });
});

const VERSION_PAIRS: [string, string][] = [
  ['1.0', '1.0'], ['1.0', '1.0.0'], ['1.0.0', '1.0'], ['8.2.1', '9.0'], ['9.0', '8.2.1'],
  ['10', '9'], ['2', '10'], ['1.10', '1.9'], ['01.2', '1.2'], ['6.5.0-90233c', '6.5.0'],
  ['6.5.0-1', '6.5.0-2'], ['1.2-3-4', '1.2'], ['0', '0.0'], ['7.0.0', '7'], ['1.0a', '1.0'],
  ['1.x.3', '1.y'], ['1.0', '1.0.x'], ['', '1'], ['1..2', '1.0.2'], ['3.2.1', '3.2.1'],
  ['123456789012345678901234', '123456789012345678901235'], ['0010', '9'], ['8.2.1-58', '8.2.1-release/58'],
];

type Cmp = -1 | 0 | 1 | 'error';

/** The TypeScript implementation of docs/formats/xenserver.md §1.11 is the reference the sh one must agree with. */
function refCompare(a: string, b: string): Cmp {
  try {
    return compareXcpVersions(a, b);
  } catch {
    return 'error'; // a string arc that must be compared: python's xcp.version raises
  }
}

function refTest(c: -1 | 0 | 1, op: string): boolean {
  return { eq: c === 0, ne: c !== 0, lt: c < 0, gt: c > 0, le: c <= 0, ge: c >= 0 }[op] ?? false;
}

it('shellcheck finds nothing in install.sh as POSIX sh', () => {
  const r = spawnSync('shellcheck', ['-s', 'sh', installScriptPath()], { encoding: 'utf8' });
  expect(r.error).toBeUndefined();
  expect(r.stdout).toBe('');
  expect(r.status).toBe(0);
});

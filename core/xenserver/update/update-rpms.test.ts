import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRpm } from '../../formats/rpm';
import { makeShellRoot, run } from '../../formats/rpm/testing';
import { updatePackSchema, type UpdatePackInput } from '../../../schemas/update-pack';
import { addShellToRoot, privateRpmRoot, rpmInRoot, runOldRpm } from '../../../testing/old-rpm';
import { controlRpmSpec, parseBaseRequires, precheckProgram, printfCommand, resolveUpdateVersion, updateRpmSpec, updateRpmVersion } from './update-rpms';

const dir = mkdtempSync(join(tmpdir(), 'suppack-update-rpms-'));
const roots: string[] = [];
afterAll(() => {
  for (const r of [dir, ...roots]) rmSync(r, { recursive: true, force: true });
});

const UUID = '6854ab19-f807-4444-b94f-3ce7d64efe50';
const pack = (extra: Partial<UpdatePackInput> = {}) =>
  updatePackSchema.parse({ uuid: UUID, label: 'acme-nic', version: '3.8.7+1.xcpng8.2+pack.0.1', description: 'Acme NIC driver\nsecond line', ...extra });
const payload = [
  { name: 'acme-nic-module', version: '3.8.7', release: '1.xcpng8.2' },
  { name: 'acme-tools', epoch: 2, version: '1.0', release: '4' },
];
const input = (extra: Partial<UpdatePackInput> = {}, more = {}) => ({
  pack: pack(extra),
  version: pack(extra).version as string,
  payload,
  appliedStamp: '<update/>\n',
  epoch: 1_700_000_000,
  ...more,
});

function write(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('update-<label> RPM', () => {
  it('turns "+" into "." in its version, release 1 (build-update, docs/formats/xenserver.md §2.2 step 4)', () => {
    expect(updateRpmVersion('3.8.7+1.xcpng8.2+pack.0.1')).toBe('3.8.7.1.xcpng8.2.pack.0.1');
    const rpm = write('u1.rpm', encodeRpm(updateRpmSpec(input())));
    expect(run('rpm', ['-qp', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}', rpm])).toBe('update-acme-nic-3.8.7.1.xcpng8.2.pack.0.1-1.noarch');
    expect(run('rpm', ['-qp', '--qf', '%{SUMMARY}', rpm])).toBe('Acme NIC driver');
  });

  it('requires every payload RPM at least at its version and ships the applied stamp', () => {
    const rpm = write('u2.rpm', encodeRpm(updateRpmSpec(input())));
    const requires = run('rpm', ['-qp', '--requires', rpm]).split('\n');
    expect(requires).toContain('acme-nic-module >= 3.8.7-1.xcpng8.2');
    expect(requires).toContain('acme-tools >= 2:1.0-4');
    expect(run('rpm', ['-qpl', rpm]).trim()).toBe(`/var/update/applied/${UUID}`);
    expect(run('rpm', ['-qp', '--scripts', rpm])).toBe('');
  });

  it('stamps the reboot requirement in %posttrans with restartHost', () => {
    const rpm = write('u3.rpm', encodeRpm(updateRpmSpec(input({ afterApply: ['restartHost'] }))));
    const scripts = run('rpm', ['-qp', '--scripts', rpm]);
    expect(scripts.trimEnd()).toBe(`posttrans scriptlet (using /bin/sh):\necho ${UUID} >>/run/reboot-required.hfxs`);
    // Install for real into a root that can run the scriptlet (payload deps left out: --nodeps).
    const root = join(dir, 'root3');
    makeShellRoot(root);
    mkdirSync(join(root, 'run'), { recursive: true });
    run('rpm', ['--root', root, '-i', '--nodeps', rpm]);
    expect(readFileSync(join(root, 'run/reboot-required.hfxs'), 'utf8')).toBe(`${UUID}\n`);
    expect(readFileSync(join(root, `var/update/applied/${UUID}`), 'utf8')).toBe('<update/>\n');
  });
});

describe('printfCommand', () => {
  it('writes every byte as itself or an escape, and nothing the shell would expand', () => {
    const cmd = printfCommand(Buffer.from("a%b\\c'd$e`f\"g\nh\tü", 'utf8'), '/var/update/applied/x');
    expect(cmd).toBe("printf 'a%%b\\\\c\\047d$e`f\"g\\012h\\011\\303\\274' >/var/update/applied/x");
    // Between the single quotes: no quote, and every byte printable ASCII.
    expect(/^printf '([^']*)' >/.exec(cmd)?.[1]).toMatch(/^[\x20-\x7e]*$/);
  });
  it('refuses a path the shell would read as more than a word', () => {
    expect(() => printfCommand(Buffer.from('x'), '/tmp/a b')).toThrow(/unsafe path/);
  });
});

describe('control-<label> RPM', () => {
  it('is built only with a base requirement, a precheck or a remove script', () => {
    expect(controlRpmSpec(input())).toBeUndefined();
    expect(controlRpmSpec(input({ baseRequires: 'xenserver-release >= 8.2.0' }))).toBeDefined();
  });

  it('carries the requirement and installs the scripts under /var/update/<uuid>/', () => {
    const spec = controlRpmSpec(
      input({ baseRequires: 'xenserver-release >= 8.2.0, product-version=8.2.1', precheck: 'pre.sh', remove: 'rm.sh' }, {
        precheck: Buffer.from('#!/bin/sh\nexit 0\n'),
        remove: Buffer.from('#!/bin/sh\necho bye\n'),
      }),
    )!;
    const rpm = write('c1.rpm', encodeRpm(spec));
    expect(run('rpm', ['-qp', '--qf', '%{NAME}', rpm])).toBe('control-acme-nic');
    const requires = run('rpm', ['-qp', '--requires', rpm]).split('\n');
    expect(requires).toContain('xenserver-release >= 8.2.0');
    expect(requires).toContain('product-version = 8.2.1');
    const root = join(dir, 'root-c1');
    makeShellRoot(root);
    run('rpm', ['--root', root, '-i', '--nodeps', rpm]);
    expect(readFileSync(join(root, `var/update/${UUID}/precheck`), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect(run('stat', ['-c', '%a', join(root, `var/update/${UUID}/remove`)]).trim()).toBe('755');
    expect(existsSync(join(root, `var/update/${UUID}`))).toBe(true);
  });
});

describe('the precheck, run by installing the control RPM (docs/update-packs.md "When the precheck runs")', () => {
  const WRONG = '<error errorcode="UPDATE_PRECHECK_FAILED_WRONG_SERVER_VERSION"><found>8.2.0</found><required>8.2.1</required></error>';
  const control = (name: string, precheck: string) =>
    write(name, encodeRpm(controlRpmSpec(input({ precheck: 'pre.sh' }, { precheck: Buffer.from(precheck), precheckFile: 'pre.sh' }))!));
  const root = () => {
    const r = privateRpmRoot('4.11');
    roots.push(r);
    addShellToRoot(r, '/bin/bash', '/bin/bash');
    addShellToRoot(r, '/bin/sh');
    return r;
  };

  it("is the control RPM's %pre with the #! interpreter; with rpm 4.11.3 a failing one fails the install and prints xapi's error XML", () => {
    const fails = control('c-fail.rpm', `#!/bin/bash\necho '${WRONG}'\nexit 1\n`);
    expect(run('rpm', ['-qp', '--qf', '%{PREINPROG}', fails])).toBe('/bin/bash');
    expect(run('rpm', ['-qp', '--requires', fails]).split('\n')).toContain('/bin/bash');
    const r1 = root();
    const bad = rpmInRoot('4.11', r1, ['-i', '--nodeps', fails]);
    expect(bad.status).not.toBe(0);
    // What xapi's pool_update.precheck searches dnf's output for: <error errorcode=...>...</error>.
    expect(bad.output).toContain(WRONG);
    expect(rpmInRoot('4.11', r1, ['-q', 'control-acme-nic']).status).not.toBe(0);
    expect(existsSync(join(r1, `var/update/${UUID}/precheck`))).toBe(false);

    const passes = control('c-pass.rpm', '#!/bin/bash\n[ "$1" = 1 ] && exit 0\nexit 3\n');
    const r2 = root();
    const good = rpmInRoot('4.11', r2, ['-i', '--nodeps', passes]);
    expect(good.output).toBe('');
    expect(good.status).toBe(0);
    expect(readFileSync(join(r2, `var/update/${UUID}/precheck`), 'utf8')).toContain('exit 3');
  });

  it('runs a script without #! with /bin/sh, keeps "/usr/bin/env python3" as two words, refuses what rpm cannot run', () => {
    expect(precheckProgram(Buffer.from('exit 0\n')).program).toEqual(['/bin/sh']);
    expect(precheckProgram(Buffer.from('#!/usr/bin/env python3\nprint(1)\n')).program).toEqual(['/usr/bin/env', 'python3']);
    const env = control('c-env.rpm', '#!/usr/bin/env python3\nprint(1)\n');
    expect(run('rpm', ['-qp', '--qf', '[%{PREINPROG}\n]', env]).trim().split('\n')).toEqual(['/usr/bin/env', 'python3']);
    expect(() => precheckProgram(Buffer.from('#!python\n'), 'checks/pre.py')).toThrow(/checks\/pre\.py: precheck: the #! line "#!python": expected an absolute interpreter path/);
    expect(() => precheckProgram(Buffer.from([0x23, 0x21, 0x2f, 0x62, 0xff, 0x0a]), 'p')).toThrow(/expected a text script \(UTF-8, no NUL byte\)/);
  });
});

describe('parseBaseRequires', () => {
  it('reads NAME, NAME OP VERSION and NAME=VERSION', () => {
    expect(parseBaseRequires('a, b >= 1.0-2, c=8.2.0')).toEqual([
      { name: 'a', flags: 0, version: '' },
      { name: 'b', flags: 12, version: '1.0-2' },
      { name: 'c', flags: 8, version: '8.2.0' },
    ]);
  });
  it('names the bad item', () => {
    expect(() => parseBaseRequires('ok, bad >= ')).toThrow(/baseRequires \(item 2\): expected RPM requirements/);
    expect(() => parseBaseRequires('x >= 1 2')).toThrow(/baseRequires: expected RPM requirements .* got "x >= 1 2"/);
  });
  it('refuses names no package could provide: control characters, non-ASCII, a lone surrogate', () => {
    for (const name of ['a\u0001b', 'xenserver-r\u00e9lease', 'x\ud83d', 'x\uffff', 'x\u007f']) {
      expect(() => parseBaseRequires(`${name} >= 8.2.0`), JSON.stringify(name)).toThrow(/expected RPM requirements/);
    }
  });
  // The name's first character as the host's own rpmbuild (4.11.3) takes it in a Requires: line
  // (docs/formats/xenserver.md §2.2): build-update passes --base-requires there.
  it.each(
    ['xenserver-release', '_x', '/usr/bin/python', '9x', '-x', '.x', '(x)', '+x', '%x', '~x', '@x'].flatMap((n) => [n, `${n} >= 8.2.0`]),
  )('takes %j as rpm 4.11 rpmbuild does', (requirement) => {
    const spec = join(dir, 'requires.spec');
    writeFileSync(spec, `Name: t\nVersion: 1\nRelease: 1\nSummary: t\nLicense: x\nBuildArch: noarch\nRequires: %{requires}\n%description\nt\n%files\n`);
    const rpmbuild = runOldRpm('4.11', ['-bb', '--define', `_topdir ${join(dir, 'requires-top')}`, '--define', `requires ${requirement}`, spec], 'rpmbuild');
    const ours = (() => {
      try {
        parseBaseRequires(requirement);
        return true;
      } catch {
        return false;
      }
    })();
    expect({ requirement, accepted: ours }).toEqual({ requirement, accepted: rpmbuild.status === 0 });
    if (!ours) expect(rpmbuild.output).toMatch(/Dependency tokens must begin with alpha-numeric, '_' or '\/'|Versioned file name not permitted/);
  });
});

describe('resolveUpdateVersion (driver disks, docs/formats/xenserver.md §2.5)', () => {
  const base = { uuid: UUID, label: 'e1000e', description: 'Intel', driverDisk: true };
  const rpm = (name: string, kernelModules: boolean) => ({ name, version: '3.8.7', release: '1.xcpng8.2', path: `${name}.rpm`, kernelModules });
  it('takes <version>+<release>+<build> of the driver RPM', () => {
    const p = updatePackSchema.parse({ ...base, build: 'pack.0.1' });
    expect(resolveUpdateVersion(p, [rpm('e1000e-module', true), rpm('e1000e-tools', false)])).toBe('3.8.7+1.xcpng8.2+pack.0.1');
  });
  it('asks for a version when there is no single driver RPM', () => {
    const p = updatePackSchema.parse(base);
    expect(() => resolveUpdateVersion(p, [rpm('a', true), rpm('b', true)])).toThrow(/no single driver RPM .* set pack.version/);
  });
  it('the schema wants a version for a plain update', () => {
    expect(updatePackSchema.safeParse({ ...base, driverDisk: false }).error?.issues[0]?.path).toEqual(['version']);
  });
});

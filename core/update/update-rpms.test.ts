import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRpm } from '../rpm';
import { makeShellRoot, run } from '../rpm/write-testing';
import { updatePackSchema, type UpdatePackInput } from '../../schemas/update-pack';
import { controlRpmSpec, parseBaseRequires, printfCommand, resolveUpdateVersion, updateRpmSpec, updateRpmVersion } from './update-rpms';

const dir = mkdtempSync(join(tmpdir(), 'suppack-update-rpms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
  it('turns "+" into "." in its version, release 1 (build-update, formats.md 2.2 step 4)', () => {
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
});

describe('resolveUpdateVersion (driver disks, formats.md 2.5)', () => {
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

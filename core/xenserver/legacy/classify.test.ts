import { describe, expect, inject, it, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { readRpm } from '../../formats/rpm';
import { checkPackagePaths, classifyPackage, ddkModulesNameSplit, isKernelName, modulesNameSplit } from './classify';
import { random } from '../../../testing/random';
import { fakeRpm, files } from './testing';

const KERNEL_GROUP = 'System Environment/Kernel';

describe('classifyPackage', () => {
  it('classifies a plain RPM by its NAME', () => {
    expect(classifyPackage(fakeRpm({ name: 'xs-hello' }))).toEqual({ type: 'rpm', label: 'xs-hello', isKernel: false });
  });

  it('gives kernel packages options -i and type rpm, even with a /Kernel group', () => {
    expect(classifyPackage(fakeRpm({ name: 'kernel', group: KERNEL_GROUP }))).toEqual({
      type: 'rpm',
      label: 'kernel',
      options: '-i',
      isKernel: true,
    });
  });

  it('keeps the vendor substring quirk: NAME must be a substring of "kernel"', () => {
    expect(isKernelName('kernel')).toBe(true);
    expect(isKernelName('kern')).toBe(true);
    expect(isKernelName('kernel-xen')).toBe(false);
    expect(classifyPackage(fakeRpm({ name: 'kernel-devel', group: KERNEL_GROUP })).type).toBe('driver-rpm');
    expect(classifyPackage(fakeRpm({ name: 'kernel-devel' })).options).toBeUndefined();
  });

  it('parses <label>-<kernel>-modules for driver RPMs', () => {
    expect(classifyPackage(fakeRpm({ name: 'acme-4.19.0+1-modules', group: KERNEL_GROUP }))).toEqual({
      type: 'driver-rpm',
      label: 'acme',
      kernel: '4.19.0+1',
      isKernel: false,
    });
  });

  it('uses greedy groups like Python re.search (label takes the dashes)', () => {
    const c = (name: string) => classifyPackage(fakeRpm({ name, group: 'Base/Kernel' }));
    expect(c('my-drv-4.19.0+1-modules')).toMatchObject({ label: 'my-drv', kernel: '4.19.0+1' });
    expect(c('drv-4.19.19-7.0.9-modules')).toMatchObject({ label: 'drv-4.19.19', kernel: '7.0.9' });
    expect(c('a-b-modules-extra')).toMatchObject({ label: 'a', kernel: 'b' });
    expect(c('a-b-modules-c-modules')).toMatchObject({ label: 'a-b-modules', kernel: 'c' });
  });

  it('falls back to label NAME and kernel any when the NAME does not match', () => {
    expect(classifyPackage(fakeRpm({ name: 'acme-firmware', group: KERNEL_GROUP }))).toEqual({
      type: 'driver-rpm',
      label: 'acme-firmware',
      kernel: 'any',
      isKernel: false,
    });
  });

  it('needs the group to end in /Kernel exactly', () => {
    expect(classifyPackage(fakeRpm({ name: 'x-1-modules', group: 'System Environment/Kernel ' })).type).toBe('rpm');
    expect(classifyPackage(fakeRpm({ name: 'x-1-modules', group: 'Kernel' })).type).toBe('rpm');
  });
});

describe('checkPackagePaths', () => {
  const check = (name: string, group: string, paths: string[]) => {
    const info = fakeRpm({ name, group, files: files(...paths) });
    return () => checkPackagePaths(info, classifyPackage(info));
  };

  it('rejects modules and kernels in plain RPMs, naming the RPM and the file', () => {
    const info = fakeRpm({ name: 'tool', files: files('/usr/bin/tool', '/lib/modules/4.19/extra/x.ko') });
    expect(() => checkPackagePaths(info, classifyPackage(info))).toThrow(SuppackError);
    try {
      checkPackagePaths(info, classifyPackage(info));
    } catch (e) {
      expect(e).toBeInstanceOf(SuppackError);
      expect((e as SuppackError).file).toBe(info.path);
      expect((e as SuppackError).field).toBe('/lib/modules/4.19/extra/x.ko');
      expect((e as SuppackError).message).toMatch(/expected no file under \/lib\/modules\/ or \/boot\/vmlinu\*/);
    }
    expect(check('tool', 'Applications/System', ['/boot/vmlinuz-4.19'])).toThrow(/\/boot\/vmlinuz-4\.19/);
    expect(check('tool', 'Applications/System', ['/lib/modules', '/boot/vmlinux.txt.not'])).toThrow(/vmlinux/);
    expect(check('tool', 'Applications/System', ['/lib/modules', '/boot/config', '/usr/lib/modules/x'])).not.toThrow();
  });

  it('lets the kernel ship /lib/modules and /boot/vmlinuz', () => {
    expect(check('kernel', KERNEL_GROUP, ['/boot/vmlinuz-4.19', '/lib/modules/4.19/kernel/a.ko'])).not.toThrow();
  });

  it('limits kernel "any" driver RPMs to udev rules, firmware, /etc and docs', () => {
    expect(
      check('fw', KERNEL_GROUP, ['/lib/firmware', '/lib/firmware/a/b.bin', '/etc/udev/rules.d/99.rules', '/etc/x.conf', '/usr/share/doc/fw/README']),
    ).not.toThrow();
    expect(check('fw', KERNEL_GROUP, ['/lib/firmware-extra/x'])).toThrow(/fw-1\.0-1\.noarch\.rpm: \/lib\/firmware-extra\/x: .*kernel "any"/);
    expect(check('fw', KERNEL_GROUP, ['/usr/bin/fwtool'])).toThrow(SuppackError);
  });

  it('rejects in-tree module paths of the named kernel unless whitelisted', () => {
    expect(check('drv-4.19-modules', KERNEL_GROUP, ['/lib/modules/4.19/extra/a.ko', '/lib/modules/4.19/updates/b.ko', '/etc/modprobe.d/x.conf'])).not.toThrow();
    expect(check('drv-4.19-modules', KERNEL_GROUP, ['/lib/modules/4.19/kernel/drivers/a.ko'])).toThrow(
      /: \/lib\/modules\/4\.19\/kernel\/drivers\/a\.ko: .*expected its modules under \/lib\/modules\/4\.19\/extra\//,
    );
    // Vendor quirk: only THAT kernel's kernel/ directory is checked.
    expect(check('drv-4.19-modules', KERNEL_GROUP, ['/lib/modules/5.10/kernel/a.ko'])).not.toThrow();
    expect(check('md3000-rdac-4.19-modules', KERNEL_GROUP, ['/lib/modules/4.19/kernel/a.ko'])).not.toThrow();
    // ... and the whitelist is a substring test too.
    expect(check('rdac-4.19-modules', KERNEL_GROUP, ['/lib/modules/4.19/kernel/a.ko'])).not.toThrow();
  });
});

describe('classify the fixture RPMs (real rpmbuild output through readRpm)', () => {
  const rpms = inject('fixtureRpms');
  const load = async (name: string) => {
    const info = await readRpm(rpms[name]!);
    return { info, c: classifyPackage(info) };
  };

  it('kernel → rpm with options -i, paths accepted', async () => {
    const { info, c } = await load('kernel');
    expect(c).toEqual({ type: 'rpm', label: 'kernel', options: '-i', isKernel: true });
    expect(() => checkPackagePaths(info, c)).not.toThrow();
  });

  it('acme-modules → driver-rpm label acme kernel 4.19.0+1', async () => {
    const { info, c } = await load('acme-modules');
    expect(c).toEqual({ type: 'driver-rpm', label: 'acme', kernel: '4.19.0+1', isKernel: false });
    expect(() => checkPackagePaths(info, c)).not.toThrow();
  });

  it('acme-firmware → driver-rpm kernel any', async () => {
    const { info, c } = await load('acme-firmware');
    expect(c).toEqual({ type: 'driver-rpm', label: 'acme-firmware', kernel: 'any', isKernel: false });
    expect(() => checkPackagePaths(info, c)).not.toThrow();
  });

  it('bad-userspace → error naming /lib/modules/4.19.0+1/extra/bad.ko', async () => {
    const { info, c } = await load('bad-userspace');
    expect(c.type).toBe('rpm');
    expect(() => checkPackagePaths(info, c)).toThrow(SuppackError);
    expect(() => checkPackagePaths(info, c)).toThrow(`${rpms['bad-userspace']}: /lib/modules/4.19.0+1/extra/bad.ko: `);
  });

  it('xs-hello → rpm', async () => {
    const { info, c } = await load('xs-hello');
    expect(c).toEqual({ type: 'rpm', label: 'xs-hello', isKernel: false });
    expect(() => checkPackagePaths(info, c)).not.toThrow();
  });
});

describe('kernel releases read from the modules the RPM ships', () => {
  const KERNEL = 'System Environment/Kernel';
  it('splits <label>-<k>-modules at the shipped kernel even when it has dashes', () => {
    const info = fakeRpm({ name: 'acme-nic-6.1.0-56-amd64-modules', group: KERNEL, files: files('/lib/modules/6.1.0-56-amd64/updates/acme-nic.ko') });
    expect(classifyPackage(info)).toMatchObject({ type: 'driver-rpm', label: 'acme-nic', kernel: '6.1.0-56-amd64' });
  });
  it('reads the DDK 7.7.2 naming <name>-modules-<flavour>-<kernel>', () => {
    const k = '2.6.18-128.1.6.el5.xs5.5.0.502.1014';
    const info = fakeRpm({ name: `helloworld-modules-xen-${k}`, group: KERNEL, files: files(`/lib/modules/${k}xen/extra/helloworld.ko`) });
    expect(classifyPackage(info)).toMatchObject({ type: 'driver-rpm', label: 'helloworld', kernel: `${k}xen` });
  });
  it('agrees with the vendor regex on well-formed names', () => {
    const info = fakeRpm({ name: 'my-drv-4.19.0+1-modules', group: KERNEL, files: files('/lib/modules/4.19.0+1/updates/x.ko') });
    expect(classifyPackage(info)).toMatchObject({ label: 'my-drv', kernel: '4.19.0+1' });
  });
});

// The regexes the splits stand for backtrack polynomially (the first cubically) on hostile names;
// the splits give what they give, in time linear in the name.
describe('the -modules name splits: the regexes\' answers, read in one pass', () => {
  const pieces = ['-', '-modules', '-modules-', 'a', 'b1', '.', '\n', '\r', 'modules'];
  const names = (seed: number) => {
    const rand = random(seed);
    return Array.from({ length: 20_000 }, () => Array.from({ length: rand.int(8) }, () => rand.pick(pieces)).join(''));
  };
  test('(.*)-(.*)-modules, as re.search reads it', () => {
    for (const name of names(1)) {
      const m = /(.*)-(.*)-modules/.exec(name);
      expect(modulesNameSplit(name), JSON.stringify(name)).toEqual(m ? { label: m[1], kernel: m[2] } : undefined);
    }
  });
  test('^(.+)-modules-([^-]+)-(.+)$, the DDK guide\'s form', () => {
    for (const name of names(2)) {
      const m = /^(.+)-modules-([^-]+)-(.+)$/.exec(name);
      expect(ddkModulesNameSplit(name), JSON.stringify(name)).toEqual(m ? { label: m[1], flavour: m[2], kernel: m[3] } : undefined);
    }
  });
  test('hostile names a megabyte long', () => {
    const long = `x-${'ules-'.repeat(200_000)}k-modules`;
    const split = modulesNameSplit(long);
    expect([split?.label.length, split?.kernel]).toEqual([long.length - '-k-modules'.length, 'k']);
    const ddk = ddkModulesNameSplit(`s${'-modules-s-s'.repeat(100_000)}`);
    expect([ddk?.label.length, ddk?.flavour, ddk?.kernel]).toEqual([1 + 12 * 99_999, 's', 's']);
  });
});

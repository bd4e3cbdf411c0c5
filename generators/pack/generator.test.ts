import { readNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, test } from 'vitest';
import { manifestSchema } from '../../schemas/manifest';
import { inferTargets } from '../../plugin/targets';
import { packGenerator } from './generator';

const base = { vendorCode: 'acme', vendorName: 'Acme "Quoted" & Co', text: 'Hello 100% pack' } as const;

function files(tree: Tree, dir: string): string[] {
  const walk = (d: string): string[] => (tree.isFile(d) ? [d] : tree.children(d).flatMap((c) => walk(`${d}/${c}`)));
  return walk(dir).map((f) => f.slice(dir.length + 1)).sort();
}
const read = (tree: Tree, f: string) => tree.read(f, 'utf8') ?? '';
const manifestOf = (tree: Tree, dir: string) => manifestSchema.parse(JSON.parse(read(tree, `${dir}/suppack.json`)));

describe('pack generator', () => {
  test('driver: module source, Kbuild, Makefile, a module spec, a manifest that validates', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { ...base, name: 'hello-drv', type: 'driver' });
    const dir = 'packs/hello-drv';
    expect(files(tree, dir)).toEqual(['README.md', 'specs/hello-drv-modules.spec', 'src/Kbuild', 'src/Makefile', 'src/hello-drv.c', 'suppack.json']);
    const m = manifestOf(tree, dir);
    expect(m.pack).toMatchObject({ vendorCode: 'acme', label: 'hello-drv', text: 'Hello 100% pack', version: '1.0', productVersion: '7.0.0' });
    expect(m.rpms).toEqual([
      { spec: 'specs/hello-drv-modules.spec', kind: 'kernel-module', sources: 'src', version: '1.0', release: '1', defines: {} },
    ]);
    expect(m.kernels).toEqual([{ version: '4.19.0+1' }]);
    expect(JSON.parse(read(tree, `${dir}/suppack.json`)).$schema).toBe('../../node_modules/suppack/schemas/suppack.schema.json');

    const c = read(tree, `${dir}/src/hello-drv.c`);
    expect(c).toContain('MODULE_LICENSE("GPL");');
    expect(c).toContain('MODULE_VERSION("1.0");');
    expect(c).toContain('MODULE_AUTHOR("Acme \\"Quoted\\" & Co");');
    expect(c).toContain('module_param(greeting, charp, 0444);');
    expect(c).toContain('static int __init hello_drv_init(void)');
    expect(read(tree, `${dir}/src/Kbuild`)).toBe('obj-m := hello-drv.o\n');
    expect(read(tree, `${dir}/src/Makefile`)).toContain('\t$(MAKE) -C $(KERNEL_BUILD_DIR) M=$(CURDIR) modules\n');

    const spec = read(tree, `${dir}/specs/hello-drv-modules.spec`);
    expect(spec).toMatch(/^Name:\s+%\{pack_label\}-%\{kernel_release\}-modules$/m);
    expect(spec).toMatch(/^Group:\s+System Environment\/Kernel$/m);
    expect(spec).toMatch(/^Summary:\s+Hello 100%% pack/m);
    expect(spec).toContain('KERNEL_BUILD_DIR=%{kernel_build_dir}');
    expect(spec).toContain('\n/lib/modules/%{kernel_release}/updates/hello-drv.ko\n');
    expect(spec).toContain('depmod -a %{kernel_release}');
    expect(spec).not.toMatch(/modprobe|insmod|service |systemctl/);
    // Plugin registered, no project.json: every target is inferred.
    expect(readNxJson(tree)?.plugins).toEqual([{ plugin: 'suppack' }]);
    expect(tree.exists(`${dir}/project.json`)).toBe(false);
    expect(Object.keys(inferTargets(dir, m))).toHaveLength(7);
  });

  test('userspace: program, config, docs, status report, EULA, a %post that follows the rules', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { ...base, name: 'hello', type: 'userspace', directory: 'tools/hello/', packVersion: '2.3' });
    const dir = 'tools/hello';
    expect(files(tree, dir)).toEqual(['README.md', 'hello-EULA', 'specs/hello.spec', 'src/README', 'src/hello', 'src/hello.conf', 'suppack.json']);
    const m = manifestOf(tree, dir);
    expect(m.rpms).toEqual([{ spec: 'specs/hello.spec', kind: 'userspace', sources: 'src', version: '2.3', release: '1', defines: {} }]);
    expect(m.eulas).toEqual(['hello-EULA']);
    expect(m.kernels).toEqual([]);
    expect(m.statusReport?.categories.map((c) => [c.name, c.collect.map((i) => i.kind)])).toEqual([['hello', ['files', 'directory', 'command']]]);
    const spec = read(tree, `${dir}/specs/hello.spec`);
    expect(spec).toContain('%config(noreplace) /etc/hello/hello.conf');
    expect(spec).toContain('/usr/share/doc/hello/README');
    expect(spec).toContain('%files -f %{_sourcedir}/%{suppack_extras_files}');
    expect(spec).toContain('XS_PREVIOUS_INSTALLATION');
    // DDK 7.2: restore the saved rules before iptables -A, save after, all of it guarded.
    const post = spec.slice(spec.indexOf('\n%post\n'), spec.indexOf('\n%postun\n'));
    const restore = post.indexOf('iptables-restore < /etc/sysconfig/iptables || :');
    const append = post.indexOf('iptables -A INPUT');
    const save = post.indexOf('iptables-save > /etc/sysconfig/iptables || :');
    expect(restore).toBeGreaterThan(0);
    expect(append).toBeGreaterThan(restore);
    expect(save).toBeGreaterThan(append);
    expect(post).toContain('command -v iptables');
    expect(spec).not.toMatch(/service |systemctl|daemon/);
    expect(read(tree, `${dir}/src/hello`)).toMatch(/^#!\/bin\/sh\n/);
  });

  test('combined: module RPM plus <name>-data with firmware, udev rules, modprobe config', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { ...base, name: 'combo', type: 'combined', kernel: '6.1.0-28-amd64', kernelBuildDir: '/usr/src/linux-headers-6.1.0-28-amd64' });
    const dir = 'packs/combo';
    expect(files(tree, dir)).toEqual([
      'README.md',
      'data/combo.modprobe.conf',
      'data/combo.rules',
      'data/firmware/combo.fw',
      'specs/combo-data.spec',
      'specs/combo-modules.spec',
      'src/Kbuild',
      'src/Makefile',
      'src/combo.c',
      'suppack.json',
    ]);
    const m = manifestOf(tree, dir);
    expect(m.rpms.map((r) => [r.spec, r.kind, r.sources])).toEqual([
      ['specs/combo-modules.spec', 'kernel-module', 'src'],
      ['specs/combo-data.spec', 'userspace', 'data'],
    ]);
    expect(m.kernels).toEqual([{ version: '6.1.0-28-amd64', buildDir: '/usr/src/linux-headers-6.1.0-28-amd64' }]);
    const data = read(tree, `${dir}/specs/combo-data.spec`);
    expect(data).toMatch(/^Name:\s+combo-data$/m);
    for (const f of ['/lib/firmware/combo/combo.fw', '/etc/udev/rules.d/90-combo.rules', '/etc/modprobe.d/combo.conf']) expect(data).toContain(f);
  });

  test('the same options give the same bytes', async () => {
    const a = createTreeWithEmptyWorkspace();
    const b = createTreeWithEmptyWorkspace();
    await packGenerator(a, { ...base, name: 'x', type: 'combined' });
    await packGenerator(b, { ...base, name: 'x', type: 'combined' });
    for (const f of files(a, 'packs/x')) expect(read(b, `packs/x/${f}`)).toBe(read(a, `packs/x/${f}`));
  });

  test('the default text is "<name> pack"', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { vendorCode: 'acme', vendorName: 'Acme', name: 'nic', type: 'driver' });
    expect(manifestOf(tree, 'packs/nic').pack.text).toBe('nic pack');
  });

  test('bad options are rejected with one clear line, before anything is written', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ text: 'a description longer than thirty-two characters' }, 'suppack:pack: --text: expected at most 32 characters (it becomes the ISO volume id)'],
      [{ type: 'kernel' }, 'suppack:pack: --type: expected driver, userspace or combined'],
      [{ name: 'Bad Name' }, 'suppack:pack: --name: expected lowercase letters, digits, "_" or "-", starting with a letter'],
      [{ vendorCode: 'xs' }, 'suppack:pack: --vendorCode: the vendor code "xs" is reserved'],
      [{ directory: '../outside' }, 'suppack:pack: --directory: expected a directory relative to the workspace root'],
      [{ packVersion: '1' }, 'suppack:pack: --packVersion: expected a dotted numeric version'],
    ];
    for (const [bad, message] of cases) {
      const tree = createTreeWithEmptyWorkspace();
      const before = tree.listChanges().length;
      await expect(packGenerator(tree, { ...base, name: 'ok', type: 'driver', ...bad } as never)).rejects.toThrow(message);
      expect(tree.listChanges().length).toBe(before);
    }
  });

  test('an existing directory is not overwritten', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('packs/x/keep.txt', 'mine');
    await expect(packGenerator(tree, { ...base, name: 'x', type: 'driver' })).rejects.toThrow('suppack:pack: --directory: packs/x already exists');
    expect(read(tree, 'packs/x/keep.txt')).toBe('mine');
  });
});

test('a version Nx parsed into a number gets a clear error, not a silent fix', async () => {
  const tree = createTreeWithEmptyWorkspace();
  await expect(
    packGenerator(tree, { name: 'numver', type: 'userspace', vendorCode: 'acme', vendorName: 'ACME', packVersion: 1 as unknown as string }),
  ).rejects.toThrow(/^suppack:pack: --packVersion: Nx's argument parser read the version as the number 1/);
  expect(tree.exists('packs/numver')).toBe(false);
});

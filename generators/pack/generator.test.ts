import { readNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, test } from 'vitest';
import { PACK_FORMATS, PACK_TYPES } from '../../schemas/generators';
import { manifestSchema } from '../../schemas/manifest';
import { UPDATE_UUID } from '../../schemas/update-pack';
import { inferTargets } from '../../plugin/targets';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRpm } from '../../core/formats/rpm/write';
import { installedHeaders } from '../../testing/kernel-devel';
import { normalizeOptions, packGenerator, packManifest, typedOption } from './generator';
import { defaultPluginOptions } from '../../schemas/plugin-options';

/** The kernel whose headers are installed here (linux-headers-amd64): the generator's default. */
const INSTALLED = installedHeaders().kernel;

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
    // No --kernel: the kernel whose headers are installed here, so the first build works.
    expect(m.kernels).toEqual([{ version: INSTALLED }]);
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
    expect(readNxJson(tree)?.plugins).toEqual([{ plugin: 'suppack/plugin', options: defaultPluginOptions() }]);
    expect(tree.exists(`${dir}/project.json`)).toBe(false);
    expect(Object.keys(inferTargets(dir, m))).toHaveLength(8);
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
    const m = manifestOf(tree, 'packs/nic');
    expect(m.format === 'legacy' && m.pack.text).toBe('nic pack');
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

  test('the workspace root is no project directory: one line, nothing written (found by generators/fuzz.test.ts)', async () => {
    for (const directory of ['.', './', './/']) {
      const tree = createTreeWithEmptyWorkspace();
      const before = tree.listChanges().map((c) => c.path);
      await expect(packGenerator(tree, { ...base, name: 'x', type: 'driver', directory })).rejects.toThrow(
        "suppack:pack: --directory: expected a directory under the workspace root, not the root itself (it holds the workspace's own files)",
      );
      expect(tree.listChanges().map((c) => c.path)).toEqual(before);
    }
  });
});

test('a version Nx parsed into a number is taken as the user typed it on the command line', () => {
  const opts = { name: 'v', type: 'userspace', vendorCode: 'acme', vendorName: 'ACME' } as const;
  const plan = (argv: string[], parsed: number) => normalizeOptions({ ...opts, packVersion: parsed as unknown as string }, {}, argv).version;
  expect(plan(['node', 'nx', 'g', 'suppack:pack', '--packVersion=1.0'], 1)).toBe('1.0');
  expect(plan(['node', 'nx', 'g', 'suppack:pack', '--packVersion', '2.10'], 2.1)).toBe('2.10');
  expect(plan(['node', 'nx', 'g', 'suppack:pack', '--pack-version=2.5'], 2.5)).toBe('2.5');
  expect(typedOption(['--packVersion=3.0'], 'packVersion', 1)).toBeUndefined(); // not the number Nx parsed
  expect(typedOption(['--packVersionX=1.0'], 'packVersion', 1)).toBeUndefined();
});

test('a version Nx parsed into a number that is not on the command line gets a clear error, not a silent fix', async () => {
  const tree = createTreeWithEmptyWorkspace();
  await expect(
    packGenerator(tree, { name: 'numver', type: 'userspace', vendorCode: 'acme', vendorName: 'ACME', packVersion: 1 as unknown as string }),
  ).rejects.toThrow(/^suppack:pack: --packVersion: Nx's argument parser read the version as the number 1/);
  expect(tree.exists('packs/numver')).toBe(false);
});

describe('pack generator --format update', () => {
  const uuid = '6854ab19-f807-4444-b94f-3ce7d64efe50';
  const updateOf = (tree: Tree, dir: string) => {
    const m = manifestOf(tree, dir);
    if (m.format !== 'update') throw new Error(`expected an update manifest, got ${m.format}`);
    return m;
  };
  /** Every file but suppack.json and README.md is the legacy one, byte for byte. */
  async function sameFilesAsLegacy(tree: Tree, options: Record<string, unknown>, dir: string): Promise<void> {
    const legacy = createTreeWithEmptyWorkspace();
    await packGenerator(legacy, { ...base, ...options } as never);
    expect(files(tree, dir)).toEqual(files(legacy, dir));
    for (const f of files(tree, dir).filter((f) => f !== 'suppack.json' && f !== 'README.md')) expect(read(tree, `${dir}/${f}`), f).toBe(read(legacy, `${dir}/${f}`));
  }

  test('driver: a driver disk whose version comes from the driver RPM; the same module, spec and kernels as legacy', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { ...base, name: 'hello-drv', type: 'driver', format: 'update', uuid });
    const dir = 'packs/hello-drv';
    const raw = JSON.parse(read(tree, `${dir}/suppack.json`));
    expect(raw.format).toBe('update');
    // No version of its own, no key (signing off), nothing of the legacy pack.
    expect(raw.pack).toEqual({
      uuid,
      label: 'hello-drv',
      description: 'Hello 100% pack',
      afterApply: ['restartHost'],
      driverDisk: true,
      build: '1',
      vendorName: 'Acme "Quoted" & Co',
    });
    expect(raw.rpms).toEqual([{ spec: 'specs/hello-drv-modules.spec', kind: 'kernel-module', sources: 'src', version: '1.0.0', release: '1' }]);
    expect(raw.kernels).toEqual([{ version: INSTALLED }]);
    const m = updateOf(tree, dir);
    expect(m.pack.version).toBeUndefined();
    expect(Object.keys(inferTargets(dir, m))).toContain('build-iso');
    await sameFilesAsLegacy(tree, { name: 'hello-drv', type: 'driver', packVersion: '1.0.0' }, dir);
    expect(read(tree, `${dir}/src/hello-drv.c`)).toContain('MODULE_VERSION("1.0.0");');

    const readme = read(tree, `${dir}/README.md`);
    expect(readme).toContain('a driver disk for XenServer 7.1+');
    expect(readme).toContain('dist/packs/hello-drv/iso/hello-drv-<version>.iso (+ .iso.sha256)');
    expect(readme).toContain('`<rpm version>+<release>+<build>` of the driver RPM');
    expect(readme).toContain('`pack.afterApply` is `["restartHost"]`');
    expect(readme).not.toContain('.md5');
  });

  test('userspace: the same RPM, status report and EULA as legacy, version 1.0.0, no reboot', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { ...base, name: 'hello', type: 'userspace', format: 'update' });
    const dir = 'packs/hello';
    const m = updateOf(tree, dir);
    expect(m.pack).toMatchObject({ label: 'hello', version: '1.0.0', description: 'Hello 100% pack', afterApply: [], driverDisk: false, vendorName: 'Acme "Quoted" & Co' });
    expect(m.pack.uuid).toMatch(UPDATE_UUID);
    expect(m.pack.build).toBeUndefined();
    expect(m.pack.key).toBeUndefined();
    expect(m.rpms).toEqual([{ spec: 'specs/hello.spec', kind: 'userspace', sources: 'src', version: '1.0.0', release: '1', defines: {} }]);
    expect(m.eulas).toEqual(['hello-EULA']);
    expect(m.statusReport?.categories.map((c) => c.name)).toEqual(['hello']);
    await sameFilesAsLegacy(tree, { name: 'hello', type: 'userspace', packVersion: '1.0.0' }, dir);
    const readme = read(tree, `${dir}/README.md`);
    expect(readme).toContain('a userspace update pack');
    expect(readme).toContain('dist/packs/hello/iso/hello.iso (+ .iso.sha256)');
    expect(readme).not.toContain('restartHost');
  });

  test('combined: modules and -data RPMs as legacy, its own version, a reboot after apply, not a driver disk', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { ...base, name: 'combo', type: 'combined', format: 'update', packVersion: '2.1.0', kernel: '6.1.0-28-amd64' });
    const dir = 'packs/combo';
    const m = updateOf(tree, dir);
    expect(m.pack).toMatchObject({ label: 'combo', version: '2.1.0', afterApply: ['restartHost'], driverDisk: false });
    expect(m.rpms.map((r) => [r.spec, r.kind, r.sources, r.version])).toEqual([
      ['specs/combo-modules.spec', 'kernel-module', 'src', '2.1.0'],
      ['specs/combo-data.spec', 'userspace', 'data', '2.1.0'],
    ]);
    expect(m.kernels).toEqual([{ version: '6.1.0-28-amd64' }]);
    await sameFilesAsLegacy(tree, { name: 'combo', type: 'combined', packVersion: '2.1.0', kernel: '6.1.0-28-amd64' }, dir);
  });

  test('the README explains how to turn signing on, without a secret in suppack.json', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { ...base, name: 'signme', type: 'userspace', format: 'update' });
    const readme = read(tree, 'packs/signme/README.md');
    expect(readme).toContain('Signing is off');
    expect(readme).toContain('gpg --export --armor KEYID > RPM-GPG-KEY-signme');
    expect(readme).toContain('"key": "RPM-GPG-KEY-signme"');
    for (const env of ['SUPPACK_SIGNING_KEY', 'SUPPACK_SIGNING_PASSPHRASE', 'SUPPACK_SIGNING_PASSPHRASE_FILE']) expect(readme).toContain(`\`${env}\``);
    expect(readme).toContain('never in `suppack.json`');
    expect(read(tree, 'packs/signme/suppack.json')).not.toMatch(/"key"|passphrase|SIGNING/i);
  });

  test('--uuid is used as given; without it every run gets a new lowercase one', async () => {
    const given = createTreeWithEmptyWorkspace();
    await packGenerator(given, { ...base, name: 'u', type: 'driver', format: 'update', uuid });
    expect(updateOf(given, 'packs/u').pack.uuid).toBe(uuid);
    const uuids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const tree = createTreeWithEmptyWorkspace();
      await packGenerator(tree, { ...base, name: 'u', type: 'driver', format: 'update' });
      const u = updateOf(tree, 'packs/u').pack.uuid;
      expect(u).toMatch(UPDATE_UUID);
      uuids.add(u);
    }
    expect(uuids.size).toBe(2);
  });

  test('a bad --uuid, a --uuid without --format update, a bad --format: one clear line, nothing written', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ format: 'update', uuid: '6854AB19-F807-4444-B94F-3CE7D64EFE50' }, 'suppack:pack: --uuid: expected a lowercase UUID such as 6854ab19-f807-4444-b94f-3ce7d64efe50'],
      [{ format: 'update', uuid: 'not-a-uuid' }, 'suppack:pack: --uuid: expected a lowercase UUID'],
      [{ uuid }, 'suppack:pack: --uuid: only an update pack has a UUID: add --format update or drop --uuid'],
      [{ format: 'xs-update' }, 'suppack:pack: --format: expected legacy or update'],
      [{ format: 'update', packVersion: '1' }, 'suppack:pack: --packVersion: expected a dotted numeric version'],
    ];
    for (const [bad, message] of cases) {
      const tree = createTreeWithEmptyWorkspace();
      const before = tree.listChanges().length;
      await expect(packGenerator(tree, { ...base, name: 'ok', type: 'driver', ...bad } as never)).rejects.toThrow(message);
      expect(tree.listChanges().length).toBe(before);
    }
  });

  test('a label with a dot is refused for an update pack (build-update: [A-Za-z0-9_-]+)', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const before = tree.listChanges().length;
    await expect(packGenerator(tree, { ...base, name: 'acme.nic', type: 'driver', format: 'update' })).rejects.toThrow(/^suppack:pack: --name: expected /);
    expect(tree.listChanges().length).toBe(before);
    // The name rule is the stricter one; the update label rule is checked again where the manifest is made.
    const plan = { ...normalizeOptions({ ...base, name: 'acme', type: 'userspace', format: 'update' }), name: 'acme.nic' };
    expect(() => packManifest(plan)).toThrow(
      'suppack:pack: --name: expected letters, digits, "_" or "-" only: the name is the update label, which build-update checks with [A-Za-z0-9_-]+ (got "acme.nic")',
    );
  });

  test('no vendor code for an update pack: none given, or an empty answer to the prompt', async () => {
    for (const vendorCode of [undefined, '']) {
      const tree = createTreeWithEmptyWorkspace();
      const { vendorCode: _, ...rest } = base;
      await packGenerator(tree, { ...rest, ...(vendorCode === undefined ? {} : { vendorCode }), name: 'nocode', type: 'userspace', format: 'update', uuid });
      const raw = JSON.parse(read(tree, 'packs/nocode/suppack.json'));
      expect(raw.format).toBe('update');
      expect(JSON.stringify(raw)).not.toContain('vendorCode');
    }
  });

  test('a legacy pack still needs one: one clear line, nothing written', async () => {
    for (const vendorCode of [undefined, '']) {
      const tree = createTreeWithEmptyWorkspace();
      const before = tree.listChanges().length;
      const { vendorCode: _, ...rest } = base;
      await expect(packGenerator(tree, { ...rest, ...(vendorCode === undefined ? {} : { vendorCode }), name: 'nocode', type: 'driver' })).rejects.toThrow(
        'suppack:pack: --vendorCode: required for a legacy pack (one word, e.g. acme), or add --format update',
      );
      expect(tree.listChanges().length).toBe(before);
    }
  });

  test('a name longer than an ISO volume id gets a volumeId', async () => {
    const name = `a${'b'.repeat(39)}`;
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, { ...base, name, type: 'userspace', format: 'update' });
    expect(updateOf(tree, `packs/${name}`).pack.volumeId).toBe(name.slice(0, 32));
  });
});

test('every generated suppack.json, of every format and type, passes manifestSchema', async () => {
  for (const format of PACK_FORMATS) {
    for (const type of PACK_TYPES) {
      const tree = createTreeWithEmptyWorkspace();
      await packGenerator(tree, { ...base, name: `p-${type}`, type, format });
      const result = manifestSchema.safeParse(JSON.parse(read(tree, `packs/p-${type}/suppack.json`)));
      expect(result.error, `${format} ${type}`).toBeUndefined();
      expect(result.data?.format).toBe(format);
    }
  }
});

test('legacy output is unchanged: --format legacy is the default, suppack.json and README byte for byte', async () => {
  const implicit = createTreeWithEmptyWorkspace();
  const explicit = createTreeWithEmptyWorkspace();
  await packGenerator(implicit, { ...base, name: 'hello-drv', type: 'driver' });
  await packGenerator(explicit, { ...base, name: 'hello-drv', type: 'driver', format: 'legacy' });
  const dir = 'packs/hello-drv';
  for (const f of files(implicit, dir)) expect(read(explicit, `${dir}/${f}`), f).toBe(read(implicit, `${dir}/${f}`));
  expect(read(implicit, `${dir}/suppack.json`)).toBe(`{
  "$schema": "../../node_modules/suppack/schemas/suppack.schema.json",
  "format": "legacy",
  "pack": {
    "vendorCode": "acme",
    "vendorName": "Acme \\"Quoted\\" & Co",
    "label": "hello-drv",
    "text": "Hello 100% pack",
    "version": "1.0",
    "productVersion": "7.0.0"
  },
  "rpms": [
    {
      "spec": "specs/hello-drv-modules.spec",
      "kind": "kernel-module",
      "sources": "src",
      "version": "1.0",
      "release": "1"
    }
  ],
  "kernels": [
    {
      "version": "${INSTALLED}"
    }
  ]
}
`);
  expect(read(implicit, `${dir}/README.md`)).toBe(`# hello-drv

Hello 100% pack: a driver supplemental pack for XenServer, built by suppack.

\`suppack.json\` describes the pack; Nx infers every target from it (there is no project.json):

\`\`\`sh
nx run hello-drv:build-iso    # dist/packs/hello-drv/iso/hello-drv.iso (+ .iso.md5, .metadata.md5)
nx run hello-drv:bundle       # the release zip: ISO, md5 files, source tarballs
nx show project hello-drv     # every target with its inputs and outputs
\`\`\`

The kernel module is built with rpmbuild against each kernel in \`suppack.json\` \`kernels\`
(\`version\` is the \`uname -r\` of the kernel). Its build tree comes from one of:

- \`develRpm\`: the vendor's kernel-devel RPM of that kernel, a path relative to the workspace
  root. build-rpms extracts it under \`dist/\` and builds against it: the way to build for a real
  XenServer or XCP-ng kernel on any machine (download the RPM from the release's repository).
- \`buildDir\`, by default \`/lib/modules/<version>/build\`: headers installed on the build machine
  (e.g. Debian's \`linux-headers-amd64\`).

For example, for XCP-ng 8.3 (kernel \`4.19.0+1\`):

\`\`\`json
"kernels": [{ "version": "4.19.0+1", "develRpm": "kernels/kernel-devel-<version>-<release>.x86_64.rpm" }]
\`\`\`

This README is not an input of any target: editing it rebuilds nothing.
`);
});

describe('the kernel of a driver pack (issue 12 item 4)', () => {
  const opts = { ...base, name: 'nic', type: 'driver' } as const;

  test('without --kernel: the running kernel if its headers are installed, else the newest installed, else 4.19.0+1', () => {
    const modules = mkdtempSync(join(tmpdir(), 'suppack-modules-'));
    try {
      const kernel = (running: string) => normalizeOptions(opts, { modulesDir: modules, running }).kernel;
      expect(kernel('6.1.0-9-amd64')).toBe('4.19.0+1'); // nothing installed
      for (const k of ['5.10.0-30-amd64', '6.1.0-9-amd64', '6.1.0-10-amd64', '6.12.0-1-amd64']) {
        mkdirSync(join(modules, k, 'build'), { recursive: true });
        if (k !== '6.12.0-1-amd64') writeFileSync(join(modules, k, 'build', 'Makefile'), 'x'); // 6.12: modules only, no headers
      }
      expect(kernel('6.1.0-9-amd64')).toBe('6.1.0-9-amd64');
      expect(kernel('6.12.0-1-amd64')).toBe('6.1.0-10-amd64'); // running without headers: the newest with
      expect(normalizeOptions({ ...opts, kernel: '4.19.0+1' }, { modulesDir: modules }).kernel).toBe('4.19.0+1');
    } finally {
      rmSync(modules, { recursive: true, force: true });
    }
  });

  test('on this machine the default is the installed kernel', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await packGenerator(tree, opts);
    expect(manifestOf(tree, 'packs/nic').kernels).toEqual([{ version: INSTALLED }]);
  });

  const develRpm = (paths: string[]) =>
    encodeRpm({
      name: 'kernel-devel',
      version: '4.19.19',
      release: '8.0.38.1.xcpng8.3',
      arch: 'x86_64',
      summary: 's',
      description: 'd',
      license: 'GPL',
      buildTime: 1_700_000_000,
      files: paths.map((p) => (p.endsWith('/build') ? { path: p, mode: 0o120777, linkTo: '/usr/src/kernels/4.19.0+1-x86_64' } : { path: p, mode: 0o100644, content: Buffer.from('x') })),
    });

  test('--kernelDevelRpm: develRpm in suppack.json, the kernel read from the RPM unless --kernel names it', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('kernels/kernel-devel.rpm', develRpm(['/lib/modules/4.19.0+1/build', '/usr/src/kernels/4.19.0+1-x86_64/Makefile']));
    await packGenerator(tree, { ...opts, kernelDevelRpm: 'kernels/kernel-devel.rpm' });
    expect(manifestOf(tree, 'packs/nic').kernels).toEqual([{ version: '4.19.0+1', develRpm: 'kernels/kernel-devel.rpm' }]);
    const named = createTreeWithEmptyWorkspace();
    await packGenerator(named, { ...opts, kernel: '4.19.0+1', kernelDevelRpm: 'kernels/absent.rpm' });
    expect(manifestOf(named, 'packs/nic').kernels).toEqual([{ version: '4.19.0+1', develRpm: 'kernels/absent.rpm' }]);
  });

  test('--kernelDevelRpm without --kernel: a missing RPM, one without a build link, and --kernelBuildDir too are one line each', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kernelDevelRpm: 'kernels/none.rpm' }, 'suppack:pack: --kernelDevelRpm: kernels/none.rpm not found (a path relative to the workspace root), or give --kernel'],
      [{ kernelDevelRpm: 'kernels/two.rpm' }, 'suppack:pack: --kernelDevelRpm: kernels/two.rpm builds for 4.19.0+1, 4.19.0+2: give --kernel'],
      [{ kernelDevelRpm: 'kernels/plain.rpm' }, 'suppack:pack: --kernelDevelRpm: kernels/plain.rpm has no /lib/modules/<release>/build: give --kernel'],
      [{ kernelDevelRpm: 'kernels/k.rpm', kernelBuildDir: '/k', kernel: '1' }, 'suppack:pack: --kernelBuildDir: give either --kernelBuildDir or --kernelDevelRpm, not both'],
      [{ kernelDevelRpm: '../k.rpm', kernel: '1' }, 'suppack:pack: --kernelDevelRpm: expected the kernel-devel RPM relative to the workspace root'],
    ];
    for (const [bad, message] of cases) {
      const tree = createTreeWithEmptyWorkspace();
      tree.write('kernels/two.rpm', develRpm(['/lib/modules/4.19.0+1/build', '/lib/modules/4.19.0+2/build']));
      tree.write('kernels/plain.rpm', develRpm(['/usr/share/doc/x']));
      const before = tree.listChanges().length;
      await expect(packGenerator(tree, { ...opts, ...bad } as never)).rejects.toThrow(message);
      expect(tree.listChanges().length).toBe(before);
    }
  });
});

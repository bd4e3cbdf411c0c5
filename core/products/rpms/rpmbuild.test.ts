import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestSchema, type Manifest, type ManifestInput } from '../../../schemas/manifest';
import { parseWithSchema } from '../../../schemas/parse';
import { SuppackError } from '../../base/errors';
import { checkPackagePaths, classifyPackage } from '../../xenserver/legacy';
import { readRpm } from '../../formats/rpm';
import { buildRpms, RpmbuildError, rpmbuildVersion } from './rpmbuild';
import { renderSpecs } from './render-spec';
import { buildSourceTarballs } from './srctarball';
import { oldRpmBin } from '../../../testing/old-rpm';

const EPOCH = 1700000000;
const PACK = { vendorCode: 'acme', vendorName: 'ACME Corp', label: 'acme-nic', text: 'ACME NIC driver', version: '1.0' };

const USERSPACE_SPEC = `Name: %{pack_label}-tools
Version: %{suppack_version}
Release: %{suppack_release}
Summary: ACME NIC tools
License: MIT
Group: Applications/System
BuildArch: noarch
Source0: %{suppack_source0}
Source1: %{suppack_extras_tar}

%description
Tools for the ACME NIC, with a status-report category and the pack EULA.

%prep
%setup -q -n %{suppack_srcdir}

%install
mkdir -p %{buildroot}
tar -xzf %{SOURCE1} -C %{buildroot}
install -D -m 0755 acme-tool %{buildroot}/usr/bin/acme-tool
install -D -m 0644 acme.conf %{buildroot}/etc/acme/acme.conf

%files -f %{_sourcedir}/%{suppack_extras_files}
/usr/bin/acme-tool
%config(noreplace) /etc/acme/acme.conf
`;

const MODULE_SPEC = `Name: %{pack_label}-%{kernel_release}-modules
Version: %{suppack_version}
Release: %{suppack_release}
Summary: Hello module for kernel %{kernel_release}
License: GPLv2
Group: System Environment/Kernel
Source0: %{suppack_source0}

%description
A tiny real kernel module.

%prep
%setup -q -n %{suppack_srcdir}

%build
make -C %{kernel_build_dir} M=$PWD modules

%install
install -D -m 0644 hello.ko %{buildroot}/lib/modules/%{kernel_release}/updates/hello.ko

%files
/lib/modules/%{kernel_release}/updates/hello.ko
`;

const HELLO_C = `#include <linux/init.h>
#include <linux/module.h>

static int __init hello_init(void)
{
\tpr_info("hello from suppack\\n");
\treturn 0;
}

static void __exit hello_exit(void)
{
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("suppack test module");
`;

interface Project {
  dir: string;
  manifest: Manifest;
  specsDir: string;
  sourcesDir: string;
}

function write(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

/** A project on disk, rendered and with its source tarballs built: ready for buildRpms. */
async function project(input: Partial<ManifestInput>, files: Record<string, string | Buffer>): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-rpmbuild-'));
  write(dir, files);
  const manifest = parseWithSchema(manifestSchema, { pack: PACK, ...input });
  const specsDir = join(dir, 'dist/specs');
  const sourcesDir = join(dir, 'dist/SOURCES');
  await renderSpecs({ manifest, projectDir: dir, outDir: specsDir });
  await buildSourceTarballs({ manifest, projectDir: dir, outDir: sourcesDir, epoch: EPOCH });
  return { dir, manifest, specsDir, sourcesDir };
}

function build(p: Project, out = 'RPMS', work = '.rpmbuild', log?: (line: string) => void): Promise<string[]> {
  return buildRpms({
    manifest: p.manifest,
    specsDir: p.specsDir,
    sourcesDir: p.sourcesDir,
    outDir: join(p.dir, 'dist', out),
    workDir: join(p.dir, 'dist', work),
    epoch: EPOCH,
    ...(log ? { log } : {}),
  });
}

const rpmQuery = (rpm: string, ...args: string[]) => execFileSync('rpm', ['-qp', ...args, rpm], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('buildRpms: a userspace spec with sources, a status report and an EULA', () => {
  let p: Project;
  let rpms: string[];
  const lines: string[] = [];

  beforeAll(async () => {
    p = await project(
      {
        rpms: [{ spec: 'tools.spec', sources: 'src', version: '1.2.3', release: '4' }],
        statusReport: {
          categories: [{ name: 'acme', pii: 'no', collect: [{ kind: 'files', paths: ['/var/log/acme.log'] }] }],
          extend: [{ category: 'network-status', collect: [{ kind: 'command', command: 'acme-tool --dump', label: 'acme-dump' }] }],
        },
        eulas: ['EULA.txt'],
      },
      {
        'tools.spec': USERSPACE_SPEC,
        'src/acme-tool': '#!/bin/sh\necho acme\n',
        'src/acme.conf': 'debug=0\n',
        'EULA.txt': 'You accept the ACME terms.\n',
      },
    );
    // Leftovers of an earlier run must not survive.
    mkdirSync(join(p.dir, 'dist/RPMS'), { recursive: true });
    writeFileSync(join(p.dir, 'dist/RPMS/stale-0.1-1.noarch.rpm'), 'old');
    rpms = await build(p, 'RPMS', '.rpmbuild', (l) => lines.push(l));
  });

  it('writes exactly the built RPM into outDir, named and versioned from the manifest', () => {
    expect(rpms).toEqual([join(p.dir, 'dist/RPMS/acme-nic-tools-1.2.3-4.noarch.rpm')]);
    expect(readdirSync(join(p.dir, 'dist/RPMS'))).toEqual(['acme-nic-tools-1.2.3-4.noarch.rpm']);
    expect(rpmQuery(rpms[0]!, '--qf', '%{NAME} %{VERSION}-%{RELEASE} %{BUILDHOST} %{BUILDTIME}')).toBe(`acme-nic-tools 1.2.3-4 suppack.invalid ${EPOCH}`);
    expect(lines.some((l) => l.startsWith('Wrote: ') && l.endsWith('acme-nic-tools-1.2.3-4.noarch.rpm'))).toBe(true);
  });

  it('contains the bugtool XML, the EULA and the program (rpm -qpl), with gzip payload', () => {
    expect(rpmQuery(rpms[0]!, '-l').trim().split('\n')).toEqual([
      '/etc/acme/acme.conf',
      '/etc/xensource/bugtool/acme.xml',
      '/etc/xensource/bugtool/acme/stuff.xml',
      '/etc/xensource/bugtool/network-status/acme-nic.xml',
      '/usr/bin/acme-tool',
      '/usr/share/doc/acme-nic/EULA',
    ]);
    expect(rpmQuery(rpms[0]!, '--qf', '%{PAYLOADCOMPRESSOR}')).toBe('gzip');
    const x = join(p.dir, 'x');
    mkdirSync(x);
    execSync(`rpm2cpio '${rpms[0]}' | cpio -idm --quiet`, { cwd: x });
    expect(readFileSync(join(x, 'etc/xensource/bugtool/acme.xml'), 'utf8')).toBe(
      '<capability pii="no" min_size="-1" max_size="-1" min_time="-1" max_time="-1" mime="text/plain" checked="true" hidden="false"/>\n',
    );
    expect(readFileSync(join(x, 'usr/share/doc/acme-nic/EULA'), 'utf8')).toBe('You accept the ACME terms.\n');
    // The owner and mode the %files list asks for.
    expect(rpmQuery(rpms[0]!, '--qf', '[%{FILEUSERNAME}:%{FILEGROUPNAME}:%{FILEMODES:perms} %{FILENAMES}\n]')).toContain(
      'root:root:-rw-r--r-- /etc/xensource/bugtool/acme.xml',
    );
  });

  it('is read by core/rpm and passes the legacy plain-RPM checks', async () => {
    const info = await readRpm(rpms[0]!);
    expect([info.name, info.version, info.release]).toEqual(['acme-nic-tools', '1.2.3', '4']);
    const classified = classifyPackage(info);
    expect(classified).toMatchObject({ type: 'rpm', label: 'acme-nic-tools' });
    expect(() => checkPackagePaths(info, classified)).not.toThrow();
  });

  it('is reproducible: a second build (other work and output dirs) gives byte-identical RPMs', async () => {
    const again = await build(p, 'RPMS-again', '.rpmbuild-again');
    expect(again.map((f) => f.split('/').at(-1))).toEqual(rpms.map((f) => f.split('/').at(-1)));
    expect(readFileSync(again[0]!).equals(readFileSync(rpms[0]!))).toBe(true);
  });
});

describe('buildRpms: a kernel-module spec against the installed Debian kernel headers', () => {
  const release = readdirSync('/lib/modules')
    .filter((k) => existsSync(join('/lib/modules', k, 'build/Makefile')))
    .sort()[0];

  it('finds installed kernel headers (apt-get install linux-headers-amd64 build-essential)', () => {
    expect(release).toMatch(/^\d+\.\d+/);
  });

  it('compiles a real module into <label>-<kernel_release>-modules under updates/, reproducibly', async () => {
    const p = await project(
      { rpms: [{ spec: 'hello.spec', kind: 'kernel-module', sources: 'hello', version: '0.1' }], kernels: [{ version: release! }] },
      { 'hello.spec': MODULE_SPEC, 'hello/hello.c': HELLO_C, 'hello/Kbuild': 'obj-m := hello.o\n' },
    );
    const rpms = await build(p);
    // Reproducible wherever the work directory is (the module's build ID hashes its debug info).
    const again = await build(p, 'RPMS-again', 'elsewhere/.rpmbuild');
    expect(readFileSync(again[0]!).equals(readFileSync(rpms[0]!))).toBe(true);
    const name = `acme-nic-${release}-modules`;
    expect(rpms.map((f) => f.split('/').at(-1))).toEqual([`${name}-0.1-1.x86_64.rpm`]);
    expect(rpmQuery(rpms[0]!, '--qf', '%{NAME}|%{GROUP}')).toBe(`${name}|System Environment/Kernel`);
    expect(rpmQuery(rpms[0]!, '-l').trim()).toBe(`/lib/modules/${release}/updates/hello.ko`);
    const x = join(p.dir, 'x');
    mkdirSync(x);
    execSync(`rpm2cpio '${rpms[0]}' | cpio -idm --quiet`, { cwd: x });
    const modinfo = execFileSync('modinfo', ['-F', 'vermagic', join(x, `lib/modules/${release}/updates/hello.ko`)], { encoding: 'utf8' });
    expect(modinfo.startsWith(`${release} `)).toBe(true);
    // Our own reader and the legacy classification (docs/formats/xenserver.md §1.2) accept it as a driver RPM.
    const info = await readRpm(rpms[0]!);
    const classified = classifyPackage(info);
    expect(classified.type).toBe('driver-rpm');
    expect(() => checkPackagePaths(info, classified)).not.toThrow();
    // No absolute path reached the rendered spec: the build tree came in with --define.
    const rendered = readFileSync(join(p.specsDir, `hello-${release}.spec`), 'utf8');
    for (const machinePath of [`/lib/modules/${release}/build`, '/usr/src', p.dir]) expect(rendered).not.toContain(machinePath);
  });

  it('names kernels[i].buildDir when the kernel build tree is missing', async () => {
    const p = await project(
      { rpms: [{ spec: 'hello.spec', kind: 'kernel-module', sources: 'hello', version: '0.1' }], kernels: [{ version: release! }, { version: '0.0.0-none' }] },
      { 'hello.spec': MODULE_SPEC, 'hello/hello.c': HELLO_C, 'hello/Kbuild': 'obj-m := hello.o\n' },
    );
    await expect(build(p)).rejects.toThrow(
      new SuppackError(
        'kernel build tree not found: /lib/modules/0.0.0-none/build — install the kernel headers (e.g. linux-headers-amd64), set kernels[1].buildDir, or name the kernel-devel RPM in kernels[1].develRpm',
        { file: 'suppack.json', field: 'kernels[1].buildDir' },
      ),
    );
    expect(existsSync(join(p.dir, 'dist/RPMS'))).toBe(false);
  });
});

describe('buildRpms: an ISO-8859-1 spec, as the DDK built it with rpm 4.11', () => {
  it("keeps the header's bytes (newer rpmbuild refuses such text unless told: docs/hosts.md), and the host's rpm reads them", async () => {
    const latin1 = Buffer.from(
      'Name: enc\nVersion: %{suppack_version}\nRelease: 1\nSummary: Caf\xe9 cr\xe8me\nLicense: x\nBuildArch: noarch\n%description\nCaf\xe9\n%files\n',
      'latin1',
    );
    const p = await project({ rpms: [{ spec: 'enc.spec', version: '1' }] }, { 'enc.spec': latin1 });
    const [rpm] = await build(p);
    const summary = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x63, 0x72, 0xe8, 0x6d, 0x65]);
    expect(execFileSync('rpm', ['-qp', '--qf', '%{SUMMARY}', rpm!]).equals(summary)).toBe(true);
    const host = spawnSync(oldRpmBin('4.11'), ['-qp', '--qf', '%{SUMMARY}', rpm!], { env: { ...process.env, LC_ALL: 'C' } });
    expect(host.status, host.stderr.toString()).toBe(0);
    expect(host.stdout.equals(summary)).toBe(true);
  });
});

describe('buildRpms: failures', () => {
  it('shows the spec path, its template, the exit code and the tail of rpmbuild output', async () => {
    const spec = 'Name: broken\nVersion: %{suppack_version}\nRelease: 1\nSummary: x\nLicense: MIT\n\n%description\nx\n\n%build\necho BUILD-STEP-RAN\nexit 1\n\n%files\n';
    const p = await project({ rpms: [{ spec: 'specs/broken.spec', version: '1' }] }, { 'specs/broken.spec': spec });
    mkdirSync(join(p.dir, 'dist/RPMS'), { recursive: true });
    writeFileSync(join(p.dir, 'dist/RPMS/previous-1-1.noarch.rpm'), 'kept');
    const error = await build(p).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RpmbuildError);
    expect(error).toBeInstanceOf(SuppackError);
    const [first, ...rest] = (error as RpmbuildError).message.split('\n');
    expect(first).toBe(
      `${join(p.specsDir, 'broken.spec')}: rpmbuild failed with exit code 1 (rendered from suppack.json rpms[0].spec specs/broken.spec); the last lines of its output follow`,
    );
    expect(rest.length).toBeGreaterThan(1);
    expect(rest.length).toBeLessThanOrEqual(40);
    expect(rest).toContain('BUILD-STEP-RAN');
    expect(rest.some((l) => /Bad exit status from .* \(%build\)/.test(l))).toBe(true);
    // The previous output is left as it was.
    expect(readdirSync(join(p.dir, 'dist/RPMS'))).toEqual(['previous-1-1.noarch.rpm']);
  });

  it('asks to run render-spec when a rendered spec is missing', async () => {
    const p = await project({ rpms: [{ spec: 'a.spec', version: '1' }] }, { 'a.spec': 'Name: a\n' });
    await expect(build({ ...p, specsDir: join(p.dir, 'nowhere') })).rejects.toThrow(
      `${join(p.dir, 'nowhere/a.spec')}: rendered spec not found (run render-spec first; from suppack.json rpms[0].spec a.spec)`,
    );
  });

  it('says how to install rpmbuild when it is not on PATH', () => {
    expect(rpmbuildVersion()).toMatch(/^RPM version \d/);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => rpmbuildVersion()).toThrow(new SuppackError('rpmbuild not found: install rpm (apt-get install rpm / dnf install rpm-build)'));
    } finally {
      process.env.PATH = path;
    }
  });
});

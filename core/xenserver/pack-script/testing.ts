/**
 * Test-only helpers for install.test.ts: a fake XenServer host under a temporary root (inventory,
 * installed-repos, an rpm database) and legacy pack directories written in the exact
 * docs/formats/xenserver.md §1.4 / 1.5 layout. Never imported by shipped code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { oldRpmBin, type OldRpmRelease } from '../../../testing/old-rpm';
import { installScriptPath, INSTALL_SCRIPT_NAMES } from './index';

export const HOST_UUID = '6c2c5b1e-3f4a-4c53-9d0e-2b8f1a7e9c01';

export interface Host {
  /** SUPPACK_ROOT: the fake host's / */
  root: string;
  /** Where the stand-in xe appends its arguments, one call per line. */
  xeLog: string;
  /** Where the logging rpm wrapper appends its arguments, one call per line. */
  rpmLog: string;
  env: NodeJS.ProcessEnv;
}

/** 1.4/1.5 serialiser rules: attributes sorted, & < > " escaped, no XML declaration. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function element(name: string, attrs: Record<string, string>, text?: string): string {
  const a = Object.keys(attrs)
    .sort()
    .map((k) => ` ${k}="${escapeXml(attrs[k])}"`)
    .join('');
  return text === undefined ? `<${name}${a}/>` : `<${name}${a}>${escapeXml(text)}</${name}>`;
}

export interface Requirement {
  originator: string;
  name: string;
  test: string;
  version: string;
  build?: string;
}

export interface PackSpec {
  originator?: string;
  name?: string;
  product?: string;
  version?: string;
  description?: string;
  requires?: Requirement[];
  /** RPM files to copy in; `as` renames the copy, `options` becomes the options attribute. */
  packages: { rpm: string; label: string; as?: string; options?: string; type?: string }[];
}

export function repositoryXml(spec: PackSpec): string {
  const root: Record<string, string> = {
    originator: spec.originator ?? 'acme',
    name: spec.name ?? 'hello',
    product: spec.product ?? 'XenServer',
    version: spec.version ?? '1.0',
  };
  const lines = [element('repository', root).replace('/>', '>')];
  lines.push(`  ${element('description', {}, spec.description ?? 'Hello pack')}`);
  for (const r of spec.requires ?? []) {
    const attrs: Record<string, string> = { ...r, product: 'XenServer' };
    if (r.build === undefined) delete attrs.build;
    lines.push(`  ${element('requires', attrs)}`);
  }
  lines.push('</repository>');
  return `${lines.join('\n')}\n`;
}

/** Write a pack directory: metadata, RPM copies, and the script as both `install` and `install.sh`. */
export function writePack(dir: string, spec: PackSpec): void {
  mkdirSync(dir, { recursive: true });
  const pkgs = spec.packages.map((p) => {
    const file = p.as ?? p.rpm.slice(p.rpm.lastIndexOf('/') + 1);
    copyFileSync(p.rpm, join(dir, file));
    const bytes = readFileSync(join(dir, file));
    const attrs: Record<string, string> = {
      label: p.label,
      md5: createHash('md5').update(bytes).digest('hex'),
      size: String(bytes.length),
      type: p.type ?? 'rpm',
    };
    if (p.options !== undefined) attrs.options = p.options;
    return `  ${element('package', attrs, file)}`;
  });
  writeFileSync(join(dir, 'XS-REPOSITORY'), repositoryXml(spec));
  writeFileSync(join(dir, 'XS-PACKAGES'), `<packages>\n${pkgs.join('\n')}\n</packages>\n`);
  for (const name of INSTALL_SCRIPT_NAMES) {
    copyFileSync(installScriptPath(), join(dir, name));
    chmodSync(join(dir, name), 0o755);
  }
}

/**
 * A fake host under `root`. The stand-in `xe` exists because no XenServer host (no xapi) can run
 * here: it only records its arguments. The `rpm` wrapper records each call, then runs the real rpm.
 */
export function makeHost(base: string, opts: { productVersion?: string; xsMain?: boolean; rpm?: OldRpmRelease } = {}): Host {
  const root = join(base, 'host root');
  const version = opts.productVersion ?? '8.2.1';
  mkdirSync(join(root, 'etc/xensource/installed-repos'), { recursive: true });
  writeFileSync(
    join(root, 'etc/xensource-inventory'),
    [
      `PRODUCT_BRAND='XenServer'`,
      `PRODUCT_VERSION='${version}'`,
      `PLATFORM_NAME='XCP'`,
      `PLATFORM_VERSION='3.2.1'`,
      `BUILD_NUMBER='release/yangtze/master/58'`,
      `INSTALLATION_UUID='${HOST_UUID}'`,
      '',
    ].join('\n'),
  );
  if (opts.xsMain !== false) {
    const main = join(root, 'etc/xensource/installed-repos/xs:main');
    mkdirSync(main);
    writeFileSync(
      join(main, 'XS-REPOSITORY'),
      `${element('repository', { build: 'release/58', name: 'main', originator: 'xs', product: 'XenServer', version }).replace('/>', '>')}\n` +
        `  ${element('description', {}, 'XenServer')}\n</repository>\n`,
    );
  }
  // With opts.rpm: that old rpm release (testing/old-rpm.ts), always with its --dbpath.
  const dbpath = opts.rpm !== undefined ? ['--dbpath', '/var/lib/rpm'] : [];
  if (opts.rpm !== undefined) mkdirSync(join(root, 'var/lib/rpm'), { recursive: true });
  const realRpm = opts.rpm !== undefined ? oldRpmBin(opts.rpm) : execFileSync('sh', ['-c', 'command -v rpm'], { encoding: 'utf8' }).trim();
  execFileSync(realRpm, ['--root', root, ...dbpath, '--initdb']);

  const bin = join(base, 'bin');
  mkdirSync(bin, { recursive: true });
  const xeLog = join(bin, 'xe.log');
  const rpmLog = join(bin, 'rpm.log');
  writeFileSync(join(bin, 'xe'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${xeLog}'\n`, { mode: 0o755 });
  writeFileSync(join(bin, 'rpm'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${rpmLog}'\nexec '${realRpm}' ${dbpath.join(' ')} "$@"\n`, {
    mode: 0o755,
  });
  const env = { ...process.env, SUPPACK_ROOT: root, XE: join(bin, 'xe'), PATH: `${bin}:${process.env.PATH ?? ''}` };
  return { root, xeLog, rpmLog, env };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `<shell> <packDir>/install.sh args...` from an unrelated directory (the script must cd itself). */
export function runInstall(shell: string, host: Host, packDir: string, args: string[] = [], input = ''): Run {
  const r = spawnSync(shell, [join(packDir, 'install.sh'), ...args], {
    cwd: dirname(host.root),
    env: host.env,
    input,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Names of the packages in the host's rpm database. */
export function installedNames(host: Host): string[] {
  const out = execFileSync('rpm', ['--root', host.root, '-qa', '--qf', '%{NAME}\\n'], { encoding: 'utf8' });
  return out.split('\n').filter((s) => s !== '').sort();
}

export function rpmQuery(host: Host, name: string): string | undefined {
  const r = spawnSync('rpm', ['--root', host.root, '-q', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}', name], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout : undefined;
}

/**
 * Give the rpm root a working /bin/sh (dash and its libraries) and an rpm that provides /bin/sh,
 * so RPMs with scriptlets (acme-tool) install without --nodeps.
 */
export function giveRootAShell(host: Host): void {
  const dash = execFileSync('sh', ['-c', 'command -v dash'], { encoding: 'utf8' }).trim();
  mkdirSync(join(host.root, 'bin'), { recursive: true });
  copyFileSync(dash, join(host.root, 'bin/sh'));
  chmodSync(join(host.root, 'bin/sh'), 0o755);
  for (const lib of execFileSync('ldd', [dash], { encoding: 'utf8' }).match(/\/\S+/g) ?? []) {
    mkdirSync(join(host.root, dirname(lib)), { recursive: true });
    copyFileSync(lib, join(host.root, lib));
  }
  // rpmbuild needs a _topdir without spaces.
  const work = mkdtempSync(join(tmpdir(), 'suppack-sh-provider-'));
  const top = join(work, 'top');
  const spec = join(work, 'provider.spec');
  writeFileSync(
    spec,
    'Name: test-sh-provider\nVersion: 1\nRelease: 1\nSummary: test\nLicense: MIT\nBuildArch: noarch\n' +
      'Provides: /bin/sh\n%description\nTest only: provides /bin/sh in a scratch rpm root.\n%files\n',
  );
  execFileSync('rpmbuild', ['-bb', '--define', `_topdir ${top}`, spec], { stdio: 'pipe' });
  const dir = join(top, 'RPMS/noarch');
  execFileSync('rpm', ['--root', host.root, '-i', join(dir, readdirSync(dir)[0])], { stdio: 'pipe' });
  rmSync(work, { recursive: true, force: true });
}

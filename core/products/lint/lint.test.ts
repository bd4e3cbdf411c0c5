import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureRpmFiles, type FixtureRpms } from '../../../testing/rpms';
import { isSuppackError } from '../../base/errors';
import { legacyPlatform, targetHost, UPDATE_HOSTS } from '../../xenserver/hosts';
import type { Finding } from './findings';
import { assertLintClean, findVermagic, lintRpms, readLintRpm } from './lint';
import { LINT_RULE_IDS } from '../../../schemas/lint';
import { RULES, stripComments, type LintPack, type LintRpm } from './rules';
import { random } from '../../../testing/random';

// Real RPMs built by rpmbuild from testing/fixtures/lint-specs/lint.spec: lint-bad-* break one
// rule each, lint-clean-* follow every rule.
let rpms: FixtureRpms;
beforeAll(() => {
  rpms = buildFixtureRpmFiles(join(__dirname, '../../../testing/fixtures/lint-specs'));
});

function rpm(prefix: string): string {
  const hits = Object.keys(rpms).filter((f) => f.startsWith(`${prefix}-1.0-1`));
  expect(hits, prefix).toHaveLength(1);
  return rpms[hits[0]!]!;
}

const UPDATE: LintPack = { format: 'update', host: UPDATE_HOSTS, version: '1.0' };
const XS60 = legacyPlatform('XenServer', '6.0.0');
const LEGACY_60: LintPack = {
  format: 'legacy',
  vendorCode: 'acme',
  vendorName: 'ACME Corp',
  version: '1.0',
  platform: XS60,
  host: targetHost({ format: 'legacy', pack: { product: 'XenServer', productVersion: '6.0.0' } }),
};

async function findings(pack: LintPack, names: string[], ignore?: Record<string, string>): Promise<Finding[]> {
  return (await lintRpms({ pack, rpms: names.map(rpm), ignore })).findings;
}

function ids(fs: Finding[]): string[] {
  return [...new Set(fs.map((f) => f.rule))].sort();
}

const CLEAN_UPDATE = ['lint-clean-modules-4.19.0+1', 'lint-clean-tools'];
const CLEAN_LEGACY = [
  'lint-clean-modules-xen-2.6.32.12-0.7.1.xs6.0.0.529.170661xen',
  'lint-clean-modules-kdump-2.6.32.12-0.7.1.xs6.0.0.529.170661kdump',
  'lint-clean-tools',
];

describe('lint rules on real RPMs', () => {
  it('the clean RPMs give no finding for an update pack', async () => {
    expect(await findings(UPDATE, CLEAN_UPDATE)).toEqual([]);
  });

  it('the clean xen + kdump pair gives no module finding for XenServer 6.0 (only the host rpm 4.4 ones)', async () => {
    // The fixtures carry sha256 file digests: rpm 4.4.2.3 of XenServer 6.0 cannot check them.
    expect(ids(await findings(LEGACY_60, CLEAN_LEGACY))).toEqual(['HOST-CAPS']);
  });

  const cases: Array<[string, string, LintPack, RegExp]> = [
    ['KMOD-GROUP', 'lint-bad-group', UPDATE, /^holds kernel modules but its group is "Applications\/System"; expected "System Environment\/Kernel"$/],
    ['KMOD-DIR', 'lint-bad-dir', UPDATE, /^kernel module outside \/lib\/modules\/<kernel>\/extra\/ \(or updates\/\)$/],
    ['KMOD-ONE-KERNEL', 'lint-bad-two-kernels', UPDATE, /^holds modules for 2 kernels \(4\.19\.0\+1, 4\.19\.0\+2\); build one RPM per kernel$/],
    ['KMOD-VERMAGIC', 'lint-bad-vermagic-4.19.0+1', UPDATE, /^built for kernel 4\.19\.0\+2 \(vermagic "4\.19\.0\+2 SMP mod_unload modversions "\) but filed under 4\.19\.0\+1$/],
    ['PLACE-UDEV', 'lint-bad-udev', UPDATE, /^udev rules outside \/etc\/udev\/rules\.d\/$/],
    ['PLACE-FIRMWARE', 'lint-bad-firmware', UPDATE, /^firmware outside \/lib\/firmware\/$/],
    ['PLACE-CONFIG', 'lint-bad-config', UPDATE, /^%config file outside \/etc\/$/],
    ['PLACE-DOC', 'lint-bad-doc', UPDATE, /^%doc file outside \/usr\/share\/doc\/$/],
    ['SCRIPT-STARTS-PROCESS', 'lint-bad-starts', UPDATE, /^starts a service: "service acmed start"$/],
    ['SCRIPT-FIREWALL', 'lint-bad-firewall', UPDATE, /^adds iptables rules without first loading the saved ones/],
    ['SCRIPT-RUNNING-HOST', 'lint-bad-running-host', UPDATE, /^uses xe without testing for a running host \(runlevel\)$/],
    ['FIRMWARE-TARBALL', 'lint-bad-fw-tarball', UPDATE, /^firmware tarball not named <company-product>-<version>\.tar\.gz$/],
    ['WEIGHT-RUNTIME', 'lint-bad-java', UPDATE, /^ships or needs a Java runtime; dom0 is no place for it/],
    ['KMOD-FLAVOURS', 'lint-bad-xen-only', LEGACY_60, /^xenonly\.ko is built for 2\.6\.32\.12-0\.7\.1\.xs6\.0\.0\.529\.170661xen but not for 2\.6\.32\.12-0\.7\.1\.xs6\.0\.0\.529\.170661kdump$/],
    ['KMOD-NAME', 'lint-bad-xen-only', LEGACY_60, /^holds modules for kernel 2\.6\.32\.12-0\.7\.1\.xs6\.0\.0\.529\.170661xen but its name "lint-bad-xen-only" does not name it/],
    ['HOST-CAPS', 'lint-clean-tools', LEGACY_60, /^needs rpmlib\(FileDigests\), which rpm 4\.4\.2\.3 of XenServer 6\.0 lacks/],
  ];

  it.each(cases)('%s: %s breaks it', async (rule, name, pack, message) => {
    const fs = (await findings(pack, [name])).filter((f) => f.rule === rule);
    expect(fs.length, JSON.stringify(fs)).toBeGreaterThan(0);
    expect(fs[0]!.message).toMatch(message);
    expect(fs[0]!.severity).toBe(RULES.find((r) => r.id === rule)!.severity);
    if (fs[0]!.rpm !== undefined) expect(fs[0]!.rpm).toMatch(new RegExp(`^${name.replace(/[.+]/g, '\\$&')}-1\\.0-1\\.noarch\\.rpm$`));
  });

  it('names the file inside the RPM, or the scriptlet', async () => {
    const [dir] = await findings(UPDATE, ['lint-bad-dir']);
    expect(dir!.file).toBe('/lib/modules/4.19.0+1/kernel/drivers/dir.ko');
    const [starts] = await findings(UPDATE, ['lint-bad-starts']);
    expect(starts!.file).toBe('%post');
  });

  it('a firewall rule added alone is reported for the missing restore and the missing save', async () => {
    const fs = await findings(UPDATE, ['lint-bad-firewall']);
    expect(fs.map((f) => f.message)).toEqual([
      'adds iptables rules without first loading the saved ones (iptables-restore < /etc/sysconfig/iptables)',
      'adds iptables rules without saving them afterwards (iptables-save > /etc/sysconfig/iptables)',
    ]);
  });
});

describe('pack-level rules', () => {
  const clean = ['lint-clean-tools'];

  it('UPGRADE-VENDOR: a version or build number in vendor code or name', async () => {
    const fs = await findings({ ...LEGACY_60, vendorCode: 'acme-2.1', vendorName: 'ACME build 7' }, clean);
    expect(fs.filter((f) => f.rule === 'UPGRADE-VENDOR').map((f) => f.message)).toEqual([
      'vendor code "acme-2.1" looks like it carries a version or build number; upgrades only match packs with the same vendor code',
      'vendor name "ACME build 7" looks like it carries a version or build number; upgrades only match packs with the same vendor name',
    ]);
    expect((await findings(LEGACY_60, clean)).filter((f) => f.rule === 'UPGRADE-VENDOR')).toEqual([]);
  });

  it('VERSION-DOTS: no dot anywhere; for XenServer 5.6 more than two dots or a hyphen', async () => {
    const versionFindings = async (version: string, productVersion: string) =>
      (
        await findings(
          { ...LEGACY_60, version, platform: legacyPlatform('XenServer', productVersion), host: targetHost({ format: 'legacy', pack: { product: 'XenServer', productVersion } }) },
          clean,
        )
      )
        .filter((f) => f.rule === 'VERSION-DOTS')
        .map((f) => f.message);
    expect(await versionFindings('1', '6.0.0')).toEqual(['version "1" has no dot; the installer needs at least one (e.g. "1.0")']);
    expect(await versionFindings('1.2.3.4', '6.0.0')).toEqual([]);
    expect(await versionFindings('1.2.3.4', '5.6.0')).toEqual(['version "1.2.3.4" has 3 dots; XenServer 5.6\'s installer takes at most two']);
    expect(await versionFindings('1-2.3', '5.6.0')).toEqual(['version "1-2.3" has a hyphen, which XenServer 5.6\'s installer reads as the build separator']);
    expect(await versionFindings('12.345.678', '5.6.0')).toEqual([]);
  });

  it('UPGRADE-PREVIOUS: the previous release\'s RPMs are upgraded (same names, higher EVR)', async () => {
    const previous = [
      { name: 'lint-clean-tools', version: '1.0', release: '2' },
      { name: 'acme-gone', version: '0.9', release: '1' },
    ];
    const fs = (await findings({ ...UPDATE, previous }, clean)).filter((f) => f.rule === 'UPGRADE-PREVIOUS');
    expect(fs.map((f) => f.message)).toEqual([
      '1.0-1 does not upgrade the previous release\'s 1.0-2',
      'acme-gone (0.9-1) of the previous release is not in this pack: rpm -U leaves it installed',
    ]);
    const ok = await findings({ ...UPDATE, previous: [{ name: 'lint-clean-tools', version: '0.9', release: '5' }] }, clean);
    expect(ok.filter((f) => f.rule === 'UPGRADE-PREVIOUS')).toEqual([]);
  });

  it('WEIGHT-MEMORY: a --mem over a tenth of dom0', async () => {
    const fs = await findings({ ...LEGACY_60, memMiB: 200 }, clean);
    expect(fs.filter((f) => f.rule === 'WEIGHT-MEMORY').map((f) => f.message)).toEqual([
      "declares 200 MiB of dom0 memory (--mem), more than a tenth of dom0's 752 MB",
    ]);
    expect((await findings({ ...LEGACY_60, memMiB: 20 }, clean)).filter((f) => f.rule === 'WEIGHT-MEMORY')).toEqual([]);
  });
});

describe('ignoring rules', () => {
  it('an ignored rule is kept, marked with its reason, and does not fail', async () => {
    const report = await lintRpms({ pack: UPDATE, rpms: [rpm('lint-bad-udev')], ignore: { 'PLACE-UDEV': 'the vendor udev package owns /lib/udev' } });
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'PLACE-UDEV', ignored: 'the vendor udev package owns /lib/udev' })]);
    expect(() => assertLintClean(report)).not.toThrow();
  });

  it('a lint error fails with every finding on its own line', async () => {
    const report = await lintRpms({ pack: UPDATE, rpms: [rpm('lint-bad-udev'), rpm('lint-bad-config')] });
    let error: unknown;
    try {
      assertLintClean(report, 'packs/acme/suppack.json');
    } catch (e) {
      error = e;
    }
    expect(isSuppackError(error)).toBe(true);
    expect((error as Error).message.split('\n')).toEqual([
      'packs/acme/suppack.json: lint found 2 errors (docs/lint.md)',
      'error: lint-bad-udev-1.0-1.noarch.rpm: /lib/udev/rules.d/90-acme.rules: udev rules outside /etc/udev/rules.d/ [PLACE-UDEV, DDK guide 7.2]',
      'error: lint-bad-config-1.0-1.noarch.rpm: /opt/acme/acme.conf: %config file outside /etc/ [PLACE-CONFIG, DDK guide 7.2]',
    ]);
  });

  it('refuses an unknown rule id and an empty reason', async () => {
    await expect(lintRpms({ pack: UPDATE, rpms: [], ignore: { 'PLACE-UDEVV': 'x' } })).rejects.toThrow('lint.ignore.PLACE-UDEVV: unknown rule; did you mean PLACE-UDEV? (rules: docs/lint.md)');
    await expect(lintRpms({ pack: UPDATE, rpms: [], ignore: { 'PLACE-UDEV': ' ' } })).rejects.toThrow(/^lint\.ignore\.PLACE-UDEV: expected the reason the rule is turned off/);
  });
});

it('has one rule per rule id of the schema, in the same order', () => {
  expect(RULES.map((r) => r.id)).toEqual([...LINT_RULE_IDS]);
});

// Found by the fuzz campaign (scripts/fuzz.sh): an RPM refused before its first chunk was read
// (an empty file) left its file open until garbage collection.
describe('reading an RPM for lint closes it, whatever it holds', () => {
  const openFds = () => readdirSync('/proc/self/fd').length;
  it.each([
    ['empty', Buffer.alloc(0)],
    ['a lead only', Buffer.concat([Buffer.from([0xed, 0xab, 0xee, 0xdb, 3, 0]), Buffer.alloc(90)])],
    ['not an RPM', Buffer.from('hello\n')],
  ])('%s: refused, and no descriptor left open', async (_, bytes) => {
    const dir = mkdtempSync(join(tmpdir(), 'suppack-lint-fd-'));
    const file = join(dir, 'x.rpm');
    writeFileSync(file, bytes);
    const before = openFds();
    await expect(readLintRpm(file)).rejects.toThrow(/x\.rpm/);
    expect(openFds()).toBe(before);
    rmSync(dir, { recursive: true });
  });
});

// A scriptlet is the RPM author's text, anyone's: the rules read it in time linear in its length.
describe('scriptlet rules on hostile scripts', () => {
  // A fake RPM holding only a %post: these rules read nothing else of it.
  const run = (id: string, post: string) =>
    RULES.find((r) => r.id === id)!
      .check({ pack: {} as LintPack, rpms: [{ name: 'x.rpm', info: { scripts: { postin: post } } } as unknown as LintRpm] })
      .map((h) => h.message);

  it('any number of systemctl options before the command (`-{1,2}[\\w-]+` read `--a` two ways: 2^n tries)', () => {
    const options = '--a '.repeat(60);
    expect(run('SCRIPT-STARTS-PROCESS', `systemctl ${options}start acmed`)).toEqual([expect.stringMatching(/^starts a systemd unit: "systemctl --a --a .*\.\.\."$/)]);
    expect(run('SCRIPT-STARTS-PROCESS', `systemctl ${options}x`)).toEqual([]);
    expect(run('SCRIPT-RUNNING-HOST', `systemctl ${'-q '.repeat(60)}stop acmed`)).toEqual(['uses systemctl without testing for a running host (runlevel)']);
    expect(run('SCRIPT-RUNNING-HOST', `systemctl ${options}x`)).toEqual([]);
  });

  it('comments out as /(^|\\s)#.*$/ took them, in one pass over a line', () => {
    const rand = random(3);
    const pieces = ['#', ' ', '\t', 'a', 'echo', '\n', '"#"', 'x#y'];
    for (let i = 0; i < 20_000; i++) {
      const script = Array.from({ length: rand.int(10) }, () => rand.pick(pieces)).join('');
      const before = script.split('\n').map((line) => (/^\s*#/.test(line) ? '' : line.replace(/(^|\s)#.*$/, '$1'))).join('\n');
      expect(stripComments(script), JSON.stringify(script)).toBe(before);
    }
    // a comment of a CRLF script ends at the newline, \r and all (the pattern stopped at the \r and kept it)
    expect(stripComments('service a start # note\r\nx')).toBe('service a start \nx');
    expect(stripComments(`a${'\t#'.repeat(500_000)}`)).toBe('a\t');
  });

  it('enable --now: in one command, options first or not; a megabyte line of others read once', () => {
    const found = (cmd: string) => [`starts a systemd unit (enable --now): "${cmd}"`];
    expect(run('SCRIPT-STARTS-PROCESS', 'systemctl enable acmed --now')).toEqual(found('systemctl enable acmed --now'));
    expect(run('SCRIPT-STARTS-PROCESS', 'x && /usr/bin/systemctl -q enable --now acmed')).toEqual(found('x && /usr/bin/systemctl -q enable --now acmed'));
    expect(run('SCRIPT-STARTS-PROCESS', 'systemctl enable acmed; echo --now')).toEqual([]);
    expect(run('SCRIPT-STARTS-PROCESS', 'systemctl disable acmed --now')).toEqual([]);
    // ~1 MB on one line: the former pattern went on from each systemctl to the end (minutes)
    expect(run('SCRIPT-STARTS-PROCESS', 'systemctl enable a '.repeat(50_000))).toEqual([]);
  });
});

describe('findVermagic', () => {
  async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
    for (const p of parts) yield Buffer.from(p, 'latin1');
  }
  it('finds the string across chunk boundaries', async () => {
    expect(await findVermagic(chunks('\0lic=GPL\0verm', 'agic=4.19.0+1 S', 'MP \0x'))).toBe('4.19.0+1 SMP ');
  });
  it('gives undefined for a module without one, or one that never ends', async () => {
    expect(await findVermagic(chunks('\0license=GPL\0'))).toBeUndefined();
    expect(await findVermagic(chunks('vermagic=', 'x'.repeat(600), '\0'))).toBeUndefined();
  });
});

describe('UNINSTALL-CLEAN: installed and erased for real in a private root (rpm, as root)', () => {
  it('reports what a scriptlet left behind, and nothing for one that cleans up', async () => {
    const { runLint } = await import('./index');
    const report = await runLint({ inputs: [rpm('lint-bad-leftover'), rpm('lint-clean-erase'), rpm('lint-clean-tools')], pack: UPDATE, uninstallCheck: true });
    expect(report.findings.filter((f) => f.rule === 'UNINSTALL-CLEAN')).toEqual([
      {
        rule: 'UNINSTALL-CLEAN',
        severity: 'error',
        section: '7.4',
        rpm: 'lint-bad-leftover-1.0-1.noarch.rpm',
        file: '/etc/acme/generated.conf',
        message: 'left behind after rpm -e',
      },
    ]);
  });

  it('refuses a pack ISO (it takes RPM files)', async () => {
    const { runLint } = await import('./index');
    await expect(runLint({ inputs: ['pack.iso'], uninstallCheck: true })).rejects.toThrow("pack.iso: the uninstall check takes RPM files; lint the pack's RPMs for it");
  });
});

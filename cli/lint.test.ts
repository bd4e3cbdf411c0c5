/**
 * `suppack lint` end to end in-process: real RPMs from testing/fixtures/lint-specs (rpmbuild), a
 * real pack ISO built from them, every output format, exit status and usage errors.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Ajv from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLegacyPack } from '../core/products/legacy-pack/pack';
import { legacyPackSchema } from '../schemas/legacy-pack';
import { buildFixtureRpmFiles, type FixtureRpms } from '../testing/rpms';
import { isSuppackError } from '../core/base/errors';
import { UsageError } from './args';
import { lintCommand } from './lint';

const dir = mkdtempSync(join(tmpdir(), 'suppack-cli-lint-'));
let rpms: FixtureRpms;
let cleanIso: string;
let badIso: string;

function rpm(prefix: string): string {
  const name = Object.keys(rpms).find((f) => f.startsWith(`${prefix}-1.0-1`));
  return rpms[name!]!;
}

async function pack(label: string, files: string[], vendorCode = 'acme'): Promise<string> {
  const built = await buildLegacyPack({
    pack: legacyPackSchema.parse({ vendorCode, vendorName: 'ACME Corp', label, text: label, version: '1.0', productVersion: '7.0.0' }),
    rpms: files,
    outDir: join(dir, label),
    iso: true,
    tarball: false,
    epoch: 1700000000,
  });
  return built.outputs.iso!;
}

beforeAll(async () => {
  rpms = buildFixtureRpmFiles(join(__dirname, '../testing/fixtures/lint-specs'));
  cleanIso = await pack('acme-clean', [rpm('lint-clean-tools')]);
  badIso = await pack('acme-bad', [rpm('lint-bad-udev'), rpm('lint-bad-starts'), rpm('lint-bad-running-host')], 'acme-2.0');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command as cli/main.ts does: a usage error exits 2, a SuppackError 1, each with its one line. */
async function lint(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  let o = '';
  out.on('data', (d: Buffer) => (o += d.toString()));
  try {
    const code = await lintCommand(args, out);
    return { code, out: o, err: '' };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, out: o, err: `suppack lint: ${e.message}\n` };
    if (isSuppackError(e)) return { code: 1, out: o, err: `suppack: error: ${e.message}\n` };
    throw e;
  }
}

describe('suppack lint', () => {
  it('a clean pack ISO: exit 0, no finding', async () => {
    const r = await lint(cleanIso);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual(['1 RPM checked against XenServer 7.0', expect.stringMatching(/^installs 0\.0 MiB into dom0 \(dom0 has 752 MB/), '0 errors, 0 warnings', '']);
  });

  it('a pack ISO that breaks rules: each finding on a line, exit 1; its facts come from XS-REPOSITORY', async () => {
    const r = await lint(badIso);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines).toContain('error: vendor code "acme-2.0" looks like it carries a version or build number; upgrades only match packs with the same vendor code [UPGRADE-VENDOR, DDK guide 7.3]');
    expect(lines).toContain('error: lint-bad-udev-1.0-1.noarch.rpm: /lib/udev/rules.d/90-acme.rules: udev rules outside /etc/udev/rules.d/ [PLACE-UDEV, DDK guide 7.2]');
    expect(lines).toContain('error: lint-bad-starts-1.0-1.noarch.rpm: %post: starts a service: "service acmed start" [SCRIPT-STARTS-PROCESS, DDK guide 7.2]');
    expect(lines).toContain('warning: lint-bad-running-host-1.0-1.noarch.rpm: %post: uses xe without testing for a running host (runlevel) [SCRIPT-RUNNING-HOST, DDK guide 7.2]');
    expect(lines.at(-2)).toBe('3 errors, 2 warnings'); // service in %post also needs a running host
  });

  it('rules turned off with --ignore are shown as ignored and do not fail', async () => {
    const r = await lint(
      '--update',
      '--ignore=PLACE-UDEV=the platform udev package owns /lib/udev',
      '--ignore',
      'SCRIPT-STARTS-PROCESS=acmed is socket-activated',
      rpm('lint-bad-udev'),
      rpm('lint-bad-starts'),
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('[PLACE-UDEV, DDK guide 7.2, ignored: the platform udev package owns /lib/udev]');
    expect(r.out.split('\n').at(-2)).toBe('0 errors, 1 warning, 2 ignored'); // SCRIPT-RUNNING-HOST (service) stays;
  });

  it('--json and --format=sarif (valid SARIF 2.1.0, RPMs as artifacts)', async () => {
    const json = await lint('--json', '--update', rpm('lint-bad-config'));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).findings).toEqual([
      { rule: 'PLACE-CONFIG', severity: 'error', section: '7.2', rpm: 'lint-bad-config-1.0-1.noarch.rpm', file: '/opt/acme/acme.conf', message: '%config file outside /etc/' },
    ]);
    const out = join(dir, 'lint.sarif');
    const sarif = await lint('--format=sarif', `--output=${out}`, badIso);
    expect(sarif.code).toBe(1);
    expect(sarif.out).toBe('');
    const log = JSON.parse(readFileSync(out, 'utf8'));
    const schema = JSON.parse(readFileSync(join(__dirname, '../testing/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const udev = log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'PLACE-UDEV');
    expect(udev.locations[0].physicalLocation.artifactLocation.uri).toMatch(/acme-bad\.iso#lint-bad-udev-1\.0-1\.noarch\.rpm$/);
  });

  it('--previous: the previous release\'s RPMs must be upgraded', async () => {
    const r = await lint('--update', `--previous=${badIso}`, rpm('lint-clean-tools'));
    expect(r.code).toBe(1);
    expect(r.out).toContain('error: lint-bad-udev (1.0-1) of the previous release is not in this pack: rpm -U leaves it installed [UPGRADE-PREVIOUS, DDK guide 7.3.2]');
  });

  it('usage and input errors: one line, exit 2 or 1', async () => {
    expect(await lint(rpm('lint-clean-tools'))).toMatchObject({ code: 2, err: expect.stringMatching(/^suppack lint: which pack are the RPMs for\? give --update, or --product-version=VERSION/) });
    expect(await lint('--update', cleanIso)).toMatchObject({ code: 2, err: expect.stringMatching(/^suppack lint: --update: a pack ISO carries its own facts/) });
    expect(await lint('--update', '--ignore=PLACE-UDEVV=x', rpm('lint-clean-tools'))).toMatchObject({
      code: 1,
      err: 'suppack: error: --ignore PLACE-UDEVV: unknown rule; did you mean PLACE-UDEV? (rules: docs/lint.md)\n',
    });
    expect(await lint('--update', '--ignore=PLACE-UDEV', rpm('lint-clean-tools'))).toMatchObject({ code: 1, err: expect.stringContaining('--ignore: expected RULE=REASON') });
    expect(await lint('--update', '--format=xml', rpm('lint-clean-tools'))).toMatchObject({ code: 1, err: expect.stringContaining('--format: expected text, json or sarif') });
    const missing = join(dir, 'missing.rpm');
    expect(await lint('--update', missing)).toMatchObject({ code: 1, err: `suppack: error: ${missing}: no such file or directory\n` });
  });
});

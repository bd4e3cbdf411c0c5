/**
 * Issue 19 items 1, 3 and 8 with their reproducers as input: RPMs with hostile header strings and
 * RPMs rpm itself rejects (`rpm -K --nosignature`) never go into a pack — build-supplemental-pack,
 * build-update, collect-rpms (the gulp plugin: gulp/supplemental-pack.test.ts) — and `verify` reports them in a pack made elsewhere.
 * Every refusal is one line naming the input RPM and the header field, and leaves no output.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { oneLineRejection } from '../../formats/rpm/testing';
import { legacyPackSchema } from '../../../schemas/legacy-pack';
import { manifestSchema } from '../../../schemas/manifest';
import { updatePackSchema } from '../../../schemas/update-pack';
import { collectRpms } from './collect';
import { buildLegacyPack } from '../legacy-pack/pack';
import { verifyPack } from '../report/pack-report';
import { hostileRpm, withPayloadBytesOverwritten, withSignatureMd5OffsetMoved } from '../../formats/rpm/testing';
import { buildUpdatePack, updatePackMetadata, writeUpdateIso } from '../update-pack/pack';

const rpms = inject('fixtureRpms');
const EPOCH = 1_700_000_000;
const LEGACY = legacyPackSchema.parse({
  vendorCode: 'acme',
  vendorName: 'Acme',
  label: 'acme-pack',
  text: 'Acme pack',
  version: '1.0',
  productVersion: '8.2.0',
});
const UPDATE = updatePackSchema.parse({
  uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50',
  label: 'acme-upd',
  version: '1.0',
  description: 'Acme update',
  baseRequires: 'xenserver-release >= 8.2.0',
});

let dir: string;
/** The reproducers, by what they show. */
let bad: Record<'evalName' | 'spaceName' | 'payload2Bytes' | 'md5Offset' | 'dashVersion', string>;
/** What the one-line message must contain after `<file>: `. */
const EXPECT: Record<keyof typeof bad, RegExp> = {
  evalName: /^main header tag 1000 \(NAME\): "--eval=%\(touch .*\)" is not a valid package name \(rpm would read it as an option\)/,
  spaceName: /^main header tag 1000 \(NAME\): "hello lib" is not a valid package name: expected ASCII letters/,
  payload2Bytes: /^signature header tag 1004 \(MD5\): MD5 digest of the header and payload does not match .*the RPM is corrupt/,
  md5Offset: /^signature header tag 1004 \(MD5\): MD5 digest of the header and payload does not match/,
  dashVersion: /^main header tag 1001 \(VERSION\): "-1" is not a valid package version \(rpm would read it as an option\)/,
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-hostile-'));
  const src = join(dir, 'src');
  mkdirSync(src);
  bad = {
    evalName: hostileRpm(src, 'evil-1.0-1.noarch.rpm', { name: `--eval=%(touch ${dir}/pwned)` }),
    spaceName: hostileRpm(src, 'hello lib-1.0-1.noarch.rpm', { name: 'hello lib' }),
    payload2Bytes: withPayloadBytesOverwritten(rpms['hello-lib']!, src, 'payload-2-bytes.rpm'),
    md5Offset: withSignatureMd5OffsetMoved(rpms['hello-lib']!, src, 'md5-offset.rpm'),
    dashVersion: hostileRpm(src, 'dash-version.rpm', { version: '-1' }),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = () => Object.keys(EXPECT) as (keyof typeof bad)[];

describe.each(cases())('reproducer %s', (which) => {
  it('the real rpm agrees: rpm -K fails on the corrupt ones', () => {
    const r = spawnSync('rpm', ['-K', '--nosignature', bad[which]], { encoding: 'utf8' });
    expect(r.status === 0).toBe(!['payload2Bytes', 'md5Offset'].includes(which));
  });

  it('build-supplemental-pack refuses it, naming the RPM and the field; no output', async () => {
    const out = join(dir, `legacy-${which}`);
    const e = await oneLineRejection(buildLegacyPack({ pack: LEGACY, rpms: [rpms['xs-hello']!, bad[which]], outDir: out, epoch: EPOCH }));
    expect(e.file).toBe(bad[which]);
    expect(e.message.slice(bad[which].length + 2)).toMatch(EXPECT[which]);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('build-update refuses it, naming the input RPM (not the generated RPM spec); no output', async () => {
    const out = join(dir, `update-${which}`);
    mkdirSync(out);
    const e = await oneLineRejection(buildUpdatePack({ pack: UPDATE, rpms: [rpms['acme-firmware']!, bad[which]], files: {}, output: out, epoch: EPOCH }));
    expect(e.file).toBe(bad[which]);
    expect(e.message).not.toMatch(/RPM spec/);
    expect(e.message.slice(bad[which].length + 2)).toMatch(EXPECT[which]);
    expect(readdirSync(out)).toEqual([]);
  });

  it('collect-rpms refuses it as a prebuilt RPM, naming the manifest, the glob and the file', async () => {
    const project = join(dir, `collect-${which}`);
    mkdirSync(join(project, 'vendor'), { recursive: true });
    copyFileSync(bad[which], join(project, 'vendor', basename(bad[which])));
    const manifest = manifestSchema.parse({ pack: { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-pack', text: 'Acme', version: '1.0', productVersion: '8.2.0' }, prebuilt: ['vendor/*.rpm'] });
    const outDir = join(project, 'out');
    const e = await oneLineRejection(collectRpms({ manifest, projectDir: project, builtDir: join(project, 'RPMS'), outDir, manifestFile: 'suppack.json' }));
    const why = /^suppack\.json: prebuilt\[0\]: (.*) is not a valid RPM \((.*)\)$/.exec(e.message);
    expect(why?.[1]).toBe(`vendor/${basename(bad[which])}`);
    expect(why?.[2]).toMatch(EXPECT[which]);
    expect(existsSync(outDir)).toBe(false);
  });

});

/** Replace every `from` in `b` by `to` (same length). */
function replaceAll(b: Buffer, from: string, to: string): number {
  let n = 0;
  for (let at = b.indexOf(from); at >= 0; at = b.indexOf(from, at + 1)) {
    b.write(to, at, 'latin1');
    n++;
  }
  return n;
}

describe('verify reports corrupt RPMs that a pack made elsewhere carries with matching md5 / sha256', () => {
  // Both ways verify reads a legacy pack's packages: one by one from a stream, or several at a
  // time by a FileDigester over the image (the way for 16 MiB or more of packages).
  it.each([
    ['one by one', false],
    ['with a FileDigester', true],
  ] as const)('legacy pack: the RPM is corrupted in the ISO and XS-PACKAGES updated to its md5 (%s)', async (_, fileDigester) => {
    const out = join(dir, `verify-legacy-${fileDigester}`);
    const built = await buildLegacyPack({ pack: LEGACY, rpms: [rpms['hello-lib']!, rpms['xs-hello']!], outDir: out, epoch: EPOCH });
    const iso = readFileSync(built.outputs.iso!);
    const rpm = readFileSync(rpms['hello-lib']!);
    const at = iso.indexOf(rpm);
    expect(at).toBeGreaterThan(0);
    const corrupt = readFileSync(withPayloadBytesOverwritten(rpms['hello-lib']!, dir, 'c.rpm'));
    corrupt.copy(iso, at);
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
    expect(replaceAll(iso, md5(rpm), md5(corrupt))).toBe(1);
    const tampered = join(dir, `tampered-${fileDigester}.iso`);
    writeFileSync(tampered, iso);
    const v = await verifyPack(tampered, { fileDigester });
    expect(v.ok).toBe(false);
    const check = v.checks.find((c) => c.file === basename(rpms['hello-lib']!));
    expect(check && 'md5' in check ? check.md5 : undefined).toBe(md5(corrupt));
    expect(check?.problem).toMatch(/^not a sound RPM: signature header tag 1004 \(MD5\): MD5 digest of the header and payload does not match/);
    expect(v.checks.filter((c) => c.ok).map((c) => c.file)).toEqual([basename(rpms['xs-hello']!)]);
  });

  // Every kind of finding at once, in one pack: the two ways give the same report.
  it('legacy pack with a package of each fault: the same checks one by one and with a FileDigester', async () => {
    const out = join(dir, 'verify-faults');
    const names = ['hello-lib', 'xs-hello', 'acme-modules'] as const;
    const built = await buildLegacyPack({ pack: LEGACY, rpms: names.map((n) => rpms[n]!), outDir: out, epoch: EPOCH });
    const iso = readFileSync(built.outputs.iso!);
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
    // hello-lib: its signature header's MD5 entry points one byte off, XS-PACKAGES follows it
    const lib = readFileSync(rpms['hello-lib']!);
    const moved = readFileSync(withSignatureMd5OffsetMoved(rpms['hello-lib']!, dir, 'moved.rpm'));
    moved.copy(iso, iso.indexOf(lib));
    expect(replaceAll(iso, md5(lib), md5(moved))).toBe(1);
    // xs-hello: its lead's magic broken, XS-PACKAGES follows it (the headers cannot be read)
    const hello = readFileSync(rpms['xs-hello']!);
    const at = iso.indexOf(hello);
    const broken = Buffer.from(hello);
    broken[0] = 0;
    broken.copy(iso, at);
    expect(replaceAll(iso, md5(hello), md5(broken))).toBe(1);
    // acme-modules: one payload byte changed, XS-PACKAGES left as it was
    const acme = readFileSync(rpms['acme-modules']!);
    iso[iso.indexOf(acme) + acme.length - 1] ^= 0xff;
    const tampered = join(dir, 'faults.iso');
    writeFileSync(tampered, iso);
    const one = await verifyPack(tampered, { fileDigester: false });
    const lanes = await verifyPack(tampered, { fileDigester: true });
    expect(lanes.checks).toEqual(one.checks);
    const acmeNow = Buffer.concat([acme.subarray(0, -1), Buffer.from([acme[acme.length - 1]! ^ 0xff])]);
    expect(one.checks.map((c) => [c.file, c.ok, c.problem])).toEqual([
      [basename(rpms['hello-lib']!), false, expect.stringMatching(/^not a sound RPM: signature header tag 1004 \(MD5\): MD5 digest of the header and payload does not match/)],
      [basename(rpms['xs-hello']!), false, expect.stringMatching(/^not a sound RPM: lead: not an RPM file/)],
      [basename(rpms['acme-modules']!), false, `md5 ${md5(acmeNow)}, XS-PACKAGES says ${md5(acme)}`],
    ]);
  });

  it('update pack: repodata made from the corrupt RPM (sha256 matching) still fails verify', async () => {
    const meta = await updatePackMetadata(UPDATE, [rpms['hello-lib']!], {}, EPOCH);
    const work = join(dir, 'verify-update');
    mkdirSync(work);
    const generated = meta.generated.map((g) => {
      writeFileSync(join(work, g.fileName), g.bytes);
      return join(work, g.fileName);
    });
    const corrupt = withSignatureMd5OffsetMoved(rpms['hello-lib']!, work, basename(rpms['hello-lib']!));
    const iso = join(work, 'u.iso');
    await writeUpdateIso({ pack: UPDATE, version: meta.version, updateXml: meta.updateXml, rpms: [corrupt, ...generated], epoch: EPOCH }, iso);
    const v = await verifyPack(iso);
    expect(v.ok).toBe(false);
    const check = v.checks.find((c) => c.file.endsWith(basename(rpms['hello-lib']!)));
    expect(check?.problem).toMatch(/^not a sound RPM: signature header tag 1004 \(MD5\)/);
    expect(v.checks.filter((c) => !c.ok)).toHaveLength(1);
  });

  it('a sound pack still verifies', async () => {
    const out = join(dir, 'verify-good');
    const built = await buildLegacyPack({ pack: LEGACY, rpms: [rpms['hello-lib']!, rpms['acme-modules']!], outDir: out, epoch: EPOCH });
    const v = await verifyPack(built.outputs.iso!);
    expect(v.checks.map((c) => c.problem)).toEqual([undefined, undefined]);
    expect(v.ok).toBe(true);
  });
});

it('an RPM of 4 GiB or more is refused before it is read (one ISO 9660 extent), naming it', async () => {
  const huge = join(dir, 'huge.rpm');
  writeFileSync(huge, readFileSync(rpms['hello-lib']!));
  truncateSync(huge, 5 * 2 ** 30); // sparse: nothing is written
  const out = join(dir, 'huge-out');
  const e = await oneLineRejection(buildLegacyPack({ pack: LEGACY, rpms: [huge], outDir: out, epoch: EPOCH }));
  expect(e.message).toBe(`${huge}: is ${5 * 2 ** 30} bytes: a pack's ISO holds files of at most 4294967294 bytes (one ISO 9660 extent, below 4 GiB)`);
  expect(existsSync(out)).toBe(false);
});


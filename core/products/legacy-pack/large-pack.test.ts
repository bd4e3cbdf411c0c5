/**
 * A legacy pack of more than 16 MiB of RPMs: its RPMs' md5s and rpm's own digests are computed by
 * the ISO writer's FileDigester (core/formats/iso/file-digests.ts), reading the RPMs back from the
 * ISO as it is written, where a small pack's are computed from the image's buffers. What it writes
 * is checked with the real tools: bsdtar takes XS-PACKAGES out of the ISO, md5sum and rpm -K judge.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyPackSchema } from '../../../schemas/legacy-pack';
import { randomBytes } from '../../../testing/random';
import { md5LanesSupported } from '../../base/md5-lanes';
import { encodeRpm } from '../../formats/rpm';
import { withPayloadBytesOverwritten, withSignatureMd5OffsetMoved } from '../../formats/rpm/testing';
import { buildLegacyPack } from './pack';

const EPOCH = 1_700_000_000;
const PACK = legacyPackSchema.parse({ vendorCode: 'acme', vendorName: 'Acme', label: 'big-pack', text: 'Big pack', version: '1.0', productVersion: '8.2.0' });

let dir: string;
let rpms: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-large-pack-'));
  // Three RPMs of ~7 MiB of incompressible bytes each (above the FileDigester's 16 MiB), and a small one.
  rpms = [7 << 20, 7 << 20, 7 << 20, 20_000].map((size, i) => {
    const name = `big${i}`;
    const path = join(dir, `${name}-1.0-1.x86_64.rpm`);
    const content = randomBytes(size, `large pack ${i}`);
    writeFileSync(path, encodeRpm({ name, version: '1.0', release: '1', arch: 'x86_64', summary: 'big', description: 'big', license: 'MIT', buildTime: EPOCH, files: [{ path: `/opt/big/${name}.bin`, mode: 0o100644, content }] }));
    return path;
  });
  expect(spawnSync('rpm', ['-K', '--nosignature', ...rpms], { encoding: 'utf8' }).status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const md5sum = (file: string) => execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0];

describe('a legacy pack of more than 16 MiB (RPM digests read back from the ISO)', () => {
  it('this Node runs the MD5 lanes, so the FileDigester is the way taken', () => {
    expect(md5LanesSupported()).toBe(true);
  });

  it("XS-PACKAGES gives each RPM's md5 as md5sum computes it, and the .iso.md5 the ISO's", async () => {
    const out = join(dir, 'out');
    const built = await buildLegacyPack({ pack: PACK, rpms, outDir: out, epoch: EPOCH });
    const iso = built.outputs.iso!;
    const x = join(dir, 'x');
    execFileSync('mkdir', ['-p', x]);
    execFileSync('bsdtar', ['-xf', iso, '-C', x, 'XS-PACKAGES']);
    const xml = readFileSync(join(x, 'XS-PACKAGES'), 'utf8');
    const listed = [...xml.matchAll(/<package [^>]*md5="([0-9a-f]{32})"[^>]*>([^<]+)<\/package>/g)].map(([, md5, file]) => [file!.trim(), md5!] as const);
    expect(listed).toHaveLength(rpms.length);
    expect(new Map(listed)).toEqual(new Map(rpms.map((r) => [basename(r), md5sum(r)])));
    expect(readFileSync(built.outputs.isoMd5!, 'utf8').split(' ')[0]).toBe(md5sum(iso));
  });

  // issue 19's checks on this way too: rpm -K rejects both, and so must the build, leaving nothing
  it.each([
    ['two payload bytes overwritten', withPayloadBytesOverwritten, /MD5 digest of the header and payload does not match|digest of the payload does not match/],
    ["the signature header's MD5 entry offset moved by one", withSignatureMd5OffsetMoved, /signature header tag 1004 \(MD5\)/],
  ] as const)('an RPM with %s is refused, naming it; no output', async (_, corrupt, message) => {
    const bad = corrupt(rpms[1]!, dir, `bad-${basename(rpms[1]!)}`);
    expect(spawnSync('rpm', ['-K', '--nosignature', bad], { encoding: 'utf8' }).status).not.toBe(0);
    const out = join(dir, `refused-${corrupt.name}`);
    const err = await buildLegacyPack({ pack: PACK, rpms: [rpms[0]!, bad, rpms[2]!], outDir: out, epoch: EPOCH }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(err?.message).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});

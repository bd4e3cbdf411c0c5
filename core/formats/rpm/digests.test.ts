import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { oneLineRejection } from './testing';
import { runOldRpm } from '../../../testing/old-rpm';
import { SuppackError } from '../../base/errors';
import { readCheckedRpm, RpmStreamCheck } from './digests';
import { hostileRpm, withPayloadBytesOverwritten, withSignatureMd5OffsetMoved } from './testing';
import { checkRpmIdentity, rpmStringProblem } from './identity';
import { parseRpm, readRpm } from './read';

const rpms = inject('fixtureRpms');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-digests-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The verdict of the real rpm: `rpm -K --nosignature` (checks digests only). */
function rpmK(path: string): boolean {
  const r = spawnSync('rpm', ['-K', '--nosignature', path], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return r.status === 0;
}

describe('readCheckedRpm: digests as rpm -K --nosignature checks them', () => {
  it('accepts every fixture rpm -K accepts, in one read that also gives the file md5/sha256', async () => {
    for (const [name, path] of Object.entries(rpms)) {
      expect(rpmK(path), name).toBe(true);
      const bytes = readFileSync(path);
      const got = await readCheckedRpm(path, ['md5', 'sha256']);
      expect(got.size).toBe(bytes.length);
      expect(got.hex.md5).toBe(createHash('md5').update(bytes).digest('hex'));
      expect(got.hex.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(got.info).toEqual(await readRpm(path));
      expect(got.head.equals(bytes.subarray(0, got.info.headerRange.end))).toBe(true);
    }
  });

  it('gives the same answer whatever the chunk sizes (1 byte to the whole file)', () => {
    const path = rpms['hello-lib']!;
    const bytes = readFileSync(path);
    for (const size of [1, 7, 96, 4096, bytes.length]) {
      const check = new RpmStreamCheck(path, bytes.length, ['md5']);
      for (let at = 0; at < bytes.length; at += size) check.update(bytes.subarray(at, at + size));
      expect(check.finish().hex.md5).toBe(createHash('md5').update(bytes).digest('hex'));
    }
  });

  it('reproducer: 2 payload bytes overwritten (rpm -K fails too)', async () => {
    const bad = withPayloadBytesOverwritten(rpms['hello-lib']!, dir, 'payload-2-bytes.rpm');
    expect(rpmK(bad)).toBe(false);
    expect(runOldRpm('4.11', ['-K', '--nosignature', bad]).status).not.toBe(0);
    const e = await oneLineRejection(readCheckedRpm(bad, ['md5']));
    expect(e.file).toBe(bad);
    expect(e.message).toMatch(/^.*payload-2-bytes\.rpm: signature header tag 1004 \(MD5\): MD5 digest of the header and payload does not match .*the RPM is corrupt/);
  });

  it('reproducer: the signature header MD5 entry offset moved by one (rpm -K fails too)', async () => {
    const bad = withSignatureMd5OffsetMoved(rpms['hello-lib']!, dir, 'md5-offset.rpm');
    expect(rpmK(bad)).toBe(false);
    const e = await oneLineRejection(readCheckedRpm(bad));
    expect(e.message).toContain('md5-offset.rpm: signature header tag 1004 (MD5): MD5 digest');
  });

  it('a changed main header byte fails the header SHA256 / SHA1 digest', async () => {
    const src = rpms['hello-lib']!;
    const b = readFileSync(src);
    const info = await readRpm(src);
    const at = b.indexOf(Buffer.from(info.summary), info.headerRange.start);
    b[at] = b[at]! ^ 0x20; // same length, another letter case
    const bad = join(dir, 'header-byte.rpm');
    writeFileSync(bad, b);
    expect(rpmK(bad)).toBe(false);
    const e = await oneLineRejection(readCheckedRpm(bad));
    expect(e.message).toMatch(/header-byte\.rpm: signature header tag 2(69|73) \(SHA(1|256)\): SHA(1|256) digest of the main header does not match/);
  });

  it('checks PAYLOADDIGEST when there is no MD5, and refuses an RPM without digests', async () => {
    // Hide signature header entries by renaming their tags to ones rpm does not know (1990 + n).
    const hide = (src: string, name: string, tags: number[], edit?: (b: Buffer, payloadOffset: number) => void) => {
      const b = readFileSync(src);
      const il = b.readUInt32BE(96 + 8);
      for (let i = 0; i < il; i++) {
        const at = 96 + 16 + 16 * i;
        if (tags.includes(b.readUInt32BE(at))) b.writeUInt32BE(1990 + i, at);
      }
      const info = parseRpm(b, src, b.length);
      edit?.(b, info.payloadOffset);
      const out = join(dir, name);
      writeFileSync(out, b);
      return out;
    };
    const src = hostileRpm(dir, 'plain.rpm', {});
    expect(rpmK(src)).toBe(true);
    const noMd5 = hide(src, 'no-md5.rpm', [1004]);
    await readCheckedRpm(noMd5);
    const badPayload = hide(src, 'no-md5-bad-payload.rpm', [1004], (b, at) => {
      b[b.length - 9] = b[b.length - 9]! ^ 1;
      expect(at).toBeLessThan(b.length - 9);
    });
    expect(rpmK(badPayload)).toBe(false);
    expect((await oneLineRejection(readCheckedRpm(badPayload))).message).toMatch(
      /no-md5-bad-payload\.rpm: main header tag 5092 \(PAYLOADDIGEST\): SHA256 digest of the payload does not match/,
    );
    const none = hide(src, 'no-digests.rpm', [1004, 269, 273]);
    expect((await oneLineRejection(readCheckedRpm(none))).message).toMatch(/no-digests\.rpm: signature header: has no digests to check the RPM against/);
  });

  it('a truncated RPM names the truncation, and a file that grows while read is refused', async () => {
    const b = readFileSync(rpms['hello-lib']!);
    const short = join(dir, 'short.rpm');
    writeFileSync(short, b.subarray(0, 200));
    expect((await oneLineRejection(readCheckedRpm(short))).message).toMatch(/short\.rpm: .*truncated RPM/);
    const check = new RpmStreamCheck('grow.rpm', b.length - 1);
    expect(() => {
      check.update(b);
      check.finish();
    }).toThrow(SuppackError);
  });
});

describe('checkRpmIdentity: rpmbuild rules for NAME, VERSION, RELEASE, ARCH', () => {
  it('refuses the reproducer NAME --eval=%(...) naming the file and the tag', async () => {
    const path = hostileRpm(dir, 'eval.rpm', { name: '--eval=%(touch /tmp/suppack-pwned)' });
    const info = await readRpm(path);
    expect(info.name).toBe('--eval=%(touch /tmp/suppack-pwned)');
    let caught: unknown;
    try {
      checkRpmIdentity(info);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SuppackError);
    expect((caught as Error).message).toBe(
      `${path}: main header tag 1000 (NAME): "--eval=%(touch /tmp/suppack-pwned)" is not a valid package name (rpm would read it as an option): ` +
        `expected ASCII letters, digits and . - _ + starting with a letter, a digit or _ (rpmbuild's rule)`,
    );
  });

  it('accepts what rpmbuild accepts and refuses the rest', () => {
    for (const ok of ['hello-lib', 'kernel', 'acme-4.19.0+1-modules', '_x', 'libstdc++', 'A1.b_c']) expect(rpmStringProblem('name', ok), ok).toBeUndefined();
    for (const bad of ['-x', '.x', '+x', 'a b', 'a..b', 'a/b', 'a%{x}', 'a\nb', 'é', '', 'a;b', 'a$(id)']) {
      expect(rpmStringProblem('name', bad), bad).toBeDefined();
    }
    for (const ok of ['1.2', '4.19.19', '7.0.9.1.xs8', '1~rc1', '1^git1', '1_2+3']) expect(rpmStringProblem('version', ok), ok).toBeUndefined();
    for (const bad of ['1-2', '-1', '1 2', '1..2', '1:2', '']) expect(rpmStringProblem('release', bad), bad).toBeDefined();
    expect(rpmStringProblem('arch', 'x86_64')).toBeUndefined();
    expect(rpmStringProblem('arch', '--root=/')).toMatch(/rpm would read it as an option/);
  });

  it('keeps the message one line and short whatever the value', () => {
    const problem = rpmStringProblem('name', `a\n${'x'.repeat(5000)}`)!;
    expect(problem).not.toMatch(/\n/);
    expect(problem.length).toBeLessThan(300);
  });
});

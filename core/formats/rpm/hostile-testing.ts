/**
 * Test-only: the reproducers of issue 19 as RPM files. Two corruptions rpm itself rejects
 * (`rpm -K --nosignature` fails) and well-formed RPMs with hostile header strings.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEAD_SIZE } from './lead';
import { parseRpm } from './read';
import { SIG_TAG } from './tags';
import { encodeRpmUnchecked } from './write';
import type { RpmSpecInput } from './write-validate';

/** A copy of `src` in `dir` as `name` with two payload bytes overwritten (in the middle of the payload). */
export function withPayloadBytesOverwritten(src: string, dir: string, name: string): string {
  const b = readFileSync(src);
  const info = parseRpm(b, src, b.length);
  const at = info.payloadOffset + Math.floor((b.length - info.payloadOffset) / 2);
  b[at] = b[at]! ^ 0xff;
  b[at + 1] = b[at + 1]! ^ 0x55;
  const out = join(dir, name);
  writeFileSync(out, b);
  return out;
}

/** A copy of `src` in `dir` as `name` whose signature header MD5 entry points one byte further. */
export function withSignatureMd5OffsetMoved(src: string, dir: string, name: string): string {
  const b = readFileSync(src);
  const il = b.readUInt32BE(LEAD_SIZE + 8);
  for (let i = 0; i < il; i++) {
    const at = LEAD_SIZE + 16 + 16 * i;
    if (b.readUInt32BE(at) === SIG_TAG.MD5) {
      b.writeInt32BE(b.readInt32BE(at + 8) + 1, at + 8);
      const out = join(dir, name);
      writeFileSync(out, b);
      return out;
    }
  }
  throw new Error(`${src} has no MD5 in its signature header`);
}

/** A well-formed noarch RPM (right digests) with the given header strings, written to `dir`/`file`. */
export function hostileRpm(dir: string, file: string, over: Partial<RpmSpecInput>): string {
  const spec: RpmSpecInput = {
    name: 'hostile',
    version: '1.0',
    release: '1',
    arch: 'noarch',
    summary: 'hostile header strings',
    description: 'test only',
    license: 'MIT',
    buildTime: 946684800,
    files: [{ path: '/opt/hostile/readme.txt', mode: 0o100644, content: Buffer.from('hi\n') }],
    ...over,
  };
  const out = join(dir, file);
  writeFileSync(out, encodeRpmUnchecked(spec));
  return out;
}

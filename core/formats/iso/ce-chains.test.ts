/**
 * Issue 19 item 7 (reproducer shape): a small Rock Ridge image whose every directory record
 * follows a chain of CE continuation areas through the same sector, each area a sector's worth of
 * SUSP entries. The work used to grow with records × chain × area (seconds of CPU for a few
 * hundred KB); now all continuation areas together may not exceed what the image can hold.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { inspectPack } from '../../products/report/pack-report';
import { openIso } from './reader';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suppack-ce-chains-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** SUSP 5.1 CE entry: block, offset, length as both-endian 32-bit (733). */
function ce(lba: number, offset: number, length: number): Buffer {
  const b = Buffer.alloc(28);
  b.write('CE', 0, 'latin1');
  b[2] = 28;
  b[3] = 1;
  for (const [i, v] of [lba, offset, length].entries()) {
    b.writeUInt32LE(v, 4 + 8 * i);
    b.writeUInt32BE(v, 8 + 8 * i);
  }
  return b;
}

/** An xorriso Rock Ridge image of `files` empty files whose records' PX entries become CE chains into an appended sector. */
function chainedImage(files: number): string {
  const src = join(dir, 'src');
  mkdirSync(src);
  for (let i = 0; i < files; i++) writeFileSync(join(src, `f${i}`), '');
  const iso = join(dir, 'chains.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-r', '-o', iso, src], { stdio: 'ignore' });
  const image = readFileSync(iso);
  const lba = image.length / 2048;
  // The chain sector: area k starts at 64·k with a CE to area k+1, then 4-byte unknown entries.
  const sector = Buffer.alloc(2048);
  for (let k = 0; k < 31; k++) {
    ce(lba, 64 * (k + 1), 2048 - 64 * (k + 1)).copy(sector, 64 * k);
    for (let at = 64 * k + 28; at + 4 <= 64 * (k + 1); at += 4) sector.write('ZZ\u0004\u0001', at, 'latin1');
  }
  for (let at = 31 * 64; at + 4 <= 2048; at += 4) sector.write('ZZ\u0004\u0001', at, 'latin1');
  // Every PX entry (36 bytes as xorriso writes it) of a record becomes CE(chain start) + PD padding.
  let patched = 0;
  for (let at = image.indexOf('PX$\u0001', 0, 'latin1'); at >= 0; at = image.indexOf('PX$\u0001', at + 1, 'latin1')) {
    ce(lba, 0, 2048).copy(image, at);
    image.write('PD\u0008\u0001', at + 28, 'latin1');
    patched++;
  }
  expect(patched).toBeGreaterThan(files);
  const out = join(dir, 'chained.iso');
  writeFileSync(out, Buffer.concat([image, sector]));
  return out;
}

it('a small image of CE chains is refused once its continuation areas outgrow the image', async () => {
  const iso = chainedImage(1500);
  const size = readFileSync(iso).length;
  expect(size).toBeLessThan(1 << 20);
  // Each started only when awaited: a second one running meanwhile would reject unhandled.
  for (const run of [() => openIso(iso).then((i) => i.close()), () => inspectPack(iso)]) {
    const e = await run().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(SuppackError);
    expect((e as Error).message).not.toMatch(/\n/);
    expect((e as Error).message).toMatch(new RegExp(`CE continuation areas followed add up to more than an image of ${size} bytes can hold .*not a sound Rock Ridge image$`));
  }
});

it('an image with a few long chains (long names) still reads', async () => {
  const src = join(dir, 'long');
  mkdirSync(src);
  const long = 'n'.repeat(200);
  for (let i = 0; i < 20; i++) writeFileSync(join(src, `${long}${i}`), `${i}`);
  const iso = join(dir, 'long.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-r', '-o', iso, src], { stdio: 'ignore' });
  const img = await openIso(iso);
  expect(img.entries().map((e) => e.name)).toContain(`${long}7`);
  await img.close();
});

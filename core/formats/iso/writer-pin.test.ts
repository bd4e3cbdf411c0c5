/**
 * Pins the exact bytes `writeIso` produces for a few representative trees, so that refactoring
 * the layout (e.g. for appended sessions) cannot change fresh images unnoticed.
 */
import { randomBytes } from '../../../testing/random';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {makeSampleTree } from './testing';
import { type IsoEntry, writeIso } from './writer';

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'suppack-iso-pin-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const stream = (b: Buffer) => () => Readable.from([b]);

/** Digest of the image `entries` make; only sha256 is asked for. */
async function sha(entries: IsoEntry[], extra: { systemArea?: Buffer; epoch?: number } = {}): Promise<string> {
  const out = join(work, `pin-${Math.random().toString(36).slice(2)}.iso`);
  const r = await writeIso(
    entries,
    { volumeId: 'PIN_TEST', applicationId: 'APP', publisherId: 'PUB', epoch: extra.epoch ?? 946684800, systemArea: extra.systemArea, digests: ['sha256'] },
    out,
  );
  rmSync(out);
  return r.sha256 as string;
}

test('writeIso bytes are pinned: empty image', async () => {
  expect(await sha([])).toBe('1c9ec0bf364f819aa4af5be8cf3a15ddc3f783f321275a4ee91dbab3b531fdc8');
});

test('writeIso bytes are pinned: small tree with a system area, symlink, empty file, dir, exec file', async () => {
  const entries: IsoEntry[] = [
    { path: 'boot/isolinux/isolinux.cfg', kind: 'file', size: 14, source: stream(Buffer.from('default linux\n')) },
    { path: 'boot/efiboot.img', kind: 'file', size: 70_000, source: stream(randomBytes(70_000, 5)) },
    { path: 'install.sh', kind: 'file', size: 5, source: stream(Buffer.from('#!/x\n')), mode: 0o755 },
    { path: 'empty', kind: 'file', size: 0, source: stream(Buffer.alloc(0)) },
    { path: 'packages.foo', kind: 'dir' },
    { path: 'link', kind: 'symlink', target: '../boot/efiboot.img' },
  ];
  const systemArea = randomBytes(4096, 9);
  expect(await sha(entries, { systemArea, epoch: 1_700_000_000 })).toBe('b0c0e4c7d9052af56ef46efb06425e8064a8ab35f2fbfebb5966000bc6a25ce0');
});

test('writeIso bytes are pinned: the sample tree (long names, CE areas, many files, deep dirs)', async () => {
  const tree = makeSampleTree(join(work, 'tree'), { many: 150 });
  expect(await sha(tree.entries)).toBe('55b5bb720cc52badd07a6bf4ad9b522bcd8c784a7fd08533f1a5c55d4025ccec');
});

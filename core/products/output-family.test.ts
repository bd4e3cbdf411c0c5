/**
 * A pack command writing under a name replaces every file an earlier build left under that name
 * (core/products/output-family.ts): no checksum stays beside an ISO it does not describe. Real
 * builds of the three pack kinds into one directory, one after another.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildLegacyPack } from './legacy-pack/pack';
import { buildUpdatePack } from './update-pack/pack';
import { combinePacks } from './combined-pack/combine';
import { packOutputFamily, removedNotice } from './output-family';
import { legacyPackSchema } from '../../schemas/legacy-pack';
import { updatePackSchema } from '../../schemas/update-pack';

const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-family-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EPOCH = 1_700_000_000;
const pack = legacyPackSchema.parse({ vendorCode: 'acme', vendorName: 'Acme', label: 'acme', text: 'Acme', version: '1.0', productVersion: '8.2.0' });
const legacy = (outDir: string, more: { iso?: boolean; tarball?: boolean } = {}) => buildLegacyPack({ pack, rpms: [rpms['hello-lib']!], outDir, epoch: EPOCH, ...more });
const update = (output: string) =>
  buildUpdatePack({
    pack: updatePackSchema.parse({ uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'acme', version: '1', description: 'u' }),
    rpms: [rpms['hello-lib']!],
    files: {},
    output,
    epoch: EPOCH,
  });
const md5Of = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');
const ls = (d: string) => readdirSync(d).sort();

let other: string;
beforeAll(async () => {
  other = (await legacy(join(dir, 'other'))).outputs.iso!;
});

describe('packOutputFamily', () => {
  it('is the ISO and the checksums that name it; a tarball is not a member', () => {
    expect(packOutputFamily('/o/acme.iso')).toEqual(['/o/acme.iso', '/o/acme.iso.md5', '/o/acme.iso.sha256', '/o/acme.metadata.md5']);
    expect(packOutputFamily('/o/acme.img')).toEqual(['/o/acme.img', '/o/acme.img.md5', '/o/acme.img.sha256']);
  });

  it('prints one escaped line per removed file', () => {
    expect(removedNotice([])).toBe('');
    expect(removedNotice(['o/a.iso.md5', 'o/\x1b[2Jb.metadata.md5'])).toBe(
      "suppack: removed o/a.iso.md5: an earlier build's under this name, not part of the set written now\n" +
        "suppack: removed o/\\x1b[2Jb.metadata.md5: an earlier build's under this name, not part of the set written now\n",
    );
  });
});

describe('a set written over an earlier set of the same name', () => {
  it('an update pack over a legacy pack: the legacy .iso.md5 and .metadata.md5 go, a tarball stays', async () => {
    const out = join(dir, 'u');
    await legacy(out, { tarball: true });
    expect(ls(out)).toEqual(['acme.iso', 'acme.iso.md5', 'acme.metadata.md5', 'acme.tar.gz']);
    const r = await update(join(out, 'acme.iso'));
    expect(r.removed.sort()).toEqual([join(out, 'acme.iso.md5'), join(out, 'acme.metadata.md5')]);
    expect(ls(out)).toEqual(['acme.iso', 'acme.iso.sha256', 'acme.tar.gz']);
    expect(readFileSync(join(out, 'acme.iso.sha256'), 'utf8')).toContain(createHash('sha256').update(readFileSync(join(out, 'acme.iso'))).digest('hex'));
  });

  it('a legacy pack over an update pack: the .sha256 goes; a directory of a member name is left and not reported', async () => {
    const out = join(dir, 'l');
    mkdirSync(out);
    await update(join(out, 'acme.iso'));
    const r = await legacy(out);
    expect(r.removed).toEqual([join(out, 'acme.iso.sha256')]);
    expect(ls(out)).toEqual(['acme.iso', 'acme.iso.md5', 'acme.metadata.md5']);
    expect(readFileSync(join(out, 'acme.iso.md5'), 'utf8')).toBe(`${md5Of(join(out, 'acme.iso'))}  acme.iso\n`);
    await update(join(out, 'x.iso'));
    mkdirSync(join(out, 'x.iso.md5'));
    expect((await update(join(out, 'x.iso'))).removed).toEqual([]);
    expect(existsSync(join(out, 'x.iso.md5'))).toBe(true);
  });

  it('a combined pack over a legacy pack: the .metadata.md5 of the pack it replaced goes', async () => {
    const out = join(dir, 'c');
    await legacy(out);
    const r = await combinePacks({ packs: [other], outDir: out, name: 'acme', volumeId: 'acme', epoch: EPOCH });
    expect(r.removed).toEqual([join(out, 'acme.metadata.md5')]);
    expect(ls(out)).toEqual(['acme.iso', 'acme.iso.md5']);
  });

  it('a legacy tarball without an ISO over a legacy pack: the old ISO and its md5 go, the new .metadata.md5 stays', async () => {
    const out = join(dir, 't');
    await legacy(out);
    const r = await legacy(out, { iso: false, tarball: true });
    expect(r.removed.sort()).toEqual([join(out, 'acme.iso'), join(out, 'acme.iso.md5')]);
    expect(ls(out)).toEqual(['acme.metadata.md5', 'acme.tar.gz']);
  });

  it('the same set again removes nothing', async () => {
    const out = join(dir, 'same');
    await legacy(out);
    writeFileSync(join(out, 'acme-notes.txt'), 'mine');
    expect((await legacy(out)).removed).toEqual([]);
    expect(ls(out)).toEqual(['acme-notes.txt', 'acme.iso', 'acme.iso.md5', 'acme.metadata.md5']);
  });
});

/**
 * A third party's legacy pack whose XS-REPOSITORY is ISO-8859-1, as its declaration says: the
 * installer's parser (minidom over expat) reads "Café"; inspect and combine-packs read the same
 * (core/formats/xml/encoding.ts), where they read the bytes as UTF-8 and showed U+FFFD.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { writeIso, type IsoEntry } from '../../formats/iso/writer';
import { openPackSources } from '../../xenserver/pack-sources';
import { inspectPack } from './pack-report';

const dir = mkdtempSync(join(tmpdir(), 'suppack-pack-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (path: string, bytes: Buffer): IsoEntry => ({ path, kind: 'file', size: bytes.length, source: () => Readable.from([bytes]) });

describe('a legacy pack with an ISO-8859-1 XS-REPOSITORY', () => {
  const repository = Buffer.concat([
    Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<repository originator="acme" name="acme-nic" product="XenServer" version="6.5.0">\n  <description>Caf'),
    Buffer.from([0xe9]),
    Buffer.from(' NIC</description>\n</repository>\n'),
  ]);

  it('inspect and combine-packs read its description as the installer does', async () => {
    const iso = join(dir, 'latin1.iso');
    await writeIso([file('XS-REPOSITORY', repository), file('XS-PACKAGES', Buffer.from('<packages/>\n'))], { volumeId: 'ACME', epoch: 946684800 }, iso);
    const report = await inspectPack(iso);
    expect(report.format === 'legacy' ? report.repository.description : undefined).toBe('Caf\u00e9 NIC');
    const sources = await openPackSources([iso]);
    try {
      expect(sources.sources.map((s) => s.dir)).toEqual(['packages.acme-nic']);
    } finally {
      await sources.close();
    }
  });
});

/**
 * injectedAnswerfile reads only install.img's ends: the members rebuilds put after its data (walked
 * back newest first, over zero padding and a large driver member) or before it.
 */
import { randomBytes } from '../../../testing/random';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { openIso, writeIso, type IsoEntry } from '../../formats/iso';
import { encodeInitrdMember, initrdPadding } from './initrd';
import { injectedAnswerfile } from './injected';

const EPOCH = 946684800;
const dir = mkdtempSync(join(tmpdir(), 'suppack-injected-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = randomBytes(3 << 20, 3);
const answer = (n: number) => encodeInitrdMember([{ path: '/answerfile.xml', data: Buffer.from(`<installation>${n}</installation>\n`) }], EPOCH);
const drivers = encodeInitrdMember([{ path: '/lib/modules/6.1/extra/x.ko', data: randomBytes(2 << 20, 4) }], EPOCH);

async function found(name: string, img: Buffer): Promise<string | null> {
  const iso = join(dir, `${name}.iso`);
  const entries: IsoEntry[] = [{ path: 'install.img', kind: 'file', size: img.length, source: () => Readable.from([img]) }];
  await writeIso(entries, { volumeId: 'T', epoch: EPOCH }, iso);
  const image = await openIso(iso);
  try {
    return await injectedAnswerfile(image, iso);
  } finally {
    await image.close();
  }
}

describe('injectedAnswerfile', () => {
  const pad = initrdPadding(BASE.length);
  test('an ISO-8859-1 answerfile is shown in its declared encoding', async () => {
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<installation>p\u00e4ss</installation>\n', 'latin1');
    const img = Buffer.concat([BASE, pad, encodeInitrdMember([{ path: '/answerfile.xml', data: latin1 }], EPOCH)]);
    expect(await found('latin1', img)).toBe('<?xml version="1.0" encoding="ISO-8859-1"?>\n<installation>p\u00e4ss</installation>\n');
  });
  test('none: a plain image', async () => {
    expect(await found('plain', BASE)).toBeNull();
  });
  test('the newest of two appended answerfiles, behind a 2 MiB driver member', async () => {
    expect(await found('two', Buffer.concat([BASE, pad, answer(1), drivers, answer(2)]))).toBe('<installation>2</installation>\n');
    expect(await found('behind', Buffer.concat([BASE, pad, answer(1), drivers]))).toBe('<installation>1</installation>\n');
  });
  test('zero padding after the members (more than one probe of it)', async () => {
    expect(await found('zeros', Buffer.concat([BASE, pad, answer(3), Buffer.alloc(10_000)]))).toBe('<installation>3</installation>\n');
  });
  test('a raw member before the data', async () => {
    const head = encodeInitrdMember([{ path: '/answerfile.xml', data: Buffer.from('<installation>head</installation>\n') }], EPOCH, true);
    expect(await found('head', Buffer.concat([head, Buffer.alloc(2048 - (head.length % 2048)), BASE]))).toBe('<installation>head</installation>\n');
  });
  test('an image that is itself one gzip newc archive with an answerfile is not an addition', async () => {
    expect(await found('self', answer(4))).toBeNull();
  });
});

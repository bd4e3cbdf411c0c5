/**
 * readPackRpms: the RPMs of a pack read on several threads give what reading them one by one
 * gives, results and first error alike. The threads load the compiled module, so this runs on the
 * build (dist/); from the TypeScript sources the RPMs are read in this thread.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, test } from 'vitest';
import type { readPackRpms as ReadPackRpms } from './pack-input';

const DIST = join(__dirname, '../../../dist/core/formats/rpm/pack-input.js');
const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-pack-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('on worker threads: the same results in the same order, and the first bad RPM in order is the error', async () => {
  expect(existsSync(DIST), 'run npm run build first').toBe(true);
  const { readPackRpms } = require(DIST) as { readPackRpms: typeof ReadPackRpms };
  const good = Object.values(rpms).filter((p) => p.endsWith('.rpm')).slice(0, 6);
  expect(good.length).toBeGreaterThan(3);
  const threaded = await readPackRpms(good, ['md5', 'sha256'], { threads: 3, minBytes: 0 });
  const inOrder = await readPackRpms(good, ['md5', 'sha256'], { threads: 1 });
  expect(threaded).toEqual(inOrder);
  expect(threaded.map((r) => r.info.name)).toEqual(inOrder.map((r) => r.info.name));

  const notRpm = join(dir, 'not.rpm');
  writeFileSync(notRpm, 'hello');
  const truncated = join(dir, 'truncated.rpm');
  copyFileSync(good[0]!, truncated);
  writeFileSync(truncated, Buffer.alloc(200));
  const bad = [good[0]!, truncated, good[1]!, notRpm];
  const errorOf = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: Error & { file?: string }) => ({ name: e.name, message: e.message, file: e.file }),
    );
  const threadedError = await errorOf(readPackRpms(bad, ['md5'], { threads: 3, minBytes: 0 }));
  expect(threadedError).toEqual(await errorOf(readPackRpms(bad, ['md5'], { threads: 1 })));
  expect(threadedError).toMatchObject({ name: 'SuppackError', message: expect.stringContaining('truncated.rpm') });
});

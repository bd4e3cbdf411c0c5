/**
 * Issue 19 item 6: temporaries a killed run left next to an output are removed by the next run for
 * the same output; those of a run still going are not. A dead pid is made by running a process
 * to its end; the live one is this test's own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { legacyPackSchema } from '../../schemas/legacy-pack';
import { buildLegacyPack } from '../products/legacy-pack/pack';
import { replaceDir } from './output';
import { MAX_OUTPUT_NAME_BYTES, removeStaleTemps, tempSibling } from './temp-names';
import { SuppackError } from './errors';

const rpms = inject('fixtureRpms');
const dir = mkdtempSync(join(tmpdir(), 'suppack-temps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

it('a build removes the temps a killed build of the same outputs left, and keeps a running one\'s', async () => {
  const out = join(dir, 'out');
  mkdirSync(out);
  const dead = deadPid();
  const stale = [`.acme.iso.${dead}-0123456789ab.tmp`, `.acme.metadata.md5.${dead}-0123456789ab.tmp`, `..acme.iso.${dead}-0123456789ab.tmp.${dead}-ba9876543210.stage`];
  for (const n of stale) writeFileSync(join(out, n), 'half-written');
  const live = `.acme.iso.${process.pid}-aaaaaaaaaaaa.tmp`;
  writeFileSync(join(out, live), 'still being written');
  const other = `.other.iso.${dead}-0123456789ab.tmp`;
  writeFileSync(join(out, other), 'another output');
  const pack = legacyPackSchema.parse({ vendorCode: 'acme', vendorName: 'Acme', label: 'acme', text: 'Acme', version: '1.0', productVersion: '8.2.0' });
  await buildLegacyPack({ pack, rpms: [rpms['hello-lib']!], outDir: out, epoch: 1_700_000_000 });
  expect(readdirSync(out).sort()).toEqual([live, other, 'acme.iso', 'acme.iso.md5', 'acme.metadata.md5'].sort());
});

it('a stage directory killed between its renames: the next run finds the previous output again', async () => {
  const outDir = join(dir, 'stage');
  const dead = deadPid();
  // The kill fell after "outDir → .old" and before ".tmp → outDir".
  mkdirSync(join(dir, `.stage.${dead}-0123456789ab.old`));
  writeFileSync(join(dir, `.stage.${dead}-0123456789ab.old`, 'previous.txt'), 'previous');
  mkdirSync(join(dir, `.stage.${dead}-0123456789ab.tmp`));
  await removeStaleTemps(outDir);
  expect(readFileSync(join(outDir, 'previous.txt'), 'utf8')).toBe('previous');
  expect(readdirSync(dir).filter((n) => n.startsWith('.stage.'))).toEqual([]);
  await replaceDir(outDir, async (tmp) => writeFileSync(join(tmp, 'new.txt'), 'new'));
  expect(readdirSync(outDir)).toEqual(['new.txt']);
  expect(existsSync(join(dir, 'stage', 'previous.txt'))).toBe(false);
});

it('a set commit killed after its journal: the next run finishes it (the new set, never a mix)', async () => {
  const out = join(dir, 'set');
  mkdirSync(out);
  const dead = deadPid();
  // The kill fell after the old acme.iso was removed and before any rename: the old .iso.md5 is
  // still there, the new ISO and md5 are temps listed in the journal.
  writeFileSync(join(out, 'acme.iso.md5'), 'old md5');
  writeFileSync(join(out, 'acme.metadata.md5'), 'old metadata');
  const tmpIso = `.acme.iso.${dead}-0123456789ab.tmp`;
  const tmpMd5 = `.acme.iso.md5.${dead}-0123456789ab.tmp`;
  const tmpMeta = `.acme.metadata.md5.${dead}-0123456789ab.tmp`;
  writeFileSync(join(out, tmpIso), 'new iso');
  writeFileSync(join(out, tmpMd5), 'new md5');
  writeFileSync(join(out, tmpMeta), 'new metadata');
  writeFileSync(
    join(out, `.acme.iso.${dead}-0123456789ab.set`),
    JSON.stringify([
      { tmp: tmpIso, dest: 'acme.iso' },
      { tmp: tmpMd5, dest: 'acme.iso.md5' },
      { tmp: tmpMeta, dest: 'acme.metadata.md5' },
      { tmp: '../escape', dest: '../../etc/passwd' },
    ]),
  );
  await removeStaleTemps(join(out, 'acme.iso'));
  expect(readdirSync(out).sort()).toEqual(['acme.iso', 'acme.iso.md5', 'acme.metadata.md5']);
  expect(['acme.iso', 'acme.iso.md5', 'acme.metadata.md5'].map((n) => readFileSync(join(out, n), 'utf8'))).toEqual(['new iso', 'new md5', 'new metadata']);
});

it('a set commit killed before its journal: the old set stays and the temps go', async () => {
  const out = join(dir, 'set-before');
  mkdirSync(out);
  const dead = deadPid();
  writeFileSync(join(out, 'acme.iso'), 'old iso');
  writeFileSync(join(out, 'acme.iso.md5'), 'old md5');
  writeFileSync(join(out, `.acme.iso.${dead}-0123456789ab.tmp`), 'new iso');
  writeFileSync(join(out, `.acme.iso.${dead}-0123456789ab.set.tmp`), '[{"tmp":');
  await removeStaleTemps(join(out, 'acme.iso'));
  expect(readdirSync(out).sort()).toEqual(['acme.iso', 'acme.iso.md5']);
  expect(readFileSync(join(out, 'acme.iso'), 'utf8')).toBe('old iso');
});

it('a set commit killed after its journal also removes the earlier set\'s files the journal lists', async () => {
  const out = join(dir, 'set-removes');
  mkdirSync(out);
  const dead = deadPid();
  // A legacy pack replacing an update pack: acme.iso.sha256 is to go with the old ISO.
  writeFileSync(join(out, 'acme.iso'), 'old iso');
  writeFileSync(join(out, 'acme.iso.sha256'), 'old sha256');
  const tmpIso = `.acme.iso.${dead}-0123456789ab.tmp`;
  writeFileSync(join(out, tmpIso), 'new iso');
  writeFileSync(
    join(out, `.acme.iso.${dead}-0123456789ab.set`),
    JSON.stringify([{ tmp: tmpIso, dest: 'acme.iso' }, { remove: 'acme.iso.sha256' }, { remove: '../outside' }]),
  );
  writeFileSync(join(dir, 'outside'), 'not in the journal\'s directory');
  await removeStaleTemps(join(out, 'acme.iso'));
  expect(readdirSync(out)).toEqual(['acme.iso']);
  expect(readFileSync(join(out, 'acme.iso'), 'utf8')).toBe('new iso');
  expect(existsSync(join(dir, 'outside'))).toBe(true);
});

// Found by the argv fuzz kind: an output name of 250 bytes gave "internal error: ENAMETOOLONG"
// from the temp beside it, whose name is up to 28 bytes longer.
it('an output name too long for the temps beside it is refused in one line naming it; the longest allowed fits every temp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suppack-names-'));
  try {
    const longest = join(dir, `${'é'.repeat(MAX_OUTPUT_NAME_BYTES / 2 - 2)}.iso`); // 200 bytes
    for (const kind of ['tmp', 'stage', 'rpms', 'old', 'set'] as const) {
      const tmp = tempSibling(longest, kind);
      writeFileSync(`${tmp}.tmp`, ''); // a set journal's own temp, the longest name
      writeFileSync(join(dir, `.${tmp.slice(dir.length + 1)}.${process.pid}-000000000000.stage`), ''); // a temp of a temp
    }
    const tooLong = join(dir, `${'9'.repeat(MAX_OUTPUT_NAME_BYTES - 3)}.iso`);
    expect(() => tempSibling(tooLong, 'tmp')).toThrow(SuppackError);
    expect(() => tempSibling(tooLong, 'tmp')).toThrow(/99\.iso: cannot write output: its name has 201 bytes, .* at most 200 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

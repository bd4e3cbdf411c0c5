/** The CLI prints the answerfile's warnings on stderr, one line each, and still writes the ISO (docs/answerfile.md). */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, expect, test } from 'vitest';
import { ANSWERFILE, buildTestInstaller } from '../core/products/installer-iso/testing';
import { UsageError } from './args';
import { parseInclude, rebuildIsoCommand } from './rebuild-iso';

const dir = mkdtempSync(join(tmpdir(), 'suppack-cli-rebuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

test('warned answerfile: exit 0, the ISO written, each warning one stderr line naming the file; a refused one: an error, no ISO', async () => {
  const iso = buildTestInstaller(join(dir, 'base'));
  const af = join(dir, 'answers.xml');
  writeFileSync(af, ANSWERFILE.replace('<primary-disk>', '<primary-disk gueststorage="1">').replace('</installation>', '<ssh-mode>yes</ssh-mode></installation>'));
  const out = sink();
  const err = sink();
  const output = join(dir, 'out.iso');
  const code = await rebuildIsoCommand([`--answerfile=${af}`, `--output=${output}`, iso], out.stream, err.stream);
  expect(code, err.text()).toBe(0);
  expect(existsSync(output)).toBe(true);
  expect(err.text().split('\n').filter((l) => l !== '')).toEqual([
    `suppack: warning: ${af}: installation/primary-disk@gueststorage: "1" reads as false (the installer takes yes or true, any case, as true and anything else as false)`,
    `suppack: warning: ${af}: installation/ssh-mode: "yes" is not on, off or auto: the installer ignores it`,
  ]);
  // a value holding a line break (&#10;) is shown escaped: the warning stays one line
  writeFileSync(af, ANSWERFILE.replace('<installation ', '<installation sr-type="xfs&#10;suppack: fake" '));
  const err2 = sink();
  expect(await rebuildIsoCommand([`--answerfile=${af}`, `--output=${output}`, iso], sink().stream, err2.stream)).toBe(0);
  expect(err2.text()).toMatch(/^suppack: warning: [^\n]*installation@sr-type: "xfs\\nsuppack: fake" is neither lvm nor ext[^\n]*\n$/);
  writeFileSync(af, ANSWERFILE.replace('mode="fresh"', 'mode="Fresh"'));
  const output2 = join(dir, 'out2.iso');
  // main() prints it as "suppack: error: <message>" and exits 1.
  await expect(rebuildIsoCommand([`--answerfile=${af}`, `--output=${output2}`, iso], sink().stream, sink().stream)).rejects.toThrow(
    `${af}: invalid answerfile: installation@mode: expected one of fresh, reinstall, upgrade, got "Fresh" (the installer compares it case included)`,
  );
  expect(existsSync(output2)).toBe(false);
});

test('--include: the last ":" splits PATH from DEST; a file whose name holds one needs a DEST, and the error says so', () => {
  const colon = join(dir, 'notes:v2.txt');
  writeFileSync(colon, 'notes\n');
  expect(parseInclude(join(dir, 'x'))).toEqual({ from: join(dir, 'x') });
  expect(parseInclude(`${colon}:notes.txt`)).toEqual({ from: colon, to: 'notes.txt' });
  expect(() => parseInclude(colon)).toThrow(UsageError);
  expect(() => parseInclude(colon)).toThrow(/does not exist; to add .*notes:v2\.txt", give it a DEST without ":"/);
  // when the part before the ':' exists, the rule applies as documented
  writeFileSync(join(dir, 'notes'), 'n\n');
  expect(parseInclude(join(dir, 'notes:v2.txt'))).toEqual({ from: join(dir, 'notes'), to: 'v2.txt' });
});

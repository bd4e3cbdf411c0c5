/**
 * Public answerfiles (core/installer/fixtures/answerfiles/, sources in verdicts.json: XCP-ng's docs,
 * Foreman's and Cobbler's XenServer templates, a PXE set-up script, XenServer install guides), each
 * run once through host-installer's own parser — XenServer's and XCP-ng's, on Python 3 with the
 * hardware stubbed — with the verdicts recorded in verdicts.json. No file an installer accepts is
 * refused here; a file both refuse is refused here too. A file refused only on the "typical host"
 * (disks sda..sdd, nvme0n1; eth0..eth3) is a hardware refusal: accepted here, as only the host can
 * decide it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { parseAnswerfile } from './answerfile';

const DIR = join(__dirname, 'fixtures', 'answerfiles');

interface Entry {
  file: string;
  source: string;
  how: string;
  xenserver: string;
  xcpng: string;
  xenserverTypicalHost: string;
  xcpngTypicalHost: string;
}

const verdicts = JSON.parse(readFileSync(join(DIR, 'verdicts.json'), 'utf8')) as { files: Entry[] };

test('every fixture has a recorded source and verdict, and every recorded file is there', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.xml')).sort();
  expect(verdicts.files.map((e) => e.file).sort()).toEqual(files);
  for (const e of verdicts.files) expect(e.source).toMatch(/^(https?:\/\/|issue 13)/);
});

describe('the corpus against the installers\' verdicts', () => {
  for (const e of verdicts.files) {
    const accepted = e.xenserver === 'accepted' || e.xcpng === 'accepted';
    test(`${e.file}: ${accepted ? 'accepted' : 'refused'} by the installers`, () => {
      const bytes = readFileSync(join(DIR, e.file));
      if (accepted) {
        const a = parseAnswerfile(bytes, e.file);
        expect(a.bytes.equals(bytes)).toBe(true);
      } else {
        let error: unknown;
        try {
          parseAnswerfile(bytes, e.file);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(SuppackError);
        expect((error as Error).message).not.toContain('\n');
      }
    });
  }
});

test('the refusals are the installers\' ones, and hardware-only refusals are accepted', () => {
  const by = Object.fromEntries(verdicts.files.map((e) => [e.file, e]));
  // The XenServer 5.5 guide's reinstall example: mode="reinstall" is a fresh install now, which needs <primary-disk>.
  expect(by['xenserver55-guide-reinstall.xml'].xenserver).toBe('rejected: XmlUnwrapError: Missing mandatory element primary-disk');
  expect(() => parseAnswerfile(readFileSync(join(DIR, 'xenserver55-guide-reinstall.xml')), 'x.xml')).toThrow(
    'x.xml: invalid answerfile: installation/primary-disk: required element is missing',
  );
  expect(() => parseAnswerfile(readFileSync(join(DIR, 'xenserver55-guide-bootloader-extlinux.xml')), 'x.xml')).toThrow(
    'x.xml: invalid answerfile: installation/bootloader: unsupported bootloader "extlinux", expected grub2 or nothing',
  );
  // XCP-ng's <raid> on XenServer: /dev/md127 exists only where XCP-ng made it (a hardware refusal).
  expect(by['xcpng-docs-software-raid.xml'].xenserverTypicalHost).toBe('rejected: AnswerfileException: Primary disk /dev/md127 is missing');
  expect(parseAnswerfile(readFileSync(join(DIR, 'xcpng-docs-software-raid.xml')), 'r.xml').model.raids).toEqual([{ device: 'md127', disks: ['sda', 'sdb'] }]);
  // name="*": XenServer refuses an interface name the host does not have; warned.
  expect(parseAnswerfile(readFileSync(join(DIR, 'xcpng-docs-software-raid-any-nic.xml')), 'r.xml').model.warnings).toEqual([
    'installation/admin-interface@name: "*" names no interface (expected e.g. eth0): XenServer\'s installer refuses a name the host does not have',
  ]);
  // The file: accepted by both, each odd value warned.
  expect(parseAnswerfile(readFileSync(join(DIR, 'issue13-installer-accepts.xml')), 'i.xml').model.warnings).toHaveLength(5);
  // Foreman's template: <time-config-method> is no longer read.
  expect(parseAnswerfile(readFileSync(join(DIR, 'foreman-xenserver-default-dhcp.xml')), 'f.xml').model.warnings).toEqual([
    'installation/time-config-method: unknown element, ignored by the installer',
  ]);
});

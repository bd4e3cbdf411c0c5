import { expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { parseAnswerfile } from './answerfile';

const GOOD = `<?xml version="1.0"?>
<installation mode="fresh" srtype="ext"><primary-disk>sda</primary-disk><keymap>us</keymap>
<root-password type="plaintext">pw</root-password><source type="local"/>
<admin-interface name="eth0" proto="dhcp"/><timezone>Europe/London</timezone></installation>
`;

function errorOf(xml: string | Buffer): SuppackError {
  try {
    parseAnswerfile(xml, 'answers.xml');
  } catch (e) {
    expect(e).toBeInstanceOf(SuppackError);
    return e as SuppackError;
  }
  throw new Error('expected an error');
}

test('returns the model and the bytes verbatim', () => {
  const bytes = Buffer.from(GOOD.replace(/\n/g, '\r\n'));
  const a = parseAnswerfile(bytes, 'answers.xml');
  expect(a.bytes.equals(bytes)).toBe(true);
  expect(a.model.primaryDisk?.disks).toEqual(['sda']);
  expect(parseAnswerfile(GOOD, 'answers.xml').bytes.toString('utf8')).toBe(GOOD);
});

test('every problem in one line, joined with "; ", file = source', () => {
  const e = errorOf('<installation>\n<admin-interface name="eth0"/>\n<ntp source="dhcp"/><ntp-server>x</ntp-server></installation>');
  expect(e.file).toBe('answers.xml');
  expect(e.message).toBe(
    'answers.xml: invalid answerfile: installation/primary-disk: required element is missing; ' +
      'installation/admin-interface@proto: required attribute is missing, expected one of static, dhcp, none; ' +
      'installation/ntp-server: <ntp-server> is only allowed with <ntp source="manual"/>, the source is dhcp; ' +
      'installation/source: required element is missing, expected at least one <source type="local|url|nfs">',
  );
  expect(e.message).not.toContain('\n');
});

test('bad XML is reported with line and column', () => {
  const e = errorOf('<installation>\n  <primary-disk>sda</primary-disc>\n</installation>');
  expect(e.message).toMatch(/^answers\.xml: line 2, column \d+: not well-formed XML: /);
  expect(e.field).toMatch(/^line 2, column \d+$/);
  expect(errorOf('').message).toMatch(/^answers\.xml: .*not well-formed XML/);
  expect(errorOf('<installation>').message).toMatch(/not well-formed XML/);
});

test('bytes that are not UTF-8, without an encoding declaration, are refused naming the byte', () => {
  expect(errorOf(Buffer.from([0x3c, 0x61, 0xff, 0x3e])).message).toBe(
    'answers.xml: not well-formed XML: byte 0xff at offset 2 is not UTF-8 (no encoding= in the XML declaration, so UTF-8 is expected)',
  );
});

test('CDATA is not text for the installer (xmlunwrap getText reads text nodes only)', () => {
  const a = parseAnswerfile(GOOD.replace('<primary-disk>sda', '<primary-disk><![CDATA[sda]]>'), 'answers.xml');
  expect(a.model.primaryDisk?.disks).toEqual(['']);
  expect(a.model.warnings).toEqual([
    'installation/primary-disk: "" names no disk, expected the primary disk (a device such as sda or /dev/disk/by-id/...): the installer refuses it unless the host has it',
  ]);
});

// Issue 19 item 7 (reproducer): 900 nested unknown elements gave "internal error: Maximum call
// stack size exceeded"; every XML reader now stops at 64 levels with its own one-line message.
test('900 nested unknown elements: a one-line error about the nesting, not a stack overflow', () => {
  const deep = `${'<x>'.repeat(900)}${'</x>'.repeat(900)}`;
  const e = errorOf(GOOD.replace('<keymap>us</keymap>', `<keymap>us</keymap>${deep}`));
  expect(e.message).toMatch(/^answers\.xml: line \d+: elements nest more than 64 deep \(<x>\): not a document suppack reads$/);
  // 60 levels still parse (unknown elements are the installer's to ignore).
  const shallow = `${'<x>'.repeat(58)}${'</x>'.repeat(58)}`;
  expect(parseAnswerfile(GOOD.replace('<keymap>us</keymap>', `<keymap>us</keymap>${shallow}`), 'answers.xml').model.primaryDisk?.disks).toEqual(['sda']);
});

/**
 * The one XML escaper (escape.ts): what it writes reads back as the same text, a carriage return
 * included (XML 1.0 §2.11 turns a literal one into a newline).
 */
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { escapeAttribute, escapeText } from './escape';
import { parseXml } from './read';

const text = 'a <b> & "c"\r\n\td\re';

it('text and attribute values read back whole, by our reader and by expat (Python minidom)', () => {
  const xml = `<r a="${escapeAttribute(text)}">${escapeText(text)}</r>`;
  expect(escapeText('x\ry')).toBe('x&#13;y');
  const el = parseXml(xml, 'x.xml');
  expect([el.attrs.a, el.text]).toEqual([text, text]);
  const py = 'import sys, json, xml.dom.minidom as m\ne = m.parseString(sys.stdin.buffer.read()).documentElement\nprint(json.dumps([e.getAttribute("a"), e.firstChild.data]))';
  expect(JSON.parse(execFileSync('python3', ['-c', py], { input: xml, encoding: 'utf8' }))).toEqual([text, text]);
});

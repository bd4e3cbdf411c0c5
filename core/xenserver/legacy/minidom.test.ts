import { describe, expect, it } from 'vitest';
import { compatXml, escapeMinidom, serializeMinidom, toPrettyXml, type XmlElement } from './minidom';

// Expected strings below were produced by Python 2.7.18: xml.dom.minidom + supp-pack-build's
// _compat_xml, on the same element trees.
describe('serializeMinidom', () => {
  it('writes the XS-REPOSITORY golden of docs/formats/xenserver.md §1.4', () => {
    const root: XmlElement = {
      name: 'repository',
      attrs: {
        originator: 'acme',
        name: 'mydrv',
        product: 'XenServer',
        version: '6.5.0',
        build: '90233c',
        'memory-requirement-mb': '64',
        'enforce-homogeneity': 'true',
        hidden: 'true',
      },
      children: [
        { name: 'description', attrs: {}, text: 'My driver & stuff' },
        { name: 'requires', attrs: { originator: 'xs', name: 'main', test: 'eq', product: 'XenServer', version: '6.5.0' } },
      ],
    };
    expect(serializeMinidom(root)).toBe(
      '<repository build="90233c" enforce-homogeneity="true" hidden="true" memory-requirement-mb="64" name="mydrv" originator="acme" product="XenServer" version="6.5.0">\n' +
        '  <description>My driver &amp; stuff</description>\n' +
        '  <requires name="main" originator="xs" product="XenServer" test="eq" version="6.5.0"/>\n' +
        '</repository>\n',
    );
  });

  it('writes an empty element as <x/> and an empty text node as <x></x>', () => {
    expect(serializeMinidom({ name: 'a', attrs: {} })).toBe('<a/>\n');
    expect(serializeMinidom({ name: 'a', attrs: { z: '1', a: 'q"<>&\'x' }, text: '' })).toBe(
      '<a a="q&quot;&lt;&gt;&amp;\'x" z="1"></a>\n',
    );
  });

  it('sorts attributes by name and escapes & < > " but not apostrophes', () => {
    expect(escapeMinidom(`a&b<c>d"e'f`)).toBe(`a&amp;b&lt;c&gt;d&quot;e'f`);
    expect(serializeMinidom({ name: 'p', attrs: { b: '2', a: '1', C: '0' } })).toBe('<p C="0" a="1" b="2"/>\n');
  });

  it('reproduces _compat_xml on text with newlines (lines without < are stripped)', () => {
    const root: XmlElement = {
      name: 'a',
      attrs: {},
      children: [
        { name: 'b', attrs: {}, text: 'line1\nline2\n  line3' },
        { name: 'c', attrs: {}, text: '   spaced  ' },
      ],
    };
    expect(serializeMinidom(root)).toBe('<a>\n  <b>line1line2\nline3</b>\n  <c>   spaced  </c>\n</a>\n');
    expect(serializeMinidom({ name: 'a', attrs: {}, text: 'top\ntext' })).toBe('<a>top\ntext</a>\n');
  });

  it('reproduces _compat_xml joining an indented parent with its first child', () => {
    const root: XmlElement = {
      name: 'a',
      attrs: {},
      children: [
        { name: 'b', attrs: { x: 'y' }, children: [{ name: 'c', attrs: {} }, { name: 'd', attrs: {}, text: 't' }] },
        { name: 'e', attrs: {}, text: '' },
      ],
    };
    expect(serializeMinidom(root)).toBe('<a>\n  <b x="y">    <c/>\n    <d>t</d>\n  </b>\n  <e></e>\n</a>\n');
  });

  it('writes mixed content (text and elements) as minidom does', () => {
    const root: XmlElement = { name: 'a', attrs: {}, text: 'mixed & <text>', children: [{ name: 'b', attrs: {} }] };
    expect(toPrettyXml(root)).toBe('<a>\n  mixed &amp; &lt;text&gt;\n  <b/>\n</a>\n');
    expect(serializeMinidom(root)).toBe('<a>\nmixed &amp; &lt;text&gt;<b/>\n</a>\n');
  });

  it('keeps tabs inside text and strips only ASCII whitespace', () => {
    const root: XmlElement = {
      name: 'a',
      attrs: {},
      children: [
        { name: 'b', attrs: {}, text: 'x\n' },
        { name: 'c', attrs: { k: 'a</b' } },
        { name: 'd', attrs: {}, text: '\tlead\ttab' },
      ],
    };
    expect(serializeMinidom(root)).toBe('<a>\n  <b>x</b>\n  <c k="a&lt;/b"/>\n  <d>\tlead\ttab</d>\n</a>\n');
    // A no-break space is not whitespace to Python 2's str.strip().
    expect(compatXml('<a>\n\u00a0x\u00a0\n</a>\n')).toBe('<a>\n\u00a0x\u00a0\n</a>\n');
  });

  it('ends with exactly one newline', () => {
    const out = serializeMinidom({ name: 'packages', attrs: {}, children: [{ name: 'package', attrs: { a: 'b' }, text: 'f' }] });
    expect(out.endsWith('</packages>\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
  });
});

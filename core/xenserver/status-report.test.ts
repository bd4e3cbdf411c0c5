import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseWithSchema } from '../../schemas/parse';
import { statusReportSchema, type StatusReport } from '../../schemas/status-report';
import { SuppackError } from '../base/errors';
import { capabilityXml, collectXml, escapeAttribute, escapeText, statusReportFiles } from './status-report';

const report = (input: unknown): StatusReport => parseWithSchema(statusReportSchema, input);

describe('capabilityXml', () => {
  it('writes every attribute in a fixed order with the bugtool defaults', () => {
    const r = report({ categories: [{ name: 'acme', collect: [{ kind: 'files', paths: ['/var/log/acme.log'] }] }] });
    expect(capabilityXml(r.categories[0]!)).toBe(
      '<capability pii="maybe" min_size="-1" max_size="-1" min_time="-1" max_time="-1" mime="text/plain" checked="true" hidden="false"/>\n',
    );
  });

  it('writes the given limits, mime and flags', () => {
    const r = report({
      categories: [
        {
          name: 'acme-dumps',
          pii: 'if_customized',
          minSize: 0,
          maxSize: 1048576,
          minTime: 1,
          maxTime: 60,
          mime: 'application/data',
          checked: false,
          hidden: true,
          collect: [{ kind: 'files', paths: ['/var/crash/acme*'] }],
        },
      ],
    });
    expect(capabilityXml(r.categories[0]!)).toBe(
      '<capability pii="if_customized" min_size="0" max_size="1048576" min_time="1" max_time="60" mime="application/data" checked="false" hidden="true"/>\n',
    );
  });
});

describe('collectXml', () => {
  it('writes files, list, directory and command elements (DDK guide 6.5.1) and escapes them', () => {
    const r = report({
      extend: [
        {
          category: 'network-status',
          collect: [
            { kind: 'files', paths: ['/etc/acme/a.conf', '/etc/acme/*.rules'] },
            { kind: 'list', directories: ['/var/lib/acme', '/opt/acme'], recursive: true },
            { kind: 'list', directories: ['/etc/acme'] },
            { kind: 'directory', path: '/var/log/acme', pattern: '.*\\.txt$ & "<b>"', negate: true },
            { kind: 'directory', path: '/tmp/acme' },
            { kind: 'command', command: 'acmectl status --format=<x> 2>&1 && echo "done"', label: 'acme-status' },
            { kind: 'command', command: 'acmectl version' },
          ],
        },
      ],
    });
    expect(collectXml(r.extend[0]!.collect)).toBe(
      [
        '<collect>',
        '  <files>/etc/acme/a.conf /etc/acme/*.rules</files>',
        '  <list recursive="true">/var/lib/acme /opt/acme</list>',
        '  <list recursive="false">/etc/acme</list>',
        '  <directory pattern=".*\\.txt$ &amp; &quot;&lt;b&gt;&quot;" negate="true">/var/log/acme</directory>',
        '  <directory negate="false">/tmp/acme</directory>',
        '  <command label="acme-status">acmectl status --format=&lt;x&gt; 2&gt;&amp;1 &amp;&amp; echo "done"</command>',
        '  <command>acmectl version</command>',
        '</collect>',
        '',
      ].join('\n'),
    );
  });

  it('escapes text and attribute values', () => {
    expect(escapeText('a<b>&"c"')).toBe('a&lt;b&gt;&amp;"c"');
    expect(escapeAttribute('a"b\n\tc&')).toBe('a&quot;b&#10;&#9;c&amp;');
  });
});

describe('statusReportFiles', () => {
  it('lays out a new category and an extension under etc/xensource/bugtool, sorted', () => {
    const r = report({
      categories: [{ name: 'acme', pii: 'no', collect: [{ kind: 'files', paths: ['/var/log/acme.log'] }] }],
      extend: [
        { category: 'network-status', collect: [{ kind: 'files', paths: ['/etc/acme/net.conf'] }] },
        { category: 'network-status', collect: [{ kind: 'command', command: 'acme-net dump', label: 'acme-net' }] },
        { category: 'acme', collect: [{ kind: 'list', directories: ['/etc/acme'] }] },
      ],
    });
    const files = statusReportFiles(r, 'acme-nic');
    expect(files.map((f) => f.path)).toEqual([
      'etc/xensource/bugtool/acme.xml',
      'etc/xensource/bugtool/acme/acme-nic.xml',
      'etc/xensource/bugtool/acme/stuff.xml',
      'etc/xensource/bugtool/network-status/acme-nic.xml',
    ]);
    expect(files[0]!.content).toBe(
      '<capability pii="no" min_size="-1" max_size="-1" min_time="-1" max_time="-1" mime="text/plain" checked="true" hidden="false"/>\n',
    );
    expect(files[2]!.content).toBe('<collect>\n  <files>/var/log/acme.log</files>\n</collect>\n');
    // Two extensions of one category end up in one file, in manifest order.
    expect(files[3]!.content).toBe(
      '<collect>\n  <files>/etc/acme/net.conf</files>\n  <command label="acme-net">acme-net dump</command>\n</collect>\n',
    );
    expect(statusReportFiles(r, 'acme-nic')).toEqual(files);
  });

  it('rejects a category defined twice and characters XML cannot carry, naming the field', () => {
    const twice = report({
      categories: [
        { name: 'acme', collect: [{ kind: 'files', paths: ['/a'] }] },
        { name: 'acme', collect: [{ kind: 'files', paths: ['/b'] }] },
      ],
    });
    expect(() => statusReportFiles(twice, 'x')).toThrow(new SuppackError('the category acme is defined twice', { file: 'suppack.json', field: 'statusReport.categories[1].name' }));
    // "." and ".." are no directory names: the files would land beside bugtool's own, or above them
    for (const name of ['.', '..']) {
      expect(() => report({ categories: [{ name, collect: [{ kind: 'files', paths: ['/a'] }] }] })).toThrow(/categories\[0\]\.name: expected letters, digits, "\.", "_" or "-", not "\." or "\.\."/);
      expect(() => report({ extend: [{ category: name, collect: [{ kind: 'files', paths: ['/a'] }] }] })).toThrow(/extend\[0\]\.category: expected an existing category name/);
    }
    const control = report({ extend: [{ category: 'yum', collect: [{ kind: 'files', paths: ['/a'] }, { kind: 'command', command: 'echo \u0001' }] }] });
    expect(() => statusReportFiles(control, 'x', 'packs/a/suppack.json')).toThrow(
      'packs/a/suppack.json: statusReport.extend[0].collect[1].command: contains a control character that XML cannot carry',
    );
  });
});

describe('bugtool reads it', () => {
  it('parses with Python minidom (what xen-bugtool uses) to the same attributes and text', () => {
    const r = report({
      categories: [{ name: 'acme', maxSize: 65536, collect: [{ kind: 'directory', path: '/var/log/acme', pattern: '^a"b<&c', negate: false }] }],
      // a carriage return stays one (written as &#13;: a literal one is read back as a newline)
      extend: [{ category: 'yum', collect: [{ kind: 'command', command: 'echo "<&>"\r\tx', label: 'x' }] }],
    });
    const files = statusReportFiles(r, 'acme-nic');
    const py = [
      'import sys, json, xml.dom.minidom as m',
      'out = []',
      'for s in json.load(sys.stdin):',
      '    e = m.parseString(s.encode()).documentElement',
      '    kids = [c for c in e.childNodes if c.nodeType == c.ELEMENT_NODE]',
      '    out.append([e.tagName, dict(e.attributes.items())] + [[c.tagName, dict(c.attributes.items()), c.firstChild.data] for c in kids])',
      'print(json.dumps(out))',
    ].join('\n');
    const parsed = JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify(files.map((f) => f.content)), encoding: 'utf8' })) as unknown;
    expect(parsed).toEqual([
      ['capability', { pii: 'maybe', min_size: '-1', max_size: '65536', min_time: '-1', max_time: '-1', mime: 'text/plain', checked: 'true', hidden: 'false' }],
      ['collect', {}, ['directory', { pattern: '^a"b<&c', negate: 'false' }, '/var/log/acme']],
      ['collect', {}, ['command', { label: 'x' }, 'echo "<&>"\r\tx']],
    ]);
  });
});

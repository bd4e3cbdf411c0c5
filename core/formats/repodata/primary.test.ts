import { describe, expect, it } from 'vitest';
import { RPMSENSE, type RpmDependency, type RpmInfo } from '../rpm';
import type { RepoPackage } from './package';
import { fileType, isPrimaryFile, primaryRequires, primaryXml, senseName, splitEvr } from './primary';

const { EQUAL, GREATER, LESS } = RPMSENSE;

function info(over: Partial<RpmInfo>): RpmInfo {
  return {
    path: 'x.rpm', fileSize: 10, name: 'x', version: '1', release: '1', arch: 'noarch', group: 'G', summary: 'S', description: 'D',
    license: 'MIT', isSource: false, size: 0, provides: [], requires: [], conflicts: [], obsoletes: [], files: [], scripts: {},
    signatureRange: { start: 96, end: 200 }, headerRange: { start: 200, end: 300 }, payloadOffset: 300, payloadCompressor: 'gzip',
    ...over,
  };
}
const dep = (name: string, flags = 0, version = ''): RpmDependency => ({ name, flags, version });
const file = (path: string, mode = 0o100644, flags = 0) => ({ path, mode, size: 0, linkTo: '', flags, user: 'root', group: 'root', digest: '' });

describe('primary.xml rules (createrepo_c parsehdr.c)', () => {
  it('maps sense flags to EQ/LT/GT/LE/GE and nothing else', () => {
    expect([EQUAL, LESS, GREATER, LESS | EQUAL, GREATER | EQUAL, 0, LESS | GREATER].map(senseName)).toEqual(['EQ', 'LT', 'GT', 'LE', 'GE', undefined, undefined]);
    expect(senseName(GREATER | EQUAL | RPMSENSE.SCRIPT_POST)).toBe('GE');
  });

  it('splits [epoch:]ver[-rel] with epoch 0 by default', () => {
    expect(splitEvr('2:1.0-1')).toEqual({ epoch: '2', ver: '1.0', rel: '1' });
    expect(splitEvr('4.0')).toEqual({ epoch: '0', ver: '4.0' });
    expect(splitEvr('1.2-3.el7')).toEqual({ epoch: '0', ver: '1.2', rel: '3.el7' });
  });

  it('knows primary files and file types', () => {
    expect(['/etc/a', '/usr/bin/x', '/sbin/y', '/usr/lib/sendmail', '/opt/bin/z'].every(isPrimaryFile)).toBe(true);
    expect(['/etc', '/usr/lib/x', '/usr/share/binary'].some(isPrimaryFile)).toBe(false);
    expect(fileType(file('/d', 0o040755))).toBe('dir');
    expect(fileType(file('/g', 0o100644, 64))).toBe('ghost');
    expect(fileType(file('/f'))).toBeUndefined();
  });

  it('drops rpmlib(), own primary files, own equal provides and immediate repeats; marks pre', () => {
    const i = info({
      provides: [dep('x', EQUAL, '1-1'), dep('cap', EQUAL, '2')],
      files: [file('/usr/bin/x'), file('/opt/data')],
      requires: [
        dep('rpmlib(CompressedFileNames)', LESS | EQUAL | RPMSENSE.RPMLIB, '3.0.4-1'),
        dep('/usr/bin/x'),
        dep('/opt/data'),
        dep('cap', EQUAL, '2'),
        dep('cap', GREATER | EQUAL, '1'),
        dep('/bin/sh', RPMSENSE.SCRIPT_PRE),
        dep('/bin/sh', RPMSENSE.SCRIPT_PRE),
        dep('/bin/sh', RPMSENSE.SCRIPT_PREUN),
        dep('/bin/sh', RPMSENSE.PREREQ),
        dep('lib', RPMSENSE.PRETRANS | GREATER, '1:2'),
        dep('late', RPMSENSE.POSTTRANS),
        dep('post', RPMSENSE.SCRIPT_POST),
      ],
    });
    expect(primaryRequires(i)).toEqual([
      { name: '/opt/data', pre: false },
      { name: 'cap', flags: 'GE', epoch: '0', ver: '1', pre: false },
      { name: '/bin/sh', pre: true },
      { name: '/bin/sh', pre: false },
      { name: '/bin/sh', pre: true },
      // createrepo_c 0.17.3 does not count %pretrans / %posttrans requires as pre (measured).
      { name: 'lib', flags: 'GT', epoch: '1', ver: '2', pre: false },
      { name: 'late', pre: false },
      { name: 'post', pre: true },
    ]);
  });

  it('writes one location, size and checksum per package, escaped, sorted by location, epoch 0', () => {
    const p = (name: string, href: string): RepoPackage => ({
      info: info({ name, summary: 'a <b> & "c"', files: [file('/etc/x.conf'), file('/etc/d', 0o040755), file('/opt/y')] }),
      href,
      sha256: name.padEnd(64, '0'),
      size: 1234,
      fileTime: 5,
    });
    const xml = primaryXml([p('bb', 'Packages/b.rpm'), p('aa', 'Packages/a.rpm')]);
    expect(xml.match(/<location /g)).toHaveLength(2);
    expect(xml.indexOf('Packages/a.rpm')).toBeLessThan(xml.indexOf('Packages/b.rpm'));
    expect(xml).toContain('<summary>a &lt;b&gt; &amp; "c"</summary>');
    expect(xml).toContain('<version epoch="0" ver="1" rel="1"/>');
    expect(xml).toContain('<time file="5" build="0"/>');
    expect(xml).toContain('<size package="1234" installed="0" archive="0"/>');
    expect(xml).toContain('<rpm:header-range start="200" end="300"/>');
    expect(xml).toContain('    <file>/etc/x.conf</file>\n    <file type="dir">/etc/d</file>\n  </format>');
    expect(xml).not.toContain('/opt/y');
    expect(xml).not.toContain('<rpm:requires>');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">\n')).toBe(true);
  });
});

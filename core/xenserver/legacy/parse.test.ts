import { describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { xsPackagesXml, xsRepositoryXml, type LegacyPackage, type LegacyRepository } from './metadata';
import { parseXsPackages, parseXsRepository } from './parse';

const MD5 = '0123456789abcdef0123456789abcdef';
const F = 'pack/XS-REPOSITORY';
const P = 'pack/XS-PACKAGES';

describe('round trip', () => {
  it('parseXsRepository(xsRepositoryXml(x)) equals x', () => {
    const full: LegacyRepository = {
      originator: 'acme',
      name: 'mydrv',
      product: 'XenServer',
      version: '6.5.0',
      description: `My "driver" & <stuff> it's`,
      build: '90233c',
      memoryRequirementMb: 64,
      enforceHomogeneity: true,
      hidden: true,
      requires: [
        { originator: 'xs', name: 'main', test: 'ge', product: 'XenServer', version: '6.5.0' },
        { originator: 'acme', name: 'base', test: 'lt', version: '2.0' },
      ],
    };
    expect(parseXsRepository(xsRepositoryXml(full), F)).toEqual(full);
    const minimal: LegacyRepository = { originator: 'a', name: 'b', product: 'XCP', version: '1.0', description: 'd', requires: [] };
    expect(parseXsRepository(xsRepositoryXml(minimal), F)).toEqual(minimal);
  });

  it('parseXsPackages(xsPackagesXml(x)) equals x', () => {
    const pkgs: LegacyPackage[] = [
      { file: 'foo-1.0-1.noarch.rpm', label: 'foo', type: 'rpm', size: 1234, md5: MD5 },
      { file: 'kernel-4.19-1.x86_64.rpm', label: 'kernel', type: 'rpm', size: 0, md5: MD5, options: '-i' },
      { file: 'bar-3.10.0+2-modules-1.0-1.x86_64.rpm', label: 'bar', type: 'driver-rpm', size: 99, md5: MD5, kernel: '3.10.0+2' },
      { file: 'fw.tar.bz2', label: 'fw.tar.bz2', type: 'tbz2', size: 5, md5: MD5, root: '/' },
    ];
    expect(parseXsPackages(xsPackagesXml(pkgs), P)).toEqual(pkgs);
    expect(parseXsPackages(xsPackagesXml([]), P)).toEqual([]);
  });
});

describe('parseXsRepository (installer rules, docs/formats/xenserver.md §1.9)', () => {
  const doc = (attrs: string, body = '<description>d</description>') => `<repository ${attrs}>\n${body}\n</repository>\n`;
  const base = 'originator="a" name="b" product="XenServer" version="1.0"';

  it('strips the description and reads a hand-edited file with a declaration and requires build', () => {
    const xml = `<?xml version="1.0"?>\n<!-- edited -->\n<repository ${base} build="">\n  <description>\n   Hello <![CDATA[& bye]]>\n  </description>\n  <requires originator="xs" name="main" test="eq" version="7.0.0" build="125380c"/>\n  <requires originator="xs" name="x" test="eq" version="7.0.0" build=""/>\n  <unknown/>\n</repository>\n`;
    expect(parseXsRepository(xml, F)).toEqual({
      originator: 'a',
      name: 'b',
      product: 'XenServer',
      version: '1.0',
      description: 'Hello & bye',
      requires: [
        { originator: 'xs', name: 'main', test: 'eq', version: '7.0.0', build: '125380c' },
        { originator: 'xs', name: 'x', test: 'eq', version: '7.0.0' },
      ],
    });
  });

  it('reads enforce-homogeneity/hidden other than "true" as false', () => {
    const r = parseXsRepository(doc(`${base} enforce-homogeneity="yes" hidden="false"`), F);
    expect(r.enforceHomogeneity).toBe(false);
    expect(r.hidden).toBe(false);
  });

  it('names the file, line, element and attribute of a missing mandatory attribute', () => {
    expect(() => parseXsRepository(doc('originator="a" name="b" version="1.0"'), F)).toThrow(
      'pack/XS-REPOSITORY: line 1, <repository> attribute product: missing mandatory attribute',
    );
    expect(() => parseXsRepository(doc(`${base.replace('name="b"', 'name=""')}`), F)).toThrow(/attribute name: missing mandatory/);
  });

  it('rejects a bad requires test, naming its line', () => {
    const body = '<description>d</description>\n<requires originator="xs" name="main" test="gte" version="1.0"/>';
    expect(() => parseXsRepository(doc(base, body), F)).toThrow(
      'pack/XS-REPOSITORY: line 3, <requires> attribute test: expected one of eq ne lt gt le ge, got "gte"',
    );
    expect(() => parseXsRepository(doc(base, '<description>d</description>\n<requires originator="xs" name="main" test="eq"/>'), F)).toThrow(
      /<requires> attribute version: missing mandatory attribute/,
    );
  });

  it('needs a description, the right root, and well-formed XML', () => {
    expect(() => parseXsRepository(doc(base, ''), F)).toThrow(/^pack\/XS-REPOSITORY: line 1, <repository>: expected a <description> element/);
    expect(() => parseXsRepository('<packages/>', F)).toThrow(/^pack\/XS-REPOSITORY: line 1: expected the root element <repository>, got <packages>/);
    expect(() => parseXsRepository(`<repository ${base}>\n<description>d</descr>\n`, F)).toThrow(SuppackError);
    expect(() => parseXsRepository(`<repository ${base}>\n<description>d</descr>\n`, F)).toThrow(/^pack\/XS-REPOSITORY: line 2: not well-formed XML: /);
    expect(() => parseXsRepository('', F)).toThrow(/^pack\/XS-REPOSITORY: .*not well-formed XML/);
    expect(() => parseXsRepository(doc(`${base} memory-requirement-mb="lots"`), F)).toThrow(
      /<repository> attribute memory-requirement-mb: expected a non-negative decimal integer, got "lots"/,
    );
  });
});

describe('parseXsPackages (installer rules, docs/formats/xenserver.md §1.9)', () => {
  const doc = (...pkgs: string[]) => `<packages>\n${pkgs.join('\n')}\n</packages>\n`;

  it('needs a known type, with kernel for driver-rpm and root for tbz2', () => {
    expect(() => parseXsPackages(doc(`<package label="a" md5="${MD5}" size="1" type="srpm">a.rpm</package>`), P)).toThrow(
      'pack/XS-PACKAGES: line 2, <package> attribute type: expected one of rpm driver-rpm tbz2, got "srpm"',
    );
    expect(() => parseXsPackages(doc(`<package label="a" md5="${MD5}" size="1" type="driver">a</package>`), P)).toThrow(/obsolete package type "driver"/);
    expect(() => parseXsPackages(doc(`<package label="a" md5="${MD5}" size="1" type="driver-rpm">a.rpm</package>`), P)).toThrow(
      /<package> attribute kernel: missing mandatory attribute/,
    );
    expect(() => parseXsPackages(doc(`<package label="a" md5="${MD5}" size="1" type="tbz2">a.tbz2</package>`), P)).toThrow(
      /<package> attribute root: missing mandatory attribute/,
    );
  });

  it('needs label, size, md5 and a file name', () => {
    expect(() => parseXsPackages(doc(`<package md5="${MD5}" size="1" type="rpm">a.rpm</package>`), P)).toThrow(/attribute label: missing/);
    expect(() => parseXsPackages(doc(`<package label="a" md5="${MD5}" size="-1" type="rpm">a.rpm</package>`), P)).toThrow(/attribute size: expected a non-negative decimal integer/);
    expect(() => parseXsPackages(doc(`<package label="a" md5="ABC" size="1" type="rpm">a.rpm</package>`), P)).toThrow(/attribute md5: expected 32 lowercase hex digits/);
    expect(() => parseXsPackages(doc(`<package label="a" md5="${MD5}" size="1" type="rpm">  </package>`), P)).toThrow(
      /^pack\/XS-PACKAGES: line 2, <package>: expected the package file name/,
    );
  });

  it('strips the file name and ignores unknown attributes such as optional', () => {
    expect(parseXsPackages(doc(`<package label="a" md5="${MD5}" size="7" type="rpm" optional="true">\n a.rpm \n</package>`), P)).toEqual([
      { file: 'a.rpm', label: 'a', type: 'rpm', size: 7, md5: MD5 },
    ]);
  });
});

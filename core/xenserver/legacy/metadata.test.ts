import { describe, expect, it } from 'vitest';
import { SuppackError } from '../../base/errors';
import { xsPackagesXml, xsRepositoryXml, type LegacyPackage, type LegacyRepository } from './metadata';

const GOLDEN_REPOSITORY =
  '<repository build="90233c" enforce-homogeneity="true" hidden="true" memory-requirement-mb="64" name="mydrv" originator="acme" product="XenServer" version="6.5.0">\n' +
  '  <description>My driver &amp; stuff</description>\n' +
  '  <requires name="main" originator="xs" product="XenServer" test="eq" version="6.5.0"/>\n' +
  '</repository>\n';

const FULL_MD5 = '0123456789abcdef0123456789abcdef';
const GOLDEN_PACKAGES =
  '<packages>\n' +
  '  <package label="foo" md5="d41d8cd98f00b204e9800998ecf8427e" size="1234" type="rpm">foo-1.0-1.noarch.rpm</package>\n' +
  `  <package kernel="3.10.0+2" label="bar" md5="${FULL_MD5}" options="-i" size="99" type="driver-rpm">bar-3.10.0+2-modules-1.0-1.x86_64.rpm</package>\n` +
  '</packages>\n';

const repo = (over: Partial<LegacyRepository> = {}): LegacyRepository => ({
  originator: 'acme',
  name: 'mydrv',
  product: 'XenServer',
  version: '6.5.0',
  description: 'My driver & stuff',
  requires: [{ originator: 'xs', name: 'main', test: 'eq', product: 'XenServer', version: '6.5.0' }],
  ...over,
});

describe('xsRepositoryXml', () => {
  it('reproduces the golden sample of docs/formats/xenserver.md §1.4 byte for byte', () => {
    const xml = xsRepositoryXml(repo({ build: '90233c', memoryRequirementMb: 64, enforceHomogeneity: true, hidden: true }));
    expect(Buffer.from(xml)).toEqual(Buffer.from(GOLDEN_REPOSITORY));
  });

  it('leaves the optional attributes out when unset, false or empty', () => {
    const expected =
      '<repository name="mydrv" originator="acme" product="XenServer" version="6.5.0">\n' +
      '  <description>My driver &amp; stuff</description>\n' +
      '  <requires name="main" originator="xs" product="XenServer" test="eq" version="6.5.0"/>\n' +
      '</repository>\n';
    expect(xsRepositoryXml(repo())).toBe(expected);
    expect(xsRepositoryXml(repo({ enforceHomogeneity: false, hidden: false, build: '' }))).toBe(expected);
  });

  it('writes memory-requirement-mb 0 (it is set)', () => {
    expect(xsRepositoryXml(repo({ memoryRequirementMb: 0 }))).toContain(' memory-requirement-mb="0" ');
  });

  it('does not serialise a requires build, like supp-pack-build (requires_attrs)', () => {
    const xml = xsRepositoryXml(
      repo({ requires: [{ originator: 'xs', name: 'main', test: 'ge', product: 'XenServer', version: '7.0.0', build: '125380c' }] }),
    );
    expect(xml).toContain('  <requires name="main" originator="xs" product="XenServer" test="ge" version="7.0.0"/>\n');
    expect(xml).not.toContain('125380c');
  });

  it('writes description first and one <requires/> per dependency, in order', () => {
    const xml = xsRepositoryXml(
      repo({
        requires: [
          { originator: 'xs', name: 'main', test: 'ge', product: 'XenServer', version: '6.5.0' },
          { originator: 'acme', name: 'base', test: 'eq', version: '1.0' },
        ],
      }),
    );
    expect(xml.split('\n').slice(1, 4)).toEqual([
      '  <description>My driver &amp; stuff</description>',
      '  <requires name="main" originator="xs" product="XenServer" test="ge" version="6.5.0"/>',
      '  <requires name="base" originator="acme" test="eq" version="1.0"/>',
    ]);
  });
});

describe('xsPackagesXml', () => {
  const packages: LegacyPackage[] = [
    { file: 'foo-1.0-1.noarch.rpm', label: 'foo', type: 'rpm', size: 1234, md5: 'd41d8cd98f00b204e9800998ecf8427e' },
    {
      file: 'bar-3.10.0+2-modules-1.0-1.x86_64.rpm',
      label: 'bar',
      type: 'driver-rpm',
      size: 99,
      md5: FULL_MD5,
      options: '-i',
      kernel: '3.10.0+2',
    },
  ];

  it('reproduces the golden sample of docs/formats/xenserver.md §1.5 byte for byte (md5 of line 2 completed)', () => {
    expect(Buffer.from(xsPackagesXml(packages))).toEqual(Buffer.from(GOLDEN_PACKAGES));
  });

  it('writes root="/" for tbz2 and kernel only for driver-rpm', () => {
    const xml = xsPackagesXml([
      { file: 'x.tar.bz2', label: 'x.tar.bz2', type: 'tbz2', size: 1, md5: FULL_MD5, kernel: 'ignored' },
      { file: 'k.rpm', label: 'kernel', type: 'rpm', size: 2, md5: FULL_MD5, options: '-i', kernel: 'ignored', root: '/x' },
    ]);
    expect(xml).toBe(
      '<packages>\n' +
        `  <package label="x.tar.bz2" md5="${FULL_MD5}" root="/" size="1" type="tbz2">x.tar.bz2</package>\n` +
        `  <package label="kernel" md5="${FULL_MD5}" options="-i" size="2" type="rpm">k.rpm</package>\n` +
        '</packages>\n',
    );
  });

  it('writes an empty package list as <packages/>', () => {
    expect(xsPackagesXml([])).toBe('<packages/>\n');
  });

  it('rejects a driver-rpm without a kernel, naming the package', () => {
    const bad: LegacyPackage = { file: 'd.rpm', label: 'd', type: 'driver-rpm', size: 1, md5: FULL_MD5 };
    expect(() => xsPackagesXml([packages[0]!, bad])).toThrow(SuppackError);
    expect(() => xsPackagesXml([packages[0]!, bad])).toThrow(/^d\.rpm: XS-PACKAGES: package\[1\]\.kernel: /);
  });
});

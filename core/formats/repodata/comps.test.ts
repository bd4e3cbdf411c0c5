import { describe, expect, it } from 'vitest';
import { compsXml } from './comps';

describe('compsXml', () => {
  it('writes groups sorted by id with sorted, unique mandatory packagereqs', () => {
    const xml = compsXml([
      { id: 'update', name: 'update', packages: ['update-x', 'control-x', 'update-x'] },
      { id: 'drivers', name: 'Drivers & more', description: 'd', packages: ['b'] },
    ]);
    expect(xml.indexOf('<id>drivers</id>')).toBeLessThan(xml.indexOf('<id>update</id>'));
    expect(xml).toContain('<name>Drivers &amp; more</name>');
    expect(xml).toContain(
      '    <packagelist>\n      <packagereq type="mandatory">control-x</packagereq>\n      <packagereq type="mandatory">update-x</packagereq>\n    </packagelist>\n',
    );
    expect(xml.match(/<packagereq /g)).toHaveLength(3);
  });

  it("writes build-update's group_file() bytes for its one group (docs/formats/xenserver.md §2.2 step 7)", () => {
    expect(compsXml([{ id: 'update', name: 'acme-nic', packages: ['update-acme-nic'] }])).toBe(
      '<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n' +
        '<comps>\n' +
        '  <group>\n' +
        '   <id>update</id>\n' +
        '   <default>False</default>\n' +
        '   <uservisible>True</uservisible>\n' +
        '   <name>acme-nic</name>\n' +
        '   <description></description>\n' +
        '    <packagelist>\n' +
        '      <packagereq type="mandatory">update-acme-nic</packagereq>\n' +
        '    </packagelist>\n' +
        '  </group>\n' +
        '</comps>\n',
    );
  });

  it('rejects a repeated or unusable group id, naming the field', () => {
    expect(() => compsXml([{ id: 'a', name: 'a', packages: [] }, { id: 'a', name: 'b', packages: [] }])).toThrow(/^groups\[1\]\.id: group id "a" is given twice$/);
    expect(() => compsXml([{ id: 'a b', name: 'a', packages: [] }])).toThrow(/^groups\[0\]\.id: expected letters/);
  });
});

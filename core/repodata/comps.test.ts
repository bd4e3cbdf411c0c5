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
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE comps')).toBe(true);
  });

  it('rejects a repeated or unusable group id, naming the field', () => {
    expect(() => compsXml([{ id: 'a', name: 'a', packages: [] }, { id: 'a', name: 'b', packages: [] }])).toThrow(/^groups\[1\]\.id: group id "a" is given twice$/);
    expect(() => compsXml([{ id: 'a b', name: 'a', packages: [] }])).toThrow(/^groups\[0\]\.id: expected letters/);
  });
});

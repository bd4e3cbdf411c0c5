import { describe, expect, test } from 'vitest';
import { parseManifestText } from '../core/products/manifest-file';
import { MAX_PROBLEMS } from './parse';

const PACK = { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-nic', text: 'Acme NIC', version: '1.0', productVersion: '7.0.0' };
const errorOf = (manifest: unknown) => {
  try {
    parseManifestText(JSON.stringify(manifest, null, 2), 'packs/acme/suppack.json');
  } catch (e) {
    return (e as Error).message;
  }
  return 'parsed';
};

describe('manifest errors a person fixes in one go', () => {
  test('a wrong type says what was expected and what was found', () => {
    expect(errorOf({ pack: { ...PACK, version: 1.0 }, prebuilt: ['x.rpm'] })).toBe(
      'packs/acme/suppack.json: line 7, column 16: pack.version: expected the pack version (e.g. 1.0), got the number 1',
    );
    expect(errorOf({ pack: { ...PACK, label: 5 }, prebuilt: ['x.rpm'] })).toBe(
      'packs/acme/suppack.json: line 5, column 14: pack.label: expected the pack label (e.g. acme-nic), got the number 5',
    );
    expect(errorOf({ pack: null, prebuilt: ['x.rpm'] })).toBe('packs/acme/suppack.json: line 2, column 11: pack: expected an object, got null');
    expect(errorOf({ pack: PACK, prebuilt: 'x.rpm' })).toBe('packs/acme/suppack.json: line 10, column 15: prebuilt: expected an array, got the string "x.rpm"');
  });

  test('a misspelt key names the key it is probably meant to be, instead of that key missing', () => {
    const { vendorCode, ...rest } = PACK;
    expect(errorOf({ pack: { ...rest, vendorCod: vendorCode }, prebuilt: ['x.rpm'] })).toBe(
      'packs/acme/suppack.json: line 8, column 5: pack.vendorCod: unknown key; did you mean vendorCode?',
    );
    expect(errorOf({ pack: PACK, prebuilt: ['x.rpm'], colour: 'red' })).toBe('packs/acme/suppack.json: line 13, column 3: colour: unknown key');
  });

  test('every problem at once, one line each, unknown keys first', () => {
    const { vendorCode, ...rest } = PACK;
    expect(errorOf({ pack: { ...rest, vendorCod: vendorCode, version: 2, text: 'x'.repeat(40) }, prebuilt: ['x.rpm'] }).split('\n')).toEqual([
      'packs/acme/suppack.json: line 8, column 5: pack.vendorCod: unknown key; did you mean vendorCode?',
      'packs/acme/suppack.json: line 5, column 13: pack.text: expected at most 32 characters (it becomes the ISO volume id)',
      'packs/acme/suppack.json: line 6, column 16: pack.version: expected the pack version (e.g. 1.0), got the number 2',
    ]);
  });

  test('a missing key points at the object that lacks it; the plugin and the executors read with this one reader', () => {
    const { version: _, ...noVersion } = PACK;
    expect(errorOf({ rpms: [], pack: noVersion, prebuilt: ['x.rpm'] })).toBe('packs/acme/suppack.json: line 3, column 11: pack.version: required, expected the pack version (e.g. 1.0)');
  });

  test(`at most ${MAX_PROBLEMS} problems are listed; the rest are counted`, () => {
    const extra = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extra${i}`, i]));
    const lines = errorOf({ pack: PACK, prebuilt: ['x.rpm'], ...extra }).split('\n');
    expect(lines).toHaveLength(MAX_PROBLEMS + 1);
    expect(lines.at(-1)).toBe('packs/acme/suppack.json: and 5 more problems');
  });
});

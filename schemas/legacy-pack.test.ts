import { describe, expect, test } from 'vitest';
import { SuppackError } from '../core/base/errors';
import { legacyPackSchema, type LegacyPackInput } from './legacy-pack';
import { parseWithSchema } from './parse';

const good: LegacyPackInput = {
  vendorCode: 'acme',
  vendorName: 'ACME Inc.',
  label: 'acme-nic',
  text: 'ACME NIC driver',
  version: '1.0',
  productVersion: '7.0.0',
};

function errorOf(patch: Record<string, unknown>): string {
  try {
    parseWithSchema(legacyPackSchema, { ...good, ...patch }, { file: 'suppack.json', field: (p) => `pack.${p.join('.')}` });
  } catch (e) {
    expect(e).toBeInstanceOf(SuppackError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

test('fills the DDK defaults', () => {
  expect(parseWithSchema(legacyPackSchema, good)).toEqual({
    ...good,
    homogeneous: false,
    product: 'XenServer',
    baseRequires: true,
    requires: [],
    reorder: true,
  });
});

describe('each rule names the file and field and says what was expected', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['reserved vendor code', { vendorCode: 'xs' }, 'suppack.json: pack.vendorCode: the vendor code "xs" is reserved'],
    ['vendor code charset', { vendorCode: 'ac me' }, 'suppack.json: pack.vendorCode: expected letters, digits'],
    ['label charset', { label: 'a/b' }, 'suppack.json: pack.label: expected letters, digits'],
    // directory names on the host and in the RPMs: /usr/share/doc/<label>/ would be /usr/share
    ['label ..', { label: '..' }, 'suppack.json: pack.label: expected letters, digits, ".", "_" or "-" only, not "." or ".."'],
    ['vendor code .', { vendorCode: '.' }, 'suppack.json: pack.vendorCode: expected letters, digits, ".", "_" or "-" only, not "." or ".."'],
    ['text length', { text: 'x'.repeat(33) }, 'suppack.json: pack.text: expected at most 32 characters (it becomes the ISO volume id)'],
    ['text at 32 is fine', { text: 'x'.repeat(32), label: '' }, 'suppack.json: pack.label:'],
    ['text charset', { text: 'caf\u00e9' }, 'suppack.json: pack.text: expected printable ASCII'],
    ['text with blanks around it', { text: ' Acme ' }, 'suppack.json: pack.text: expected no blanks before or after the text'],
    ['vendor name length', { vendorName: 'v'.repeat(129) }, 'suppack.json: pack.vendorName: expected at most 128 characters'],
    ['version needs a dot', { version: '1' }, 'suppack.json: pack.version: expected a dotted numeric version'],
    ['version numeric arcs', { version: '1.0a' }, 'suppack.json: pack.version: expected a dotted numeric version'],
    ['memory integer', { memoryMb: 20.5 }, 'suppack.json: pack.memoryMb: expected an integer number of MB'],
    ['memory non-negative', { memoryMb: -1 }, 'suppack.json: pack.memoryMb: expected a non-negative integer'],
    ['required field', { label: undefined }, 'suppack.json: pack.label: required, expected the pack label'],
    [
      'requires test',
      { requires: [{ originator: 'acme', name: 'base', test: 'gte', version: '1.0' }] },
      'suppack.json: pack.requires.0.test: expected one of eq, ne, lt, gt, le, ge',
    ],
    // an XS-REPOSITORY attribute: a control character would be read back as another text, or not at all
    ...['a\nb', '\r', 'X\uffff', ' XCP'].map((product): [string, Record<string, unknown>, string] => [
      `requires product ${JSON.stringify(product)}`,
      { requires: [{ originator: 'acme', name: 'base', test: 'ge', version: '1.0', product }] },
      'suppack.json: pack.requires.0.product: expected a product name of printable ASCII',
    ]),
    ['unknown key', { colour: 'red' }, 'suppack.json: unknown option: pack.colour'],
  ];
  for (const [name, patch, message] of cases) {
    test(name, () => {
      const m = errorOf(patch);
      expect(m.startsWith(message), m).toBe(true);
      expect(m).not.toContain('\n');
    });
  }
});

/** suppack.json of every kind: pack (the default), bundle and installer; each error names the file and field. */
import { describe, expect, test } from 'vitest';
import { SuppackError } from '../core/base/errors';
import { projectManifestSchema } from './manifest';
import { dottedPath, parseWithSchema } from './parse';

const FILE = 'packs/x/suppack.json';
const parse = (value: unknown) => parseWithSchema(projectManifestSchema, value, { file: FILE, field: dottedPath });
function errorOf(value: unknown): string {
  try {
    parse(value);
  } catch (e) {
    expect(e).toBeInstanceOf(SuppackError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

const pack = { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-nic', text: 'Acme NIC driver', version: '1.0', productVersion: '7.0.0' };
const bundle = { kind: 'bundle', name: 'acme-all', volumeId: 'Acme packs', packs: ['acme-nic', 'isos/vendor.iso'] };
const installer = { kind: 'installer', baseIso: 'iso/XenServer-7.0.0-install-cd.iso', packs: ['acme-all'] };

describe('pack manifests', () => {
  test('without kind they are packs, as before kinds existed; kind "pack" may be written', () => {
    const m = parse({ pack, prebuilt: ['rpms/*.rpm'] });
    expect(m.kind).toBe('pack');
    expect(m.kind === 'pack' && m.format).toBe('legacy');
    expect(parse({ kind: 'pack', pack, prebuilt: ['rpms/*.rpm'] })).toEqual(m);
  });

  test('their errors are unchanged: the pack field is named', () => {
    expect(errorOf({ pack: { ...pack, version: 'one' }, prebuilt: ['x.rpm'] })).toBe(
      `${FILE}: pack.version: expected a dotted numeric version such as 1.0 or 2.3.1`,
    );
    expect(errorOf({ format: 'nope', pack, prebuilt: ['x.rpm'] })).toBe(
      `${FILE}: format: expected "legacy" (XS-REPOSITORY packs, XenServer 7.0 and older) or "update" (XenServer 7.1+, XCP-ng 8)`,
    );
  });

  test('an unknown kind says which kinds exist', () => {
    expect(errorOf({ kind: 'iso', pack })).toBe(
      `${FILE}: kind: expected "pack" (the default), "bundle" (legacy packs combined into one ISO) or "installer" (an installer ISO rebuilt with packs)`,
    );
  });
});

describe('bundle manifests', () => {
  test('a good one parses as given', () => {
    expect(parse(bundle)).toEqual(bundle);
    expect(parse({ ...bundle, $schema: '../../node_modules/suppack/schemas/suppack.schema.json' }).kind).toBe('bundle');
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no name', { name: undefined }, 'name: required, expected the base name of the combined ISO (e.g. acme-drivers)'],
    ['a name that is no file name', { name: 'acme/all' }, 'name: expected letters, digits, ".", "_" or "-" only, not "." or ".." (it names <name>.iso)'],
    ['no volume id', { volumeId: undefined }, 'volumeId: required, expected string'],
    ['a volume id over 32 characters', { volumeId: 'A'.repeat(33) }, 'volumeId: expected at most 32 characters (the ISO volume id)'],
    ['a volume id that is not printable ASCII', { volumeId: 'Packs\u00e9' }, 'volumeId: expected printable ASCII (the ISO volume id)'],
    ['an empty volume id', { volumeId: '' }, 'volumeId: expected a non-empty volume id'],
    ['no packs', { packs: [] }, 'packs: expected at least one pack to combine'],
    ['an absolute ISO path', { packs: ['/srv/isos/a.iso'] }, 'packs[0]: expected the pack ISO relative to the project root, with "/" between directories and no ".." or control characters'],
    ['an ISO path climbing out', { packs: ['acme-nic', '../other/a.iso'] }, 'packs[1]: expected the pack ISO relative to the project root, with "/" between directories and no ".." or control characters'],
    [
      'a member that is neither',
      { packs: ['acme nic'] },
      'packs[0]: expected the name of a workspace pack or bundle project, or the path of a pack ISO ending in .iso',
    ],
    ['a member listed twice', { packs: ['a', 'b', 'a'] }, 'packs[2]: "a" is already packs[0]: list each pack once'],
    ['an unknown field', { label: 'x' }, 'label: unknown key'],
  ];
  test.each(cases)('%s', (_, patch, expected) => {
    expect(errorOf({ ...bundle, ...patch })).toBe(`${FILE}: ${expected}`);
  });
});

describe('installer manifests', () => {
  test('a good one gets the defaults: no packs, no includes', () => {
    expect(parse(installer)).toEqual({ ...installer, include: [], drivers: [] });
    const full = {
      ...installer,
      packs: ['acme-nic', 'isos/vendor.ISO'],
      answerfile: 'answerfile.xml',
      include: [{ from: 'extra' }, { from: 'site/motd', to: 'etc/motd' }],
      drivers: ['drivers/acme-nic-modules.rpm'],
      volumeId: 'Acme XenServer 7.0',
      output: 'acme-installer.iso',
    };
    expect(parse(full)).toEqual(full);
    expect(parse({ kind: 'installer', baseIso: 'base.iso', answerfile: 'a.xml' })).toEqual({
      kind: 'installer',
      baseIso: 'base.iso',
      answerfile: 'a.xml',
      packs: [],
      include: [],
      drivers: [],
    });
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no base ISO', { baseIso: undefined }, 'baseIso: required, expected the installer ISO to start from'],
    ['a base ISO that is no .iso', { baseIso: 'base.img' }, 'baseIso: expected an ISO file ending in .iso'],
    ['an absolute base ISO', { baseIso: '/srv/base.iso' }, 'baseIso: expected the installer ISO relative to the project root, with "/" between directories and no ".." or control characters'],
    ['a base ISO climbing out', { baseIso: 'a/../../base.iso' }, 'baseIso: expected the installer ISO relative to the project root, with "/" between directories and no ".." or control characters'],
    ['an absolute answerfile', { answerfile: '/etc/answerfile.xml' }, 'answerfile: expected the answerfile relative to the project root, with "/" between directories and no ".." or control characters'],
    ['an include from outside', { include: [{ from: '../secrets' }] }, 'include[0].from: expected the file or directory relative to the project root, with "/" between directories and no ".." or control characters'],
    [
      'an include to an absolute path',
      { include: [{ from: 'a' }, { from: 'b', to: '/boot/x' }] },
      'include[1].to: expected a relative path inside the ISO (no leading "/", no "." or ".." components)',
    ],
    ['an include to ..', { include: [{ from: 'b', to: 'x/../y' }] }, 'include[0].to: expected a relative path inside the ISO (no leading "/", no "." or ".." components)'],
    ['an include with an unknown field', { include: [{ from: 'b', into: 'y' }] }, 'include[0].into: unknown key'],
    ['a volume id over 32 characters', { volumeId: 'X'.repeat(40) }, 'volumeId: expected at most 32 characters (the ISO volume id)'],
    [
      'an output with a directory',
      { output: 'out/acme.iso' },
      'output: expected a file name ending in .iso (letters, digits, ".", "_" or "-"), no directory',
    ],
    ['an output that is no .iso', { output: 'acme.img' }, 'output: expected a file name ending in .iso (letters, digits, ".", "_" or "-"), no directory'],
    ['boot entries without an answerfile', { answerfile: undefined, bootEntries: ['install'] }, 'bootEntries: expected with an answerfile, whose parameters it directs'],
    ['an empty boot entry list', { answerfile: 'answerfile.xml', bootEntries: [] }, 'bootEntries: expected at least one boot entry name'],
    ['an empty boot entry name', { answerfile: 'answerfile.xml', bootEntries: ['install', ''] }, 'bootEntries[1]: expected a boot entry name, got an empty one'],
    ['a member path climbing out', { packs: ['../p.iso'] }, 'packs[0]: expected the pack ISO relative to the project root, with "/" between directories and no ".." or control characters'],
    [
      'nothing to add',
      { packs: [] },
      'packs: expected at least one pack, an answerfile, an include or a driver: otherwise the ISO is unchanged',
    ],
  ];
  test.each(cases)('%s', (_, patch, expected) => {
    expect(errorOf({ ...installer, ...patch })).toBe(`${FILE}: ${expected}`);
  });
});

import { describe, expect, it } from 'vitest';
import { SuppackError } from '../errors';
import type { LegacyRepository } from './metadata';
import { LEGACY_CLI_FLAGS, manifestFieldNamer, validateLegacyRepository } from './validate';

const good = (over: Partial<LegacyRepository> = {}): LegacyRepository => ({
  originator: 'acme',
  name: 'my_drv-2.x',
  product: 'XenServer',
  version: '1.2.3',
  description: 'ACME driver pack',
  build: '42a',
  memoryRequirementMb: 20,
  requires: [{ originator: 'xs', name: 'main', test: 'ge', product: 'XenServer', version: '7.0.0' }],
  ...over,
});

const cli = (repo: LegacyRepository, opts = {}) => () => validateLegacyRepository(repo, LEGACY_CLI_FLAGS, opts);

describe('validateLegacyRepository', () => {
  it('accepts valid metadata', () => {
    expect(cli(good(), { vendorName: 'ACME Corp.' })).not.toThrow();
    expect(cli(good({ build: undefined, memoryRequirementMb: 0, requires: [] }))).not.toThrow();
  });

  it('checks the vendor code and label charset, naming the flag', () => {
    expect(cli(good({ originator: 'ac me' }))).toThrow(/^--vendor-code: expected a vendor code of letters, digits/);
    expect(cli(good({ originator: '' }))).toThrow(SuppackError);
    expect(cli(good({ name: 'my/drv' }))).toThrow(/^--label: /);
    expect(cli(good({ name: 'Mixed.Case_ok-1' }))).not.toThrow();
  });

  it('reserves the vendor code xs unless overridden', () => {
    expect(cli(good({ originator: 'xs' }))).toThrow(/^--vendor-code: the vendor code "xs" is reserved/);
    expect(cli(good({ originator: 'xs' }), { allowReservedVendorCode: true })).not.toThrow();
  });

  it('limits the text to 32 printable ASCII characters', () => {
    expect(cli(good({ description: 'x'.repeat(32) }))).not.toThrow();
    expect(cli(good({ description: 'x'.repeat(33) }))).toThrow(/^--text: expected at most 32 characters .*got 33$/);
    expect(cli(good({ description: 'café' }))).toThrow(/^--text: expected printable ASCII/);
    expect(cli(good({ description: 'a\tb' }))).toThrow(/^--text: /);
    expect(cli(good({ description: '  ' }))).toThrow(/^--text: expected a non-empty description/);
  });

  it('limits the vendor name to 128 characters', () => {
    expect(cli(good(), { vendorName: 'v'.repeat(128) })).not.toThrow();
    expect(cli(good(), { vendorName: 'v'.repeat(129) })).toThrow(/^--vendor-name: expected at most 128/);
  });

  it('needs numeric dotted versions with at least one dot', () => {
    expect(cli(good({ version: '1' }))).toThrow(/^--version: expected a numeric dotted version/);
    expect(cli(good({ version: '1.0-2' }))).toThrow(/^--version: /);
    expect(cli(good({ version: '1.0a' }))).toThrow(/^--version: /);
    expect(cli(good({ version: '1..0' }))).toThrow(/^--version: /);
    expect(cli(good({ version: '12.345.678.9' }))).not.toThrow();
  });

  it('checks the build charset and the memory', () => {
    expect(cli(good({ build: 'a b' }))).toThrow(/^--build: /);
    expect(cli(good({ build: '' }))).toThrow(/^--build: /);
    expect(cli(good({ build: '90233c.git+1~rc-2' }))).not.toThrow();
    expect(cli(good({ memoryRequirementMb: -1 }))).toThrow(/^--mem: expected a non-negative integer/);
    expect(cli(good({ memoryRequirementMb: 1.5 }))).toThrow(/^--mem: /);
  });

  it('checks each requires entry, naming it', () => {
    const bad = (r: Partial<LegacyRepository['requires'][number]>) =>
      good({ requires: [good().requires[0]!, { originator: 'acme', name: 'base', test: 'eq', version: '1.0', ...r }] });
    expect(cli(bad({}))).not.toThrow();
    expect(cli(bad({ version: '1.x' }))).toThrow(/^--requires: requires\[1\]\.version: expected a numeric dotted version/);
    expect(cli(bad({ test: 'gte' as 'ge' }))).toThrow(/^--requires: requires\[1\]\.test: expected one of eq ne lt gt le ge/);
    expect(cli(bad({ originator: 'a:b' }))).toThrow(/^--requires: requires\[1\]\.originator: /);
    // xs is fine as the originator of a requirement.
    expect(cli(bad({ originator: 'xs' }))).not.toThrow();
  });

  it('names fields through a function, e.g. for a manifest', () => {
    const where = manifestFieldNamer('suppack.json', 'pack', { description: 'text', originator: 'vendorCode', requires: 'dependsOn' });
    expect(() => validateLegacyRepository(good({ description: 'x'.repeat(40) }), where)).toThrow(/^suppack\.json: pack\.text: /);
    expect(() => validateLegacyRepository(good({ originator: 'xs' }), where)).toThrow(/^suppack\.json: pack\.vendorCode: /);
    expect(() => validateLegacyRepository(good({ requires: [{ originator: 'a', name: 'b', test: 'eq', version: 'x' }] }), where)).toThrow(
      /^suppack\.json: pack\.dependsOn\[0\]\.version: /,
    );
    try {
      validateLegacyRepository(good({ version: 'v1' }), (f) => ({ file: 'F', field: `<${f}>` }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SuppackError);
      expect((e as SuppackError).file).toBe('F');
      expect((e as SuppackError).field).toBe('<version>');
    }
  });
});

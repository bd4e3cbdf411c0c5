/**
 * Flags read from the schemas (cli/flags.ts, schemas/cli-flags.ts): each field's flag is declared
 * once, on the field, and the parser, the usage, the schema input and the error names follow.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cliFlags, integerFlag } from '../schemas/cli-flags';
import { legacyPackSchema } from '../schemas/legacy-pack';
import { updatePackSchema } from '../schemas/update-pack';
import { UsageError } from './args';
import { usage as packUsage } from './build-supplemental-pack';
import { usage as updateUsage } from './build-update';
import { commandFlags } from './flags';

/** An RPM the repository keeps (examples/legacy-pack), sound for any host. */
const FIXTURE_RPM = join(__dirname, '../examples/legacy-pack/rpms/example-hello-1.0-1.noarch.rpm');
const PACK = ['--vendor-code=acme', '--vendor-name=Acme', '--label=acme-nic', '--text=Acme NIC', '--version=1.0', '--product-version=7.0.0'];
const legacy = commandFlags({ schema: legacyPackSchema, gone: { 'repo-data': { takesValue: true, message: 'use --requires' } } });

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('commandFlags over legacyPackSchema', () => {
  it('fills the schema from the flags, the defaults from the schema', () => {
    const p = legacy.parse([...PACK, '--mem=20', '--homogeneous', '--xcp', 'a.rpm']);
    expect(p.positionals).toEqual(['a.rpm']);
    expect(p.parse()).toMatchObject({ vendorCode: 'acme', memoryMb: 20, homogeneous: true, product: 'XCP', baseRequires: true, reorder: true, requires: [] });
    expect(legacy.parse(PACK).parse()).toMatchObject({ homogeneous: false, product: 'XenServer' });
  });

  it('switches of both senses, repeatable parsed values, and a value that sets a field to false', () => {
    expect(legacy.parse([...PACK, '--noreorder', '--no-base-requires']).parse()).toMatchObject({ reorder: false, baseRequires: false });
    expect(legacy.parse([...PACK, '--reorder']).parse()).toMatchObject({ reorder: true });
    expect(thrown(() => legacy.parse([...PACK, '--reorder', '--noreorder']))).toEqual(new UsageError('--reorder and --noreorder: give one of them'));
    const p = legacy.parse([...PACK, '--requires=acme:base ge 1.2', '--requires', 'acme:fw eq 2.0']).parse();
    expect(p.requires).toEqual([
      { originator: 'acme', name: 'base', test: 'ge', version: '1.2' },
      { originator: 'acme', name: 'fw', test: 'eq', version: '2.0' },
    ]);
  });

  it('names the flag the user typed in every error', () => {
    expect(thrown(() => legacy.parse([...PACK, '--mem=lots'])).message).toBe('--mem: expected an integer, got "lots"');
    expect(thrown(() => legacy.parse([...PACK, '--requires=acme']).parse()).message).toMatch(/^--requires: expected "ORIGINATOR:NAME TEST VERSION"/);
    expect(thrown(() => legacy.parse([...PACK.filter((f) => !f.startsWith('--text')), '--text=' + 'x'.repeat(33)]).parse()).message).toMatch(/^--text: expected at most 32 characters/);
    expect(thrown(() => legacy.parse(PACK.filter((f) => !f.startsWith('--label'))).parse()).message).toMatch(/^--label: required/);
    expect(thrown(() => legacy.parse([...PACK, '--repo-data=x']))).toEqual(new UsageError('--repo-data: use --requires'));
    expect(thrown(() => legacy.parse([...PACK, '--vendor']))).toBeInstanceOf(UsageError);
  });
});

describe('commandFlags over updatePackSchema', () => {
  const update = commandFlags({ schema: updatePackSchema });
  const UPDATE = ['--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', '-l', 'acme', '-v', '1.0.0'];

  it('comma lists, short flags and an alias', () => {
    const p = update.parse([...UPDATE, '--text=Acme update', '--rollups= 1a2b3c4d-0000-4000-8000-000000000001 ,1a2b3c4d-0000-4000-8000-000000000002', '--after-apply=restartXAPI']).parse();
    expect(p).toMatchObject({ label: 'acme', version: '1.0.0', description: 'Acme update', afterApply: ['restartXAPI'] });
    expect(p.rollups).toEqual(['1a2b3c4d-0000-4000-8000-000000000001', '1a2b3c4d-0000-4000-8000-000000000002']);
    expect(thrown(() => update.parse([...UPDATE, '-d', 'a', '--text=b']))).toEqual(new UsageError('--description and --text: give one of them'));
  });

  it("names a list item by its place in the flag's value", () => {
    const e = thrown(() => update.parse([...UPDATE, '-d', 'x', '--rollups=6854ab19-f807-4444-b94f-3ce7d64efe51,nope']).parse());
    expect(e.message).toMatch(/^--rollups \(item 2\): /);
  });
});

describe('the usage is generated from the same declarations', () => {
  it('lists every flag of the schema once, with its text', () => {
    for (const [schema, text] of [
      [legacyPackSchema, packUsage],
      [updatePackSchema, updateUsage],
    ] as const) {
      for (const field of Object.values(schema.shape)) {
        const m = cliFlags.get(field as z.ZodType);
        if (m === undefined) continue;
        const line = text.split('\n').filter((l) => new RegExp(`^  (-., )?--${m.flag}[= ]`).test(l));
        expect(line, m.flag).toHaveLength(1);
        expect(line[0]).toContain(m.help.split('\n')[0]);
      }
    }
    expect(packUsage).toMatch(/\n {2}--reorder {15}install RPMs in dependency order \(default\)\n {2}--noreorder {13}install RPMs in the order given\n/);
  });

  it("the synopsis names every flag of the section Required, as its line below does, and wraps before column 100", () => {
    for (const text of [packUsage, updateUsage]) {
      const synopsis = text.slice(0, text.indexOf('\n\n'));
      const section = text.slice(text.indexOf('\nRequired:\n') + 11).split('\n');
      const lines = section.slice(0, section.findIndex((l) => !l.startsWith(' ')));
      const required = lines.map((l) => /^ {2}(?:-., )?(--[a-z-]+(?:=\S+)?)/.exec(l)?.[1]).filter((f) => f !== undefined);
      expect(required.length).toBeGreaterThan(4);
      expect(synopsis.match(/--[a-z-]+(=\S+)?/g)).toEqual(required);
      expect(synopsis).toMatch(/ \[options\] RPM\.\.\.$/);
      for (const line of synopsis.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    }
    const flags = commandFlags({ before: [{ flag: 'a', arg: 'A', section: 'Required', help: 'a' }], after: [{ flag: 'b', arg: 'B', help: 'b' }] });
    expect(flags.synopsis('x', 'FILE')).toBe('Usage: suppack x --a=A [options] FILE');
  });

  it('a new field with a flag is a new option: parsed, checked and listed, with no other edit', () => {
    const schema = z.object({
      name: z.string().register(cliFlags, { flag: 'name', arg: 'NAME', section: 'Required', help: 'the name' }),
      count: z.number().int().max(9).optional().register(cliFlags, { flag: 'count', arg: 'N', parse: integerFlag, help: 'how many,\nat most 9' }),
      hidden: z.string().optional(),
    });
    const flags = commandFlags({ schema, after: [{ flag: 'help', short: 'h', help: 'show this help' }] });
    expect(flags.usage()).toBe('Required:\n  --name=NAME             the name\nOptions:\n  --count=N               how many,\n                          at most 9\n  -h, --help              show this help');
    expect(flags.parse(['--name=x', '--count=3']).parse()).toEqual({ name: 'x', count: 3 });
    expect(thrown(() => flags.parse(['--name=x', '--count=12']).parse()).message).toMatch(/^--count: /);
    expect(thrown(() => flags.parse(['--hidden=x']))).toBeInstanceOf(UsageError);
    expect(flags.parse(['-h']).own.help).toBe(true);
  });
});

describe('through the suppack command (the build, dist/)', () => {
  const CLI = join(__dirname, '../dist/cli/main.js');
  const run = (...argv: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8' });
    return { code: r.status, err: r.stderr };
  };

  it('a usage mistake exits 2, a bad value 1, each naming the flag', () => {
    expect(existsSync(CLI), 'run npm run build first').toBe(true);
    const usageError = run('build-supplemental-pack', '--output=/nonexistent', ...PACK, '--reorder', '--noreorder', 'a.rpm');
    expect(usageError.code).toBe(2);
    expect(usageError.err).toMatch(/^suppack build-supplemental-pack: --reorder and --noreorder: give one of them\n/);
    const badValue = run('build-supplemental-pack', '--output=/nonexistent', ...PACK, '--mem=-1', 'a.rpm');
    expect(badValue.code).toBe(1);
    expect(badValue.err).toBe('suppack: error: --mem: expected an integer, got "-1"\n');
    const key = run('build-update', '-o', '/nonexistent', '-k', 'someone', '--uuid=6854ab19-f807-4444-b94f-3ce7d64efe50', '-l', 'a', '-v', '1', '-d', 'x', 'a.rpm');
    expect(key.code).toBe(2);
    expect(key.err).toMatch(/^suppack build-update: --key: signing also needs --keyfile/);
  });

  // found by the argv fuzz kind (testing/fuzz/argv.ts)
  it('every problem of the flags is a "suppack: error:" line of its own', () => {
    const r = run('build-supplemental-pack', '--output=/nonexistent', '--vendor-code=acme', '--label=.', '--text=x', '--version=1.0', 'a.rpm');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'suppack: error: --vendor-name: required, expected the vendor name\n' +
        'suppack: error: --label: expected letters, digits, ".", "_" or "-" only, not "." or ".." (it becomes a directory name on the host)\n',
    );
  });

  it('a refused build leaves no output directory it made (found by the argv fuzz kind)', () => {
    const root = mkdtempSync(join(tmpdir(), 'suppack-refused-'));
    try {
      const r = run('build-supplemental-pack', `--output=${join(root, 'new/out')}`, '--vendor-code=acme', '--vendor-name=Acme', `--label=${'x'.repeat(201)}`, '--text=x', '--version=1.0', '--product-version=8.2.0', FIXTURE_RPM);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(/cannot write output: its name has 205 bytes/);
      expect(readdirSync(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a command or option name holding control characters is shown escaped, on one line', () => {
    const command = run('comb\nine-packs');
    expect(command.code).toBe(2);
    expect(command.err.split('\n')[0]).toMatch(/^suppack: unknown command "comb\\nine-packs" \(expected one of: /);
    const option = run('inspect', '--x\x1b[2Jy', 'a.iso');
    expect(option.code).toBe(2);
    expect(option.err).toBe('suppack inspect: unknown option --x\\x1b[2Jy\nRun "suppack inspect --help" for usage.\n');
  });
});

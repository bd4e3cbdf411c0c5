/**
 * A command's flags, read from its schema: every field with a `cliFlags` entry
 * (schemas/cli-flags.ts) is a flag. From that one declaration come the parser's options, the
 * usage lines, the input handed to the schema and the flag each schema error names. The command
 * adds only the flags that are not fields of the schema (where to write, signing, --help).
 */
import type { z } from 'zod';
import type { CliFlag } from '../schemas/cli-flags';
import { parseCommandLine, UsageError, type OptionSpec } from './args';

// zod and the schema helpers are loaded only by a command that has a schema (or parses with
// one): a command without one (rebuild-iso) starts its work ~0.1 s sooner. Types stay static.
/* eslint-disable @typescript-eslint/no-require-imports */
const schemaHelpers = () => ({
  cliFlags: (require('../schemas/cli-flags') as typeof import('../schemas/cli-flags')).cliFlags,
  parseWithSchema: (require('../schemas/parse') as typeof import('../schemas/parse')).parseWithSchema,
  z: (require('zod') as typeof import('zod')).z,
});
/* eslint-enable @typescript-eslint/no-require-imports */

type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

export interface CommandSpec<S extends z.ZodObject> {
  /** The schema the flags fill (none: a command whose flags are all its own). */
  schema?: S;
  /** The command's own flags (no schema field), listed before the schema's. */
  before?: CliFlag[];
  /** The same, listed after the schema's (--help last). */
  after?: CliFlag[];
  /** Flags that are gone, with what to use instead: accepted by the parser, then refused with the message. */
  gone?: Record<string, { takesValue: boolean; message: string }>;
  /** The order of the usage sections (others follow in order of appearance). */
  sections?: string[];
  /** The section of a flag that names none (default "Options"; '' lists them under no heading). */
  defaultSection?: string;
  /** The column the usage text starts at (default 26). */
  helpColumn?: number;
}

export interface ParsedFlags<S extends z.ZodObject> {
  /** The values of the command's own flags, by flag name. */
  own: Values;
  positionals: string[];
  /** The schema fields given on the command line, converted, before the schema checks them. */
  fields: Readonly<Record<string, unknown>>;
  /** The schema's value: given flags converted, the rest from the schema's defaults. */
  parse(extra?: Record<string, unknown>): z.output<S>;
}

export interface CommandFlags<S extends z.ZodObject> {
  /** The usage's option sections, one line per flag (`  -l, --label=LABEL   text`). */
  usage(): string;
  parse(argv: string[]): ParsedFlags<S>;
  /** `--vendor-code` for the field `vendorCode`. */
  flagOf(field: string): string;
}

interface Field {
  key: string;
  meta: CliFlag;
}

const HELP_COLUMN = 26;
export function commandFlags<S extends z.ZodObject>(spec: CommandSpec<S>): CommandFlags<S> {
  const fields: Field[] = [];
  if (spec.schema !== undefined) {
    const { cliFlags } = schemaHelpers();
    for (const [key, schema] of Object.entries(spec.schema.shape)) {
      const meta = cliFlags.get(schema as z.ZodType);
      if (meta !== undefined) fields.push({ key, meta });
    }
  }
  const own = [...(spec.before ?? []), ...(spec.after ?? [])];
  const listed = [...(spec.before ?? []), ...fields.map((f) => f.meta), ...(spec.after ?? [])];

  const options: OptionSpec = {};
  const add = (flag: string, takesValue: boolean, repeat = false, short?: string) => {
    if (options[flag] !== undefined) throw new Error(`internal error: the flag --${flag} is declared twice`);
    options[flag] = { type: takesValue ? 'string' : 'boolean', ...(repeat ? { multiple: true } : {}), ...(short ? { short } : {}) };
  };
  for (const m of listed) {
    add(m.flag, m.arg !== undefined, m.repeat, m.short);
    for (const a of m.aliases ?? []) add(a, m.arg !== undefined, m.repeat);
    if (m.opposite) add(m.opposite.flag, false);
  }
  for (const [flag, g] of Object.entries(spec.gone ?? {})) add(flag, g.takesValue);

  const flagOfField = new Map(fields.map((f) => [f.key, f.meta]));

  return {
    flagOf: (field) => `--${flagOfField.get(field)?.flag ?? field}`,
    usage() {
      const sections = new Map<string, string[]>();
      for (const name of spec.sections ?? []) sections.set(name, []);
      for (const m of listed) {
        const section = m.section ?? spec.defaultSection ?? 'Options';
        const lines = sections.get(section) ?? [];
        sections.set(section, lines);
        lines.push(...usageLines(m, spec.helpColumn));
        if (m.opposite) lines.push(...usageLines({ flag: m.opposite.flag, help: m.opposite.help }, spec.helpColumn));
      }
      return [...sections]
        .filter(([, lines]) => lines.length > 0)
        .map(([name, lines]) => (name === '' ? lines.join('\n') : `${name}:\n${lines.join('\n')}`))
        .join('\n');
    },

    parse(argv) {
      const { values, positionals } = parseCommandLine(argv, options) as { values: Values; positionals: string[] };
      for (const [flag, g] of Object.entries(spec.gone ?? {})) {
        if (values[flag] !== undefined) throw new UsageError(`--${flag}: ${g.message}`);
      }
      const ownValues: Values = {};
      for (const m of own) ownValues[m.flag] = given(values, m);
      const input: Record<string, unknown> = {};
      for (const { key, meta } of fields) {
        const v = fieldInput(values, meta);
        if (v !== undefined) input[key] = v;
      }
      return {
        own: ownValues,
        positionals,
        fields: input,
        parse: (extra = {}) =>
          schemaHelpers().parseWithSchema(spec.schema ?? (schemaHelpers().z.object({}) as unknown as S), { ...input, ...extra }, {
            field: (path) => {
              const m = flagOfField.get(String(path[0]));
              if (m === undefined) return path.map(String).join('.');
              if (path.length === 1) return `--${m.flag}`;
              // A list's or repeated flag's nth value, or the key of a map (`--ignore RULE`).
              return typeof path[1] === 'number' ? `--${m.flag} (item ${path[1] + 1})` : `--${m.flag} ${path.slice(1).map(String).join(' ')}`;
            },
          }) as z.output<S>,
      };
    },
  };
}

function usageLines(m: Pick<CliFlag, 'flag' | 'short' | 'arg' | 'help'>, column = HELP_COLUMN): string[] {
  const left = `  ${m.short ? `-${m.short}, ` : ''}--${m.flag}${m.arg !== undefined ? `=${m.arg}` : ''}`;
  const [first, ...more] = m.help.split('\n');
  return [`${left.length >= column - 1 ? `${left} ` : left.padEnd(column)}${first}`, ...more.map((l) => `${' '.repeat(column)}${l}`)];
}

/** The value of flag `m` or of one of its aliases (two of them given: a usage error). */
function given(values: Values, m: CliFlag): Values[string] {
  const names = [m.flag, ...(m.aliases ?? [])].filter((n) => values[n] !== undefined);
  if (names.length > 1) throw new UsageError(`${names.map((n) => `--${n}`).join(' and ')}: give one of them`);
  return names.length === 1 ? values[names[0]] : undefined;
}

/** The schema input of a field from its flag's value(s); undefined when not given (the schema's default applies). */
function fieldInput(values: Values, m: CliFlag): unknown {
  if (m.arg === undefined) {
    const on = values[m.flag] !== undefined;
    const off = m.opposite !== undefined && values[m.opposite.flag] !== undefined;
    if (on && off) throw new UsageError(`--${m.flag} and --${m.opposite!.flag}: give one of them`);
    if (on) return m.value ?? true;
    if (off) return !(m.value ?? true);
    return undefined;
  }
  const v = given(values, m);
  if (v === undefined) return undefined;
  const texts = (Array.isArray(v) ? v : [v]).map(String);
  const items = m.list ? texts.flatMap((t) => t.split(',').map((s) => s.trim())) : texts;
  const parsed = m.parse ? items.map((t) => m.parse!(t, `--${m.flag}`)) : items;
  if (m.combine) return m.combine(parsed);
  return m.list || m.repeat ? parsed : parsed[0];
}

/**
 * A command's flags, read from its schema: every field with a `cliFlags` entry
 * (schemas/cli-flags.ts) is a flag. From that one declaration come the parser's options, the
 * usage lines, the input handed to the schema and the flag each schema error names. The command
 * adds only the flags that are not fields of the schema (where to write, signing, --help).
 */
import { z } from 'zod';
import { cliFlags, type CliFlag } from '../schemas/cli-flags';
import { parseWithSchema } from '../schemas/parse';
import { UsageError } from './args';
import { flagParser, given, type FlagsSpec, type Values } from './own-flags';

export interface CommandSpec<S extends z.ZodObject> extends FlagsSpec {
  /** The schema the flags fill (none: a command whose flags are all its own, see cli/own-flags.ts). */
  schema?: S;
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
  /** `Usage: suppack <command> --a=A ... [options] <operands>`: the flags of the section "Required". */
  synopsis(command: string, operands: string): string;
  parse(argv: string[]): ParsedFlags<S>;
  /** `--vendor-code` for the field `vendorCode`. */
  flagOf(field: string): string;
}

interface Field {
  key: string;
  meta: CliFlag;
}

const NO_FIELDS = z.object({});

export function commandFlags<S extends z.ZodObject>(spec: CommandSpec<S>): CommandFlags<S> {
  const fields: Field[] = [];
  for (const [key, schema] of Object.entries(spec.schema?.shape ?? {})) {
    const meta = cliFlags.get(schema as z.ZodType);
    if (meta !== undefined) fields.push({ key, meta });
  }
  const parser = flagParser(spec, fields.map((f) => f.meta));
  const flagOfField = new Map(fields.map((f) => [f.key, f.meta]));

  return {
    flagOf: (field) => `--${flagOfField.get(field)?.flag ?? field}`,
    usage: () => parser.usage(),
    synopsis: (command, operands) => parser.synopsis(command, operands),
    parse(argv) {
      const { values, own, positionals } = parser.parse(argv);
      const input: Record<string, unknown> = {};
      for (const { key, meta } of fields) {
        const v = fieldInput(values, meta);
        if (v !== undefined) input[key] = v;
      }
      return {
        own,
        positionals,
        fields: input,
        parse: (extra = {}) =>
          parseWithSchema(spec.schema ?? (NO_FIELDS as unknown as S), { ...input, ...extra }, {
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

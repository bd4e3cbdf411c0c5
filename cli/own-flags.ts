/**
 * A command's own flags (no schema): the parser's options, the usage lines and the values, with
 * no zod loaded, so that a command without a schema (rebuild-iso) starts its work sooner. The
 * flags of a schema's fields are added by cli/flags.ts, which builds on this.
 */
import type { CliFlag } from '../schemas/cli-flags';
import { parseCommandLine, UsageError, type OptionSpec } from './args';

export type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

export interface FlagsSpec {
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

export interface FlagParser {
  /** The usage's option sections, one line per flag (`  -l, --label=LABEL   text`). */
  usage(): string;
  /** `Usage: suppack <command> --a=A ... [options] <operands>`: the flags of the section "Required", wrapped. */
  synopsis(command: string, operands: string): string;
  /** Every flag's value by flag name (`values`), the command's own ones (`own`) and the positionals. */
  parse(argv: string[]): { values: Values; own: Values; positionals: string[] };
}

const HELP_COLUMN = 26;
/** The synopsis is wrapped before this column, its next lines indented under the command. */
const SYNOPSIS_WIDTH = 100;
const SYNOPSIS_INDENT = '         ';

/** The parser of the command's own flags and of `fieldFlags` (a schema's, listed between them). */
export function flagParser(spec: FlagsSpec, fieldFlags: readonly CliFlag[] = []): FlagParser {
  const own = [...(spec.before ?? []), ...(spec.after ?? [])];
  const listed = [...(spec.before ?? []), ...fieldFlags, ...(spec.after ?? [])];
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

  return {
    synopsis(command, operands) {
      const required = listed.filter((m) => (m.section ?? spec.defaultSection ?? 'Options') === 'Required');
      const words = [...required.map((m) => `--${m.flag}${m.arg !== undefined ? `=${m.arg}` : ''}`), '[options]', operands];
      const lines = [`Usage: suppack ${command}`];
      for (const word of words) {
        const last = lines.length - 1;
        if (`${lines[last]} ${word}`.length > SYNOPSIS_WIDTH) lines.push(`${SYNOPSIS_INDENT}${word}`);
        else lines[last] = `${lines[last]} ${word}`;
      }
      return lines.join('\n');
    },
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
      return { values, own: ownValues, positionals };
    },
  };
}

function usageLines(m: Pick<CliFlag, 'flag' | 'short' | 'arg' | 'help'>, column = HELP_COLUMN): string[] {
  const left = `  ${m.short ? `-${m.short}, ` : ''}--${m.flag}${m.arg !== undefined ? `=${m.arg}` : ''}`;
  const [first, ...more] = m.help.split('\n');
  return [`${left.length >= column - 1 ? `${left} ` : left.padEnd(column)}${first}`, ...more.map((l) => `${' '.repeat(column)}${l}`)];
}

/** The value of flag `m` or of one of its aliases (two of them given: a usage error). */
export function given(values: Values, m: CliFlag): Values[string] {
  const names = [m.flag, ...(m.aliases ?? [])].filter((n) => values[n] !== undefined);
  if (names.length > 1) throw new UsageError(`${names.map((n) => `--${n}`).join(' and ')}: give one of them`);
  return names.length === 1 ? values[names[0]] : undefined;
}

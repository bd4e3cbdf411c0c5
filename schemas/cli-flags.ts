import { z } from 'zod';
import { SuppackError } from '../core/base/errors';

/**
 * How a schema field is set from the `suppack` command line: its flag, declared on the field
 * itself (`.register(cliFlags, { flag: 'vendor-code', ... })`), so adding an option to a command is
 * one edit. cli/flags.ts reads these to build the parser, the usage text, the input handed to the
 * schema and the flag each error names. The registry is our own: JSON Schemas generated from the
 * schemas do not carry it.
 */
export interface CliFlag {
  /** The flag without dashes: `vendor-code` for `--vendor-code`. */
  flag: string;
  /** A one-letter alias: `l` for `-l`. */
  short?: string;
  /** The value's name in the usage (`CODE`); none: a switch that takes no value. */
  arg?: string;
  /** The usage text; `\n` starts a continuation line. */
  help: string;
  /** The usage section it is listed under (default "Options"). */
  section?: string;
  /** A switch: the value the field gets when it is given (default true). */
  value?: unknown;
  /** A switch of the opposite sense that is accepted too (`reorder` beside `noreorder`), with its usage text. */
  opposite?: { flag: string; help: string };
  /** Other flag names accepted for the same field (`text` for `--description`). */
  aliases?: string[];
  /** The value is a comma-separated list (blanks around commas are forgiven). */
  list?: boolean;
  /** The flag may be given more than once: the field gets every value, in order. */
  repeat?: boolean;
  /** Turns the text of one value into the field's input; the schema then checks it. */
  parse?: (text: string, flag: string) => unknown;
  /** A repeatable flag: makes the field's input of every (parsed) value (default: the list of them). */
  combine?: (values: unknown[]) => unknown;
}

export const cliFlags = z.registry<CliFlag>();

/** `--mem=20` → 20: digits only, else a one-line error naming the flag. */
export function integerFlag(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new SuppackError(`expected an integer, got ${JSON.stringify(text)}`, { field: flag });
  return Number(text);
}

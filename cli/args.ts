/** Argument parsing for the CLI: node:util parseArgs with one-line errors for users. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parseCommandLine(args: string[], options: OptionSpec) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
        const m = /'(-{1,2}[^']+)'/.exec(err.message);
        throw new UsageError(`unknown option ${m ? m[1] : ''}`.trim());
      }
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const m = /'(-{1,2}[^' ]+)/.exec(err.message);
        const flag = m ? m[1] : 'an option';
        throw new UsageError(
          /does not take an argument/.test(err.message) ? `${flag} takes no value` : `${flag} needs a value`,
        );
      }
      default:
        throw new UsageError(err.message.split('\n')[0]);
    }
  }
}

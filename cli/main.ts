#!/usr/bin/env node
/**
 * The `suppack` command. Every user error is one line on stderr (a line per problem when several
 * are found at once) and a non-zero exit: 2 for a usage mistake, 1 for anything else. No stack traces unless SUPPACK_DEBUG is set.
 */
import * as nodeModule from 'node:module';
import { UsageError } from './args';
import { packageVersion } from './version';

type Command = (argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<number>;

// Each command's module is loaded when it runs: startup stays short (the schemas and the
// other pipelines are not built for a command that does not use them).
/* eslint-disable @typescript-eslint/no-require-imports */
const commands: Record<string, () => Command> = {
  'build-supplemental-pack': () => (require('./build-supplemental-pack') as typeof import('./build-supplemental-pack')).buildSupplementalPackCommand,
  'build-update': () => (require('./build-update') as typeof import('./build-update')).buildUpdateCommand,
  'combine-packs': () => (require('./combine-packs') as typeof import('./combine-packs')).combinePacksCommand,
  'rebuild-iso': () => (require('./rebuild-iso') as typeof import('./rebuild-iso')).rebuildIsoCommand,
  lint: () => (require('./lint') as typeof import('./lint')).lintCommand,
  inspect: () => (require('./inspect') as typeof import('./inspect')).inspectCommand,
  verify: () => (require('./inspect') as typeof import('./inspect')).verifyCommand,
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const mainUsage = `Usage: suppack <command> [options]

Commands:
  build-supplemental-pack   build a legacy supplemental pack ISO from RPMs (the DDK's flags)
  build-update              build an update ISO or driver disk from RPMs (build-update's flags)
  combine-packs PACK.iso... combine legacy packs into one ISO (XS-REPOSITORY-LIST)
  rebuild-iso INSTALLER.iso add packs, an answerfile and files to an installation ISO
  lint PACK.iso | RPM...    check a pack against the DDK guide's rules (docs/lint.md)
  inspect ISO               print a pack's, a combined pack's or an installer ISO's metadata
  verify ISO                check every package's digest like the installer does

Run "suppack <command> --help" for a command's options.`;

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    out.write(`${mainUsage}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    out.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  try {
    if (!command) throw new UsageError(`unknown command "${name}" (expected one of: ${Object.keys(commands).join(', ')})`);
    return await command()(rest, out, err);
  } catch (e) {
    if (e instanceof UsageError) {
      // what the user typed is shown with its control characters escaped: one line, whatever it held
      // (the core is loaded for it only here, as for the errors below)
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { printableLine } = require('../core') as typeof import('../core');
      err.write(`suppack${command ? ` ${name}` : ''}: ${printableLine(e.message)}\nRun "suppack ${command ? `${name} ` : ''}--help" for usage.\n`);
      return 2;
    }
    // The core is loaded here only now: a command loads what it needs, and rebuild-iso starts
    // copying before the rest of the core is loaded (core/installer.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if ((require('../core') as typeof import('../core')).isSuppackError(e)) {
      // Several problems (a command line's flags, checked all at once) are a line each, every
      // one "suppack: error: ...", so that each reads alone, as grep and CI logs show it.
      err.write(e.message.split('\n').map((line) => `suppack: error: ${line}\n`).join(''));
      return 1;
    }
    if (process.env.SUPPACK_DEBUG) throw e;
    const what = e instanceof Error ? e.message.split('\n')[0] : String(e);
    err.write(`suppack: internal error: ${what} (set SUPPACK_DEBUG=1 for details, and please report it)\n`);
    return 1;
  }
}

if (require.main === module) {
  // Node >= 22.1 keeps compiled code of the modules loaded from here on (as tsc does); a no-op on Node 20.
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

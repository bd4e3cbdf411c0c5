/**
 * A child process that dies with this one, even when this one is killed with SIGKILL
 * (docs/security.md, "Killed builds"). setpriv (util-linux) gives it a parent-death signal;
 * then a shell checks that its parent is still this process before it execs the command. Without
 * that check, a kill between the fork and setpriv's prctl(PR_SET_PDEATHSIG) left the command
 * running: the kill suite once found a cp copying on after rebuild-iso had been killed. The
 * command and its arguments reach the shell as positional parameters, never as code.
 */

import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The executable and arguments to spawn for `command args...`, bound to this process. */
export function boundToThisProcess(command: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', 'sh', '-c', PARENT_CHECK, String(process.pid), command, ...args] };
}

/** `sh -c` script: $0 is the parent's pid as this process knew it; $PPID is the shell's parent now. */
export const PARENT_CHECK = '[ "$PPID" = "$0" ] && exec "$@"';

/** Where a process finds commands when PATH is not set (libuv's and glibc's default). */
const DEFAULT_PATH = '/usr/bin:/bin';

/** The absolute path of `command` on PATH (as a shell would find it), or undefined. */
export function onPath(command: string, path: string | undefined = process.env.PATH): string | undefined {
  if (isAbsolute(command)) return command;
  for (const dir of (path ?? DEFAULT_PATH).split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `command args...` bound to this process where setpriv is found on PATH, as it is on any Linux
 * with util-linux; elsewhere the command itself (it then outlives a SIGKILL of this process).
 * `command` should be an absolute path found beforehand: a command the shell cannot find
 * would show as exit status 127, not as ENOENT.
 */
export function boundWherePossible(command: string, args: readonly string[], path: string | undefined = process.env.PATH): { file: string; args: string[] } {
  return onPath('setpriv', path) !== undefined ? boundToThisProcess(command, args) : { file: command, args: [...args] };
}

/**
 * `command args...` bound where possible, `command` looked up on `path` first; a command not
 * found is spawned as it is, so that spawn reports ENOENT and the caller names what to install.
 */
export function boundIfFound(command: string, args: readonly string[], path: string | undefined = process.env.PATH): { file: string; args: string[] } {
  const found = onPath(command, path);
  return found === undefined ? { file: command, args: [...args] } : boundWherePossible(found, args, path);
}

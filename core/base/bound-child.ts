/**
 * A child process that dies with this one, even when this one is killed with SIGKILL
 * (docs/security.md, "Killed builds"). setpriv (util-linux) gives it a parent-death signal;
 * then a shell checks that its parent is still this process before it execs the command. Without
 * that check, a kill between the fork and setpriv's prctl(PR_SET_PDEATHSIG) left the command
 * running: the kill suite once found a cp copying on after rebuild-iso had been killed. The
 * command and its arguments reach the shell as positional parameters, never as code.
 */

/** The executable and arguments to spawn for `command args...`, bound to this process. */
export function boundToThisProcess(command: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', 'sh', '-c', PARENT_CHECK, String(process.pid), command, ...args] };
}

/** `sh -c` script: $0 is the parent's pid as this process knew it; $PPID is the shell's parent now. */
export const PARENT_CHECK = '[ "$PPID" = "$0" ] && exec "$@"';

/**
 * Copy a large file the fastest way the machine offers. On Linux, `cp --reflink=auto` clones or
 * uses copy_file_range into a new file; Node's fs.copyFile makes the same copy_file_range call,
 * but libuv first truncates the new file to 0 bytes, which makes ext4 (auto_da_alloc) flush the
 * whole file when it is closed: about twice the time of cp for an installer ISO. So cp is used
 * when it exists and understands the flags, fs.copyFile otherwise (same bytes either way).
 *
 * The copy runs in the kernel or in a child process, so the caller's thread is free while it
 * runs: `startCopy` returns at once, and the caller prepares the rest of its output meanwhile.
 * The child dies with this process (bound-child.ts), so a killed build leaves no cp running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { boundToThisProcess } from './bound-child';

export interface RunningCopy {
  /** Resolves when `to` holds all of `from` (mode 0644); rejects with the reason it could not. */
  readonly done: Promise<void>;
  /** Bytes in `to` so far (a stat of it; 0 before it exists). */
  copied(): Promise<number>;
  /** Stop the copy and wait for it to stop; `to` is left for the caller to remove. */
  abort(): Promise<void>;
}

function runCp(from: string, to: string, onChild: (c: ChildProcess | null) => void): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  return new Promise((resolve) => {
    // cp dies with this process, even by SIGKILL, instead of copying on (issue 19 item 6;
    // bound-child.ts). Without setpriv (or without --pdeathsig) the spawn fails and
    // fs.copyFile copies, with no child at all.
    const bound = boundToThisProcess('cp', ['--reflink=auto', '--no-preserve=all', '--', from, to]);
    const child = spawn(bound.file, bound.args, { stdio: 'ignore' });
    onChild(child);
    child.on('error', () => resolve(false));
    child.on('close', (code) => {
      onChild(null);
      resolve(code === 0);
    });
  });
}

/** Start copying `from` to the new file `to` (which must not exist). */
export function startCopy(from: string, to: string): RunningCopy {
  let child: ChildProcess | null = null;
  let aborted = false;
  const done = (async () => {
    const ok = await runCp(from, to, (c) => (child = c));
    if (aborted) throw new Error('copy aborted');
    if (!ok) {
      await fsp.rm(to, { force: true });
      await fsp.copyFile(from, to, fsConstants.COPYFILE_FICLONE);
    }
    await fsp.chmod(to, 0o644);
  })();
  // The caller may abort or fail before it awaits `done`: never an unhandled rejection.
  done.catch(() => undefined);
  return {
    done,
    copied: () => fsp.stat(to).then((s) => s.size, () => 0),
    abort: async () => {
      aborted = true;
      const c = child as ChildProcess | null;
      if (c) c.kill('SIGKILL');
      await done.catch(() => undefined);
    },
  };
}

/** Copy `from` to the new file `to` (which must not exist); mode 0644. */
export async function copyLargeFile(from: string, to: string): Promise<void> {
  await startCopy(from, to).done;
}

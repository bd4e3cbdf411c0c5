/**
 * Test-only: the one way tests run an external tool (xorriso, isoinfo, rpm, mtools, cpio, gpg…):
 * `tool` returns stdout and throws with the command and its stderr when it fails; `toolResult`
 * returns the exit code and both streams for tests that expect a failure.
 */
import { spawnSync } from 'node:child_process';

export interface ToolOptions {
  input?: Buffer | string;
  cwd?: string;
  /** Added to process.env. */
  env?: NodeJS.ProcessEnv;
}

const MAX_BUFFER = 256 << 20;

export interface ToolResult<T extends Buffer | string> {
  code: number;
  stdout: T;
  stderr: T;
}

export function toolResult(cmd: string, args: readonly string[], o: ToolOptions & { encoding: 'utf8' | 'latin1' }): ToolResult<string>;
export function toolResult(cmd: string, args: readonly string[], o?: ToolOptions): ToolResult<Buffer>;
export function toolResult(cmd: string, args: readonly string[], o: ToolOptions & { encoding?: 'utf8' | 'latin1' } = {}): ToolResult<Buffer | string> {
  const r = spawnSync(cmd, args, {
    input: o.input,
    cwd: o.cwd,
    env: o.env === undefined ? process.env : { ...process.env, ...o.env },
    maxBuffer: MAX_BUFFER,
    ...(o.encoding ? { encoding: o.encoding } : {}),
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** stdout of `cmd args`; a non-zero exit throws with the command line and its stderr. */
export function tool(cmd: string, args: readonly string[], o: ToolOptions = {}): Buffer {
  const r = toolResult(cmd, args, o);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.toString()}`);
  return r.stdout;
}

/** Test-only helpers for write.test.ts: a chroot able to run /bin/sh scriptlets, and tool runners. */
import { tool } from '../../../testing/tools';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Runs a tool and returns stdout; throws with stderr when it exits non-zero. */
export function run(cmd: string, args: string[], input?: Buffer): string {
  return tool(cmd, args, { input }).toString();
}

/** Makes `root` an rpm root (rpmdb initialised) holding the host's /bin/sh and the shared libraries it needs. */
export function makeShellRoot(root: string): void {
  const sh = realpathSync('/bin/sh');
  const libs = execFileSync('ldd', [sh], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  for (const [src, dest] of [[sh, '/bin/sh'], ...libs.map((l) => [l, l])] as Array<[string, string]>) {
    mkdirSync(dirname(join(root, dest)), { recursive: true });
    copyFileSync(src, join(root, dest));
  }
  mkdirSync(join(root, 'tmp'), { recursive: true });
  run('rpm', ['--root', root, '--initdb']);
}

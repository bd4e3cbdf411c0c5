/**
 * The pack's install script (docs/formats/xenserver.md §1.8): one POSIX sh file, install.sh, that the legacy
 * builder writes onto every pack ISO under both names in INSTALL_SCRIPT_NAMES (mode 0755).
 * The build copies core/**\/*.sh next to the compiled JS, so the path below works from the
 * TypeScript sources (vitest) and from dist/.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withFileAsync } from '../../base/errors';

/** The names the script is stored under on the ISO: `./install` (2015+) and `./install.sh` (older hosts). */
export const INSTALL_SCRIPT_NAMES = ['install', 'install.sh'] as const;

export type InstallScriptName = (typeof INSTALL_SCRIPT_NAMES)[number];

/** Absolute path of install.sh at run time. */
export function installScriptPath(): string {
  return join(__dirname, 'install.sh');
}

/** The script's bytes, exactly as they go onto the ISO. */
export async function readInstallScript(): Promise<Buffer> {
  const path = installScriptPath();
  return withFileAsync(path, () => readFile(path));
}

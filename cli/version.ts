/** suppack's own version, from its package.json. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Our package.json sits one level up from cli/ in the sources and two levels up from dist/cli/. */
export function packageVersion(): string {
  for (const up of ['..', '../..']) {
    const p = join(__dirname, up, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'suppack') return pkg.version ?? 'unknown';
    }
  }
  return 'unknown';
}


/**
 * `suppack rebuild-iso` starts copying the installer ISO before it loads the rest of the core
 * (core/installer.ts): the command dispatcher and the rebuild-iso command load neither zod nor
 * core/index.ts. Checked on the build (dist/), as the `suppack` binary runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { DIST, loadedBy } from '../testing/loaded';

test('the dispatcher and the rebuild-iso command load neither zod nor all of the core', () => {
  expect(existsSync(join(DIST, 'cli/rebuild-iso.js')), 'run npm run build first').toBe(true);
  for (const entry of ['cli/main.js', 'cli/rebuild-iso.js']) {
    const loaded = loadedBy(entry);
    expect(loaded.filter((p) => p.includes('/node_modules/zod/')), entry).toEqual([]);
    expect(loaded.filter((p) => p.startsWith(join(DIST, 'core/index.js')) || p.startsWith(join(DIST, 'schemas/'))), entry).toEqual([]);
  }
  // A command with a schema still gets it.
  expect(loadedBy('cli/build-update.js').some((p) => p.includes('/node_modules/zod/'))).toBe(true);
});

// build-supplemental-pack loads the legacy pack's code (core/legacy-pack.ts), not the whole core.
test('build-supplemental-pack loads neither all of the core nor the other products', () => {
  const loaded = loadedBy('cli/build-supplemental-pack.js').map((p) => p.slice(DIST.length + 1));
  expect(loaded).toContain('core/products/legacy-pack/pack.js');
  expect(loaded.filter((p) => p === 'core/index.js' || /^core\/products\/(update-pack|installer-iso|lint|combined-pack|report)\//.test(p))).toEqual([]);
});

import { inject, test, expect } from 'vitest';
import { existsSync } from 'node:fs';

test('fixture RPMs are built by rpmbuild', () => {
  const rpms = inject('fixtureRpms');
  expect(Object.keys(rpms).sort()).toEqual([
    'acme-firmware', 'acme-modules', 'acme-tool', 'bad-userspace', 'cycle-a', 'cycle-b', 'hello-lib', 'kernel', 'many-files', 'old-host', 'xs-hello',
  ]);
  for (const p of Object.values(rpms)) expect(existsSync(p)).toBe(true);
});

import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { PROBE, PROBE_INIT, probeCpio } from './probe-initrd';

test('the probe cpio lists, as GNU cpio reads it, busybox, /init, the sh link and /dev/console', () => {
  const cpio = probeCpio(Buffer.from('not really busybox\n'), 946684800);
  const list = execFileSync('cpio', ['-itv', '--quiet'], { input: cpio, encoding: 'utf8' });
  expect(list).toMatch(/^-rwxr-xr-x\s+1 root\s+root\s+19 .* bin\/busybox$/m);
  expect(list).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/m);
  expect(list).toMatch(/^crw------- .* 5,\s*1 .* dev\/console$/m);
  expect(list).toMatch(/^-rwxr-xr-x .* init$/m);
  expect(list).toMatch(/^dr.* proc$/m);
  const init = execFileSync('cpio', ['-i', '--quiet', '--to-stdout', 'init'], { input: cpio, encoding: 'utf8' });
  expect(init).toBe(PROBE_INIT);
});

test('the probe prints every marker and powers off', () => {
  for (const m of Object.values(PROBE)) expect(PROBE_INIT).toContain(m.trim());
  expect(PROBE_INIT).toMatch(/^poweroff -f$/m);
  expect(PROBE_INIT).toMatch(/^echo "SUPPACK-PROBE CMDLINE: \$\(cat \/proc\/cmdline\)"$/m);
});

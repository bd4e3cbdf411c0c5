/**
 * Issue 12 item 3 through the gulp plugin: an RPM piped into supplementalPack() that the target
 * host's rpm cannot install is a PluginError naming the user's file (not its staged copy), the
 * feature and the host, and nothing is emitted. The fixture RPMs are made by Debian's rpmbuild
 * with its default sha256 file digests, which rpm 4.4.2.3 (XenServer 6.5) cannot check.
 */
import { basename } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { supplementalPack } from './index';
import { runPlugin, vinylOf } from './testing';

const rpms = inject('fixtureRpms');
const PACK = { vendorCode: 'acme', vendorName: 'Acme', label: 'acme-hello', text: 'Acme hello', version: '1.0' };

describe('supplementalPack() checks every RPM against the target host', () => {
  test('XenServer 6.5.0: a Debian-default RPM is refused, naming it, rpmlib(FileDigests) and the host; no output', async () => {
    const file = rpms['hello-lib']!;
    const { files, error } = await runPlugin(supplementalPack({ ...PACK, productVersion: '6.5.0' }), [vinylOf(file, 'buffer')]);
    expect(files).toEqual([]);
    expect(error?.message).toBe(
      `${file}: needs rpmlib(FileDigests), which rpm 4.4.2.3 of XenServer 6.5 lacks (rebuild with md5 file digests (_binary_filedigest_algorithm 1); suppack's build-rpms does this for you)`,
    );
  });

  test('XenServer 7.0.0: the same RPM makes a pack (rpm 4.11.3 checks sha256 digests)', async () => {
    const { files, error } = await runPlugin(supplementalPack({ ...PACK, productVersion: '7.0.0' }), [vinylOf(rpms['hello-lib']!, 'buffer')]);
    expect(error).toBeUndefined();
    expect(files.map((f) => basename(f.path))).toContain('acme-hello.iso');
  });
});

/**
 * An RPM going into a pack (build-supplemental-pack, build-update, collect-rpms, gulp): read once,
 * its digests checked like `rpm -K --nosignature` (digests.ts), its NAME, VERSION, RELEASE and
 * ARCH checked with rpmbuild's rules (identity.ts), and the whole file's digests computed on the way.
 */
import { stat } from 'node:fs/promises';
import { SuppackError, withFileAsync } from '../../base/errors';
import { readCheckedRpm, type CheckedRpm } from './digests';
import { checkRpmIdentity } from './identity';

/** A pack's ISO holds each file in one ISO 9660 extent: below 4 GiB (ECMA-119 9.1.4, 32-bit data length). */
export const MAX_PACK_FILE_BYTES = 0xffffffff - 1;

export async function readPackRpm(path: string, algorithms: readonly string[] = []): Promise<CheckedRpm> {
  // Refused before any byte is read (a 5 GiB RPM used to be hashed for seconds first).
  const { size } = await withFileAsync(path, () => stat(path));
  if (size > MAX_PACK_FILE_BYTES) {
    throw new SuppackError(`is ${size} bytes: a pack's ISO holds files of at most ${MAX_PACK_FILE_BYTES} bytes (one ISO 9660 extent, below 4 GiB)`, {
      file: path,
    });
  }
  const checked = await readCheckedRpm(path, algorithms);
  checkRpmIdentity(checked.info);
  return checked;
}

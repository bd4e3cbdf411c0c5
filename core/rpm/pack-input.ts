/**
 * An RPM going into a pack (build-supplemental-pack, build-update, collect-rpms, gulp): read once,
 * its digests checked like `rpm -K --nosignature` (digests.ts), its NAME, VERSION, RELEASE and
 * ARCH checked with rpmbuild's rules (identity.ts), and the whole file's digests computed on the way.
 */
import { readCheckedRpm, type CheckedRpm } from './digests';
import { checkRpmIdentity } from './identity';

export async function readPackRpm(path: string, algorithms: readonly string[] = []): Promise<CheckedRpm> {
  const checked = await readCheckedRpm(path, algorithms);
  checkRpmIdentity(checked.info);
  return checked;
}

/**
 * The update pack split into the two cached stages of a pack project (like legacy-pack-stages):
 * pack-metadata writes update.xml and the generated update-/control- RPMs from the collected
 * RPMs; build-iso checks them against the manifest and the RPMs, then signs and writes the ISO
 * and its `.sha256` — the same bytes `suppack build-update` writes for the same inputs.
 */
import { readInput } from '../../base/read-input';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { SuppackError, isNodeError, describeError } from '../../base/errors';
import { rpmFilesIn } from '../legacy-pack/stages';
import { replaceDir } from '../../base/output';
import { sha256File, updateIsoName, updatePackMetadata, writeUpdateIso, type UpdatePackFiles } from './pack';
import { UPDATE_XML } from '../../xenserver/update/update-xml';
import { loadUpdateSigning, type SigningSource } from '../../xenserver/update/signing';
import { checkSigningKeyForHost } from '../../xenserver/host-check';
import { UPDATE_HOSTS } from '../../xenserver/hosts';
import type { UpdatePack } from '../../../schemas/update-pack';

export interface UpdateStageInput {
  pack: UpdatePack;
  /** collect-rpms' output: the payload RPMs. */
  rpmsDir: string;
  files: UpdatePackFiles;
  epoch: number;
}

/** Replace `outDir` with update.xml and the generated RPMs. */
export async function writeUpdatePackMetadata(o: UpdateStageInput & { outDir: string }): Promise<void> {
  const rpms = (await rpmFilesIn(o.rpmsDir, 'collect-rpms')).map((n) => join(o.rpmsDir, n));
  const meta = await updatePackMetadata(o.pack, rpms, o.files, o.epoch);
  await replaceDir(o.outDir, async (tmp) => {
    await fsp.writeFile(join(tmp, UPDATE_XML), meta.updateXml, { mode: 0o644 });
    for (const g of meta.generated) await fsp.writeFile(join(tmp, g.fileName), g.bytes, { mode: 0o644 });
  });
}

export interface UpdateIsoStage extends UpdateStageInput {
  metadataDir: string;
  outDir: string;
  signing?: SigningSource;
  onProgress?: (p: { written: number; total: number }) => void;
}

/** Replace `outDir` with the ISO and its .sha256; returns the ISO's path. */
export async function buildUpdateIsoFromMetadata(o: UpdateIsoStage): Promise<{ iso: string; sha256: string }> {
  const payload = (await rpmFilesIn(o.rpmsDir, 'collect-rpms')).map((n) => join(o.rpmsDir, n));
  const meta = await updatePackMetadata(o.pack, payload, o.files, o.epoch);
  const stale = (file: string, what: string) =>
    new SuppackError(`${what}: stale metadata, run the pack-metadata target again`, { file: join(o.metadataDir, file) });
  const onDisk = await readOrMissing(join(o.metadataDir, UPDATE_XML));
  if (onDisk.toString('utf8') !== meta.updateXml) throw stale(UPDATE_XML, 'does not match the manifest and the collected RPMs');
  const generated: string[] = [];
  for (const g of meta.generated) {
    const path = join(o.metadataDir, g.fileName);
    if (!(await readOrMissing(path)).equals(g.bytes)) throw stale(g.fileName, 'differs from what the manifest gives');
    generated.push(path);
  }
  const signing = o.files.key !== undefined ? await loadUpdateSigning(o.files.key, o.signing) : undefined;
  if (signing && o.files.key !== undefined) checkSigningKeyForHost(signing.key, o.files.key, UPDATE_HOSTS);
  const isoName = updateIsoName(o.pack, meta.version);
  await replaceDir(o.outDir, async (tmp) => {
    const sha = await writeUpdateIso(
      {
        pack: o.pack,
        version: meta.version,
        updateXml: meta.updateXml,
        rpms: [...payload, ...generated],
        known: meta.known,
        ...(o.files.groupfile !== undefined ? { groupfile: o.files.groupfile } : {}),
        ...(signing ? { signing } : {}),
        epoch: o.epoch,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      },
      join(tmp, isoName),
    );
    await fsp.writeFile(join(tmp, `${isoName}.sha256`), sha256File(sha, isoName), { mode: 0o644 });
  });
  return { iso: join(o.outDir, isoName), sha256: join(o.outDir, `${isoName}.sha256`) };
}

function readOrMissing(path: string): Promise<Buffer> {
  return readInput(path, { missing: 'missing: expected the output of pack-metadata (run the pack-metadata target first)' });
}

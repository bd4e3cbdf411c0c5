/**
 * The stages that make a pack from its collected RPMs, in either format: pack-metadata
 * (XS-REPOSITORY and XS-PACKAGES, or update.xml and the update-/control- RPMs) and build-iso (the
 * legacy ISO and its md5 files, or the signed update ISO and its .sha256; the secret key comes
 * from SUPPACK_SIGNING_KEY, never from options), and bundle (the release zip).
 */
import { join, relative } from 'node:path';
import { buildBundle } from '../release-zip/bundle';
import { buildLegacyIsoFromMetadata, writeLegacyPackMetadata } from '../legacy-pack/stages';
import { progressPrinter } from '../../base/progress';
import { sourceDateEpoch } from '../../base/time';
import { buildUpdateIsoFromMetadata, writeUpdatePackMetadata } from '../update-pack/stages';
import type { UpdatePackFiles } from '../update-pack/pack';
import type { ProjectOf } from '../project';
import { defineStage } from '../stage';
import type { Manifest } from '../../../schemas/manifest';

export const packMetadataStage = defineStage('pack-metadata', async (p) => {
  const m = p.manifest;
  if (m.format === 'legacy') {
    await writeLegacyPackMetadata({ pack: m.pack, rpmsDir: p.dirs.rpms, outDir: p.dirs.metadata });
  } else {
    await writeUpdatePackMetadata({ pack: m.pack, rpmsDir: p.dirs.rpms, outDir: p.dirs.metadata, files: updatePackFiles(p, m.pack), epoch: sourceDateEpoch() });
  }
});

export const buildIsoStage = defineStage('build-iso', async (p, _options, env) => {
  const m = p.manifest;
  const epoch = sourceDateEpoch();
  const dirs = { metadataDir: p.dirs.metadata, rpmsDir: p.dirs.rpms, outDir: p.dirs.iso };
  const out =
    m.format === 'legacy'
      ? await buildLegacyIsoFromMetadata({ pack: m.pack, ...dirs, epoch, onProgress: progressPrinter(`${m.pack.label}.iso`) })
      : await buildUpdateIsoFromMetadata({ pack: m.pack, ...dirs, files: updatePackFiles(p, m.pack), epoch, onProgress: progressPrinter(`${m.pack.label} ISO`) });
  env.info(relative(p.workspaceRoot, out.iso));
});

export const bundleStage = defineStage('bundle', async (p, _options, env) => {
  const zip = await buildBundle({
    label: p.manifest.pack.label,
    isoDir: p.dirs.iso,
    sourcesDir: p.dirs.sources,
    outDir: p.dirs.bundle,
    epoch: sourceDateEpoch(),
    ...(p.manifest.format === 'update' ? { files: 'all' as const } : {}),
  });
  env.info(relative(p.workspaceRoot, zip));
});

/** The files an update pack names, resolved against the project directory. */
function updatePackFiles(p: ProjectOf<Manifest>, pack: { precheck?: string; remove?: string; key?: string; groupfile?: string }): UpdatePackFiles {
  const files: UpdatePackFiles = {};
  for (const k of ['precheck', 'remove', 'key', 'groupfile'] as const) {
    const rel = pack[k];
    if (rel !== undefined) files[k] = join(p.projectDir, rel);
  }
  return files;
}

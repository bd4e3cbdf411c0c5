/**
 * The stages that make a pack's RPMs: render-spec (templates → specs, core/products/rpms/render-spec.ts),
 * build-srctarballs (sources → tarballs, core/products/rpms/srctarball.ts), build-rpms (rpmbuild, after the
 * kernel-devel RPMs are extracted: core/products/rpms/rpmbuild.ts, core/products/rpms/kernel-devel.ts, in the
 * work directory of core/products/rpms/work-dir.ts) and collect-rpms
 * (built + prebuilt, each checked: core/products/rpms/collect.ts).
 */
import { collectRpms } from './collect';
import { prepareKernelTrees } from './kernel-devel';
import { buildRpms } from './rpmbuild';
import { withRpmbuildWorkDir } from './work-dir';
import { renderSpecs } from './render-spec';
import { buildSourceTarballs } from './srctarball';
import { sourceDateEpoch } from '../../base/time';
import { defineStage } from '../stage';

export const renderSpecStage = defineStage('render-spec', async (p) => {
  await renderSpecs({ manifest: p.manifest, projectDir: p.projectDir, outDir: p.dirs.specs, manifestFile: p.manifestFile });
});

export const buildSrcTarballsStage = defineStage('build-srctarballs', async (p) => {
  await buildSourceTarballs({ manifest: p.manifest, projectDir: p.projectDir, outDir: p.dirs.sources, epoch: sourceDateEpoch(), manifestFile: p.manifestFile });
});

export const buildRpmsStage = defineStage('build-rpms', async (p, options, env) => {
  const log = options.verbose ? (line: string) => env.info(line) : undefined;
  // dist/<project>/.rpmbuild, or a scratch directory when that path has characters rpm's scripts do not quote
  await withRpmbuildWorkDir(
    p.dirs.work,
    async (workDir) => {
      const manifest = await prepareKernelTrees(p.manifest, { baseDir: p.workspaceRoot, workDir, manifestFile: p.manifestFile, log });
      await buildRpms({
        manifest,
        specsDir: p.dirs.specs,
        sourcesDir: p.dirs.sources,
        outDir: p.dirs.built,
        workDir,
        epoch: sourceDateEpoch(),
        log,
        manifestFile: p.manifestFile,
      });
    },
    { log },
  );
});

export const collectRpmsStage = defineStage('collect-rpms', async (p, _options, env) => {
  await collectRpms({
    manifest: p.manifest,
    projectDir: p.projectDir,
    builtDir: p.dirs.built,
    outDir: p.dirs.rpms,
    manifestFile: p.manifestFile,
    hashedFiles: await env.hashedFiles(),
  });
});

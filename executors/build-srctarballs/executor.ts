/** build-srctarballs: the stage of core/products/rpms/stages.ts, run by Nx (executors/project.ts). */
import { buildSrcTarballsStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(buildSrcTarballsStage);

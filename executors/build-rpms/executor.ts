/** build-rpms: the stage of core/products/rpms/stages.ts, run by Nx (executors/project.ts). */
import { buildRpmsStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(buildRpmsStage);

/** collect-rpms: the stage of core/products/rpms/stages.ts, run by Nx (executors/project.ts). */
import { collectRpmsStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(collectRpmsStage);

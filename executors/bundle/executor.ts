/** bundle: the stage of core/products/pack/stages.ts, run by Nx (executors/project.ts). */
import { bundleStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(bundleStage);

/** lint: the stage of core/products/lint/stage.ts, run by Nx (executors/project.ts). */
import { lintProjectStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(lintProjectStage);

/** render-spec: the stage of core/products/rpms/stages.ts, run by Nx (executors/project.ts). */
import { renderSpecStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(renderSpecStage);

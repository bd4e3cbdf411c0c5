/** build-iso: the stage of core/products/pack/stages.ts, run by Nx (executors/project.ts). */
import { buildIsoStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(buildIsoStage);

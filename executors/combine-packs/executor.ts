/** combine-packs: the stage of core/products/combined-pack/stage.ts, run by Nx (executors/project.ts). */
import { combinePacksStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(combinePacksStage);

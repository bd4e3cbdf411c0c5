/** combine-packs: the stage of core/products/combined-pack/stage.ts, run by Nx (executors/project.ts). */
import { combinePacksStage } from '../../core/products/combined-pack/stage';
import { nxExecutor } from '../project';

export default nxExecutor(combinePacksStage);

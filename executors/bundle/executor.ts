/** bundle: the stage of core/products/pack/stages.ts, run by Nx (executors/project.ts). */
import { bundleStage } from '../../core/products/pack/stages';
import { nxExecutor } from '../project';

export default nxExecutor(bundleStage);

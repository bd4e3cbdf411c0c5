/** pack-metadata: the stage of core/products/pack/stages.ts, run by Nx (executors/project.ts). */
import { packMetadataStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(packMetadataStage);

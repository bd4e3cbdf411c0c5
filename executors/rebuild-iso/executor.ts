/** rebuild-iso: the stage of core/products/installer-iso/stage.ts, run by Nx (executors/project.ts). */
import { rebuildIsoStage } from '../../core';
import { nxExecutor } from '../project';

export default nxExecutor(rebuildIsoStage);

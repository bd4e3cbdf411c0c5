/**
 * invalid-project: every target of a project whose suppack.json is broken (plugin/create-nodes.ts)
 * fails here with the manifest's errors, so `nx run`, `run-many` and `affected` exit non-zero
 * naming the file rather than skipping the project.
 */
import { logger, type PromiseExecutor } from '@nx/devkit';
import type { InvalidProjectOptions } from '../../schemas/executors';

const executor: PromiseExecutor<InvalidProjectOptions> = async (options) => {
  const errors = Array.isArray(options?.errors) && options.errors.length > 0 ? options.errors : ['suppack.json is invalid'];
  for (const e of errors) logger.error(String(e));
  return { success: false };
};

export default executor;

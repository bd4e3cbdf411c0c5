import { z } from 'zod';

/** A path inside the project: relative (no leading "/"), never climbing out with "..". */
export const RELATIVE_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$)).+$/;

/** A string field holding a path relative to the project root; `what` names it in the error. */
export const relativePath = (what: string) =>
  z.string().regex(RELATIVE_PATH, { error: `expected ${what} relative to the project root, without ".."` });

/** A string field holding a path relative to the workspace root (the Nx workspace); `what` names it in the error. */
export const workspacePath = (what: string) =>
  z.string().regex(RELATIVE_PATH, { error: `expected ${what} relative to the workspace root, without ".."` });

/**
 * Test helpers for the executor suites: a hand-made ExecutorContext (no Nx daemon) and the Nx
 * logger captured around every test, with SOURCE_DATE_EPOCH set.
 */
import { logger, type ExecutorContext } from '@nx/devkit';
import { afterEach, beforeEach, vi, type MockInstance } from 'vitest';

/** The context Nx gives an executor: `roots` maps every project of the workspace to its root. */
export function executorContext(workspaceRoot: string, projectName: string, targetName: string, roots: Record<string, string>): ExecutorContext {
  return {
    root: workspaceRoot,
    cwd: workspaceRoot,
    isVerbose: false,
    projectName,
    targetName,
    projectsConfigurations: { version: 2, projects: Object.fromEntries(Object.entries(roots).map(([name, root]) => [name, { root }])) },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  };
}

/** Registers hooks that silence and record logger.error, logger.info and logger.warn in each test of the file. */
export function captureNxLogger(epoch: string) {
  let errors: MockInstance | undefined;
  let infos: MockInstance | undefined;
  let warns: MockInstance | undefined;
  beforeEach(() => {
    vi.stubEnv('SOURCE_DATE_EPOCH', epoch);
    errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    infos = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    warns = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  return {
    /** What the executors logged as errors in this test so far. */
    errors: () => (errors?.mock.calls ?? []).map((c) => String(c[0])),
    /** What they logged as info (the outputs they wrote). */
    infos: () => (infos?.mock.calls ?? []).map((c) => c[0] as unknown),
    clearInfos: () => infos?.mockClear(),
    /** What they logged as warnings. */
    warns: () => (warns?.mock.calls ?? []).map((c) => String(c[0])),
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildFixtureRpms, type FixtureRpms } from './rpms';

declare module 'vitest' {
  export interface ProvidedContext {
    fixtureRpms: FixtureRpms;
  }
}

/**
 * The run's temporary files all go into one directory, removed when the run ends: the suite makes
 * a few hundred (workspaces, packs, gpg homes), and tests that fail or are stopped leave theirs.
 * Test files run in workers started after this, which inherit TMPDIR. Caches meant to outlive a
 * run (the boot fixtures' downloads) stay in the machine's own temporary directory, named by
 * SUPPACK_TEST_CACHE_ROOT.
 */
export default function setup(project: TestProject): () => void {
  const machineTmp = tmpdir();
  const runTmp = mkdtempSync(join(machineTmp, 'suppack-tests-'));
  process.env['SUPPACK_TEST_CACHE_ROOT'] ??= machineTmp;
  process.env['TMPDIR'] = runTmp;
  project.provide('fixtureRpms', buildFixtureRpms());
  return () => rmSync(runTmp, { recursive: true, force: true });
}

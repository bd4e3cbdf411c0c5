import type { TestProject } from 'vitest/node';
import { buildFixtureRpms, type FixtureRpms } from './rpms';

declare module 'vitest' {
  export interface ProvidedContext {
    fixtureRpms: FixtureRpms;
  }
}

export default function setup(project: TestProject): void {
  project.provide('fixtureRpms', buildFixtureRpms());
}

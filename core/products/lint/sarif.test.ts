import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import type { LintReport } from './findings';
import { RULES } from './rules';
import { lintSarif } from './sarif';

// The official SARIF 2.1.0 schema (testing/fixtures/sarif/SOURCES.md), a JSON Schema draft-04.
const schema = JSON.parse(readFileSync(join(__dirname, '../../../testing/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);

const report: LintReport = {
  findings: [
    { rule: 'PLACE-UDEV', severity: 'error', section: '7.2', rpm: 'acme-1.0-1.noarch.rpm', file: '/lib/udev/rules.d/90-acme.rules', message: 'udev rules outside /etc/udev/rules.d/' },
    { rule: 'SCRIPT-RUNNING-HOST', severity: 'warning', section: '7.2', rpm: 'acme-1.0-1.noarch.rpm', file: '%post', message: 'uses xe without testing for a running host (runlevel)', ignored: 'only run by install.sh on a live host' },
    { rule: 'VERSION-DOTS', severity: 'error', section: '7.7.1', message: 'version "1" has no dot' },
  ],
  notes: [],
};

describe('lint SARIF', () => {
  const sarif = lintSarif(report, { version: '0.1.0', artifactUri: (rpm) => `dist/packs/acme/rpms/${rpm}`, packUri: 'packs/acme/suppack.json' }) as {
    runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<Record<string, unknown>> }>;
  };

  it('validates against the SARIF 2.1.0 schema', () => {
    const ok = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check would catch a broken log', () => {
    expect(validate({ ...sarif, version: '2.0.0' })).toBe(false);
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false); // no tool
  });

  it('lists every rule and points each result at its rule, artifact and suppression', () => {
    const run = sarif.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(run.results[0]).toMatchObject({
      ruleId: 'PLACE-UDEV',
      ruleIndex: RULES.findIndex((r) => r.id === 'PLACE-UDEV'),
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'dist/packs/acme/rpms/acme-1.0-1.noarch.rpm' } }, logicalLocations: [{ name: '/lib/udev/rules.d/90-acme.rules' }] }],
    });
    expect(run.results[1]).toMatchObject({ level: 'warning', suppressions: [{ kind: 'external', justification: 'only run by install.sh on a live host' }] });
    expect(run.results[2]).toMatchObject({ locations: [{ physicalLocation: { artifactLocation: { uri: 'packs/acme/suppack.json' } } }] });
  });
});

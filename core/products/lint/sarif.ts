/**
 * A lint report as SARIF 2.1.0 (OASIS, "Static Analysis Results Interchange Format"), so CI
 * systems show findings inline. docs/lint.md "SARIF" says what goes where.
 */
import type { Finding, LintReport } from './findings';
import { RULES } from './rules';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** SARIF 2.1.0 §3.27.10: result.level. */
function level(f: Finding): 'error' | 'warning' {
  return f.severity;
}

/**
 * `artifactUri(rpm)` gives the URI of the RPM a finding is about (relative to the working
 * directory, as SARIF consumers resolve it against the checkout); findings about the pack
 * itself point at `packUri` (the manifest, or the ISO).
 */
export function lintSarif(report: LintReport, o: { version: string; artifactUri: (rpm: string) => string; packUri?: string }): object {
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        // §3.18 tool, §3.19 toolComponent, §3.49 reportingDescriptor
        tool: {
          driver: {
            name: 'suppack lint',
            version: o.version,
            rules: RULES.map((r) => ({
              id: r.id,
              shortDescription: { text: r.title },
              help: { text: `Fix: ${r.fix}` },
              defaultConfiguration: { level: r.severity },
              properties: { ddkGuideSection: r.section },
            })),
          },
        },
        // §3.27 result
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: RULES.findIndex((r) => r.id === f.rule),
          level: level(f),
          message: { text: f.message },
          // §3.28 location: the RPM (or the pack) as the artifact, the path inside it as a logical location.
          ...(f.rpm !== undefined || o.packUri !== undefined
            ? {
                locations: [
                  {
                    physicalLocation: { artifactLocation: { uri: f.rpm !== undefined ? o.artifactUri(f.rpm) : o.packUri } },
                    ...(f.file !== undefined ? { logicalLocations: [{ name: f.file, kind: f.file.startsWith('%') ? 'function' : 'member' }] } : {}),
                  },
                ],
              }
            : {}),
          // §3.35 suppression: a rule the project turned off, with its reason.
          ...(f.ignored !== undefined ? { suppressions: [{ kind: 'external', justification: f.ignored }] } : {}),
        })),
      },
    ],
  };
}

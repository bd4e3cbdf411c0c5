/**
 * Test-only: what cli/main.ts promises of every run of the `suppack` command, whatever its input
 * (docs/security.md, "Fuzzing"): exit 0, 1 or 2; no internal error and no stack trace; a refusal
 * (exit 1 with a message) is a "suppack: error:" line per problem, at most MAX_PROBLEMS and a
 * line counting the rest; a usage mistake (exit 2) is one line and the pointer to --help.
 */
import { MAX_PROBLEMS } from '../../schemas/parse';

const firstLine = (s: string) => s.split('\n')[0]!.slice(0, 300);

/**
 * The first broken promise of a run, or undefined. `errorLines`: its stderr lines but those that
 * are not a verdict (progress, warnings), which the caller knows.
 */
export function commandContractProblem(code: number, stdout: string, stderr: string, errorLines: readonly string[]): string | undefined {
  const err = errorLines.join('\n');
  if (![0, 1, 2].includes(code)) return `exit code ${code}: ${firstLine(err)}`;
  if (/internal error/i.test(err)) return firstLine(err);
  if (/^\s+at .*[(:]\d+/m.test(stdout + stderr)) return `stack trace: ${firstLine(err)}`;
  if (code === 1 && errorLines.length > 0 && (errorLines.length > MAX_PROBLEMS + 1 || !errorLines.every((l) => l.startsWith('suppack: error: ')))) {
    return `refusal is not "suppack: error:" lines: ${JSON.stringify(err.slice(0, 300))}`;
  }
  if (code === 2 && !/^suppack( \S+)?: .*\nRun "suppack /.test(`${err}\n`) && !/^Usage: suppack/.test(stdout)) return `usage error of an unexpected shape: ${firstLine(err)}`;
  return undefined;
}

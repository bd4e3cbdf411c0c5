import { z } from 'zod';

/**
 * A path inside the project: relative (no leading "/", no drive such as "C:"), with "/" between
 * directories, never climbing out with "..", no control character (a key file's name is written into
 * update.xml, where XML 1.0 forbids them) and no lone UTF-16 surrogate (JSON "\\ud83d" without its
 * pair: written as U+FFFD, it would name another file in update.xml and on the ISO; the lookahead
 * finds one whether the pattern is read with the u flag, as JSON Schema validators do, or without). A "\\" is refused: the Nx plugin would read it as a
 * separator and the build, on Linux, as a letter of the name, so the two would see different files,
 * and "a\\..\\.." would climb out of the project in Nx's hashing (docs/nx/caching.md).
 */
export const RELATIVE_PATH =
  /^(?!(?:\.\/+)*[A-Za-z]:)(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))(?!.*(?:[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]))[^\\\u0000-\u001f\u007f\ufffe\uffff]+$/;

/** What a path field expects, after `what` (the field's name for it) and the root it is relative to. */
const relativeTo = (what: string, root: string) => `expected ${what} relative to the ${root} root, with "/" between directories and no ".." or control characters`;

/** A string field holding a path relative to the project root; `what` names it in the error. */
export const relativePath = (what: string) => z.string().regex(RELATIVE_PATH, { error: relativeTo(what, 'project') });

/** A pattern's body (after any "!"): relative, and no ".." component whether "\\" separates or escapes. */
const RELATIVE_PATTERN = /^(?!(?:\.[\\/]+)*[A-Za-z]:)(?!\/)(?!.*(?:^|[\\/])\.\.(?:[\\/]|$)).+$/;

/**
 * Why a file pattern (core/base/file-globs.ts) cannot be used, or undefined when suppack and Nx read it
 * alike: a path pattern relative to the project, with at most one leading "!" (an exclusion).
 */
export function globPatternProblem(pattern: string): string | undefined {
  const body = pattern.startsWith('!') ? pattern.slice(1) : pattern;
  if (pattern === '') return 'expected a pattern relative to the project root';
  if (body === '') return 'expected a pattern after "!"';
  if (body.startsWith('!')) return 'expected one leading "!" at most';
  if (/[+*]\(/.test(body)) {
    return '"+(...)" and "*(...)" mean one or more / any number in suppack but one in Nx\'s input hashing: list the alternatives with {a,b} or @(a|b)';
  }
  if ([...body.matchAll(/\{[^{}]*\}/g)].some((m) => m[0].includes('..'))) return '"{a..b}" ranges are not expanded by Nx\'s input hashing: list the alternatives with {a,b}';
  if (/\[\[:[a-z]+:\]/.test(body)) return '"[[:class:]]" classes are not read by Nx\'s input hashing: write the characters, e.g. [0-9]';
  // In a pattern "\\" escapes the next character, but Nx on Windows reads it as a separator: no ".." either way.
  if (!RELATIVE_PATTERN.test(body)) return 'expected a pattern relative to the project root, without ".."';
  if (body.includes('//')) return 'expected no empty path segment ("//")';
  if (body.startsWith('./')) return 'expected no leading "./" (patterns are relative to the project root already)';
  return undefined;
}

/** A string field holding a file pattern (core/base/file-globs.ts). */
export const globPattern = () =>
  z.string().superRefine((value, ctx) => {
    const problem = globPatternProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A string field holding a path relative to the workspace root (the Nx workspace); `what` names it in the error. */
export const workspacePath = (what: string) => z.string().regex(RELATIVE_PATH, { error: relativeTo(what, 'workspace') });

/** A directory relative to the workspace root (a generator's `directory`), as RELATIVE_PATH. */
export const workspaceDirectory = () => z.string().regex(RELATIVE_PATH, { error: relativeTo('a directory', 'workspace') });

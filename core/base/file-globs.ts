/**
 * File patterns users write (the manifest's `prebuilt`), matched by the `glob` package with the
 * meaning Nx gives the same patterns as target inputs, so the files a stage reads are the files
 * Nx hashes (docs/nx/manifest.md, "Patterns"):
 *   - `*`, `?`, `[...]` / `[!...]`, `**`, `{a,b}` (nested too), `@(a|b)`, `?(a)`, `!(a)`;
 *   - a leading `!` excludes what it matches from every other pattern of the list;
 *   - wildcards match names that start with a dot (Nx's matcher has no dot rule);
 *   - a pattern ending in `/` stands for everything below that directory;
 *   - case-sensitive; `**` enters a symlinked directory once, unless it is the first segment (as
 *     Bash does). Nx does not hash what lies below a symlinked directory, so under Nx such files
 *     are refused (core/products/rpms/collect.ts, hashedFiles).
 * Constructs the two matchers read differently are refused by globPatternProblem (schemas/paths.ts): `+(...)` and
 * `*(...)` (Nx reads them as one occurrence), `{1..3}` ranges and `[[:digit:]]` classes (Nx
 * matches them literally).
 */
import { glob } from 'glob';

/** A file a pattern list selects: its path relative to the base directory, POSIX. */
export interface GlobMatch {
  file: string;
  /** Index (in the list given) of the first including pattern that matched it. */
  pattern: number;
}

export interface GlobExpansion {
  /** Every selected file once, sorted by path. */
  matches: GlobMatch[];
  /** Indices of including patterns that selected no file (after the exclusions). */
  empty: number[];
}

const asNx = (pattern: string) => (pattern.endsWith('/') ? `${pattern}**` : pattern);

/**
 * The files under `cwd` that `patterns` select: the union of the including patterns minus
 * everything an excluding (`!`) pattern matches. Patterns must have passed globPatternProblem.
 */
export async function expandGlobs(cwd: string, patterns: readonly string[]): Promise<GlobExpansion> {
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => asNx(p.slice(1)));
  const byFile = new Map<string, number>();
  const empty: number[] = [];
  for (const [i, pattern] of patterns.entries()) {
    if (pattern.startsWith('!')) continue;
    const files = await glob(asNx(pattern), {
      cwd,
      dot: true,
      nodir: true,
      follow: false,
      posix: true,
      nocase: false,
      ignore: exclude,
    });
    if (files.length === 0) empty.push(i);
    for (const f of files) if (!byFile.has(f)) byFile.set(f, i);
  }
  const matches = [...byFile].map(([file, pattern]) => ({ file, pattern }));
  matches.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { matches, empty };
}

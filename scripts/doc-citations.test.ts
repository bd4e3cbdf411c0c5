/**
 * Every citation of a document in the repository points at a file that is in it, and a cited
 * section (`docs/formats/xenserver.md §2.3`) at a heading that exists there: a maintainer with only
 * the repository can follow every reference the code makes (docs/ARCHITECTURE.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = join(__dirname, '..');
const TEXT = /\.(ts|mjs|cjs|js|json|md|sh|py|tmpl|spec)$/;
/** A history that names files as they were then. */
const HISTORY = new Set(['CHANGELOG.md']);

const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => TEXT.test(f) && !HISTORY.has(f) && existsSync(join(ROOT, f)));

/** `## 2.3 ...` / `### 1.4 \`XS-REPOSITORY\`` → '2.3', '1.4'. */
function sectionsOf(doc: string): Set<string> {
  const out = new Set<string>();
  for (const m of readFileSync(join(ROOT, doc), 'utf8').matchAll(/^#+ (\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1]);
  return out;
}

test('every docs/….md the repository cites exists, and so does every § it cites', () => {
  const sections = new Map<string, Set<string>>();
  const problems: string[] = [];
  let cited = 0;
  for (const f of files) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/(?<![\w/.-])(docs\/[\w./-]+?\.md)(?: §(\d+(?:\.\d+)*))?/g)) {
      const [, doc, section] = m;
      cited++;
      if (!existsSync(join(ROOT, doc))) {
        problems.push(`${f}: ${doc} is not in the repository`);
        continue;
      }
      if (section === undefined) continue;
      if (!sections.has(doc)) sections.set(doc, sectionsOf(doc));
      if (!sections.get(doc)!.has(section)) problems.push(`${f}: ${doc} has no section ${section}`);
    }
  }
  expect(problems).toEqual([]);
  expect(cited).toBeGreaterThan(150);
});

test('no file cites the research notes the format docs were written from by their old names', () => {
  const old = /(?<![\w/.-])(formats|iso-rpm|nx-gulp|boot-testing)\.md/;
  expect(files.filter((f) => !f.startsWith('docs/') && old.test(readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
});

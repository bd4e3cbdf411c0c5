/**
 * XS-REPOSITORY-LIST (docs/formats/xenserver.md §3): at the root of a medium, the directories that hold legacy
 * packs (XS-REPOSITORY + XS-PACKAGES), one name per line relative to the root, LF, a final
 * newline and no blank lines (a blank line would name the root itself).
 */
import { SuppackError } from '../../base/errors';
import { pyStrip } from '../../base/py-strip';
import { IDENT } from '../../../schemas/patterns';

export const REPOSITORY_LIST = 'XS-REPOSITORY-LIST';

/** docs/formats/xenserver.md §3: `packages.<label>`, the conventional directory of one pack on a combined medium. */
export function packDirName(label: string): string {
  if (!IDENT.test(label)) {
    throw new SuppackError(`expected letters, digits, ".", "_" or "-" only (it becomes the directory packages.<label>), got ${JSON.stringify(label)}`, {
      field: 'pack label',
    });
  }
  return `packages.${label}`;
}

/** docs/formats/xenserver.md §3: one directory per line, LF, trailing newline. Names must be unique, relative, one per line. */
export function encodeRepositoryList(dirs: readonly string[], file = REPOSITORY_LIST): string {
  const seen = new Set<string>();
  dirs.forEach((d, i) => {
    checkDir(d, file, `line ${i + 1}`);
    if (seen.has(d)) throw new SuppackError(`the directory ${JSON.stringify(d)} is listed twice`, { file, field: `line ${i + 1}` });
    seen.add(d);
  });
  return dirs.map((d) => `${d}\n`).join('');
}

/**
 * The directories listed, as the installer reads them (each line stripped). Blank lines are left
 * out here (the installer would read them as the root, which it searches anyway).
 */
export function parseRepositoryList(text: string | Buffer, file = REPOSITORY_LIST): string[] {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  const out: string[] = [];
  s.split('\n').forEach((raw, i) => {
    const d = pyStrip(raw, ' \t\r\v\f');
    if (d === '') return;
    checkDir(d, file, `line ${i + 1}`);
    out.push(d);
  });
  return out;
}

/** `existing` (a list file's text, or undefined) plus `dirs` not yet in it, in order. */
export function addToRepositoryList(existing: string | Buffer | undefined, dirs: readonly string[], file = REPOSITORY_LIST): string {
  const list = existing === undefined ? [] : parseRepositoryList(existing, file);
  const unique = list.filter((d, i) => list.indexOf(d) === i);
  for (const d of dirs) if (!unique.includes(d)) unique.push(d);
  return encodeRepositoryList(unique, file);
}

function checkDir(d: string, file: string, field: string): void {
  const parts = d.split('/');
  if (d === '' || /\s/.test(d) || d.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new SuppackError(`expected a directory name relative to the medium root, without spaces, got ${JSON.stringify(d)}`, { file, field });
  }
}

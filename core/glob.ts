/**
 * A small file glob for the manifest's `prebuilt` patterns: POSIX relative patterns with `*`
 * (any characters but '/'), `?` (one such character), `[abc]` / `[!abc]` classes and `**` (any
 * number of whole directories). Like shells, wildcards do not match a leading '.' of a name.
 * Symlinks to files are matched; symlinked directories are not descended into.
 */
import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';

const SPECIAL = /[*?[]/;

/** The anchored regular expression a pattern stands for. */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/').filter((s, i, all) => s !== '' || i === all.length - 1);
  let re = '';
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '**') {
      re += last ? '(?:(?!\\.)[^/]+(?:/(?!\\.)[^/]+)*)?' : '(?:(?!\\.)[^/]+/)*';
      return;
    }
    re += (seg.startsWith('.') ? '' : '(?!\\.)') + segmentRegExp(seg) + (last ? '' : '/');
  });
  return new RegExp(`^${re}$`);
}

function segmentRegExp(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}

/** Files under `cwd` matching `pattern`, as sorted POSIX paths relative to `cwd`. */
export async function globFiles(cwd: string, pattern: string): Promise<string[]> {
  const segments = pattern.split('/').filter(Boolean);
  const base: string[] = [];
  while (base.length < segments.length - 1 && !SPECIAL.test(segments[base.length])) base.push(segments[base.length]);
  const rest = segments.slice(base.length);
  const deep = rest.includes('**');
  const re = globToRegExp(segments.join('/'));
  const found: string[] = [];

  async function walk(rel: string, depth: number): Promise<void> {
    let ents;
    try {
      ents = await fsp.readdir(join(cwd, rel), { withFileTypes: true });
    } catch {
      return; // a missing or unreadable directory matches nothing
    }
    for (const d of ents) {
      const path = rel === '' ? d.name : posix.join(rel, d.name);
      let isFile = d.isFile();
      let isDir = d.isDirectory();
      if (d.isSymbolicLink()) {
        const st = await fsp.stat(join(cwd, path)).catch(() => undefined);
        isFile = st?.isFile() ?? false;
        isDir = false;
      }
      if (isFile && re.test(path)) found.push(path);
      else if (isDir && (deep || depth + 1 < rest.length)) await walk(path, depth + 1);
    }
  }
  await walk(base.join('/'), 0);
  return found.sort();
}

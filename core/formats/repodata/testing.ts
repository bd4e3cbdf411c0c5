/** Test helpers for core/repodata: run the real createrepo_c and take its XML apart. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** createrepo_c with the flags writeRepodata mirrors. */
export function createrepo(dir: string, revision: number, comps?: string): void {
  const args = ['--simple-md-filenames', '--no-database', '--general-compress-type=gz', '--revision', String(revision), '--set-timestamp-to-revision'];
  if (comps !== undefined) args.push('-g', comps);
  execFileSync('createrepo_c', [...args, dir], { stdio: 'pipe' });
}

/** The uncompressed XML of `repodata/<name>` under the repo root `dir`. */
export function gunzipRepodata(dir: string, name: string): string {
  return gunzipSync(readFileSync(join(dir, 'repodata', name))).toString('utf8');
}

/**
 * `<package>` blocks of a primary, filelists or other XML keyed by pkgid (the `pkgid` attribute,
 * or primary's `<checksum pkgid="YES">`), each as its lines with indentation removed.
 */
export function packageBlocks(xml: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of xml.matchAll(/<package[ >][\s\S]*?<\/package>/g)) {
    const block = m[0];
    const id = /pkgid="([0-9a-f]{64})"/.exec(block)?.[1] ?? /<checksum type="sha256" pkgid="YES">([0-9a-f]{64})</.exec(block)?.[1];
    if (id === undefined) throw new Error(`no pkgid in ${block.slice(0, 80)}`);
    out.set(id, block.split('\n').map((l) => l.trim()));
  }
  return out;
}

/** Every `<tag …>text</tag>` or `<tag …/>` occurrence: its attributes and text. */
export function elements(xml: string, tag: string): Array<{ attrs: Record<string, string>; text: string }> {
  const re = new RegExp(`<${tag}((?:\\s+[\\w:-]+="[^"]*")*)\\s*(?:/>|>([^<]*)</${tag}>)`, 'g');
  return [...xml.matchAll(re)].map((m) => ({
    attrs: Object.fromEntries([...(m[1] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
    text: m[2] ?? '',
  }));
}

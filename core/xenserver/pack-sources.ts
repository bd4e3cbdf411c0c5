/**
 * Legacy packs as parts of a bigger medium (docs/formats/xenserver.md §3): each pack ISO becomes a
 * `packages.<label>/` directory of a combined pack or an installer ISO, listed in
 * XS-REPOSITORY-LIST. Update packs cannot be combined into one source: one source is one yum repo.
 */
import { UPDATE_PACKS_CANNOT_COMBINE } from '../../schemas/pack-members';
import { SuppackError } from '../base/errors';
import { openIso, type IsoEntry, type IsoImage } from '../formats/iso';
import { parseXsRepository } from './legacy';
import { decodeXmlBytes } from '../formats/xml/encoding';
import { REPOSITORY_LIST, packDirName, parseRepositoryList } from './installer';

export interface PackSource {
  /** The pack ISO as the user named it. */
  file: string;
  /** `packages.<label>` (or the directory a combined input already used). */
  dir: string;
  /** Entries under `dir`, streamed from the open ISO. */
  entries: IsoEntry[];
}

export { UPDATE_PACKS_CANNOT_COMBINE };

/** Every file, directory and symlink under `from` of `iso`, re-rooted under `to`. */
function subtree(iso: IsoImage, from: string, to: string): IsoEntry[] {
  const prefix = from === '' ? '' : `${from}/`;
  const out: IsoEntry[] = [{ path: to, kind: 'dir' }];
  for (const e of iso.entries()) {
    if (prefix !== '' && !e.path.startsWith(prefix)) continue;
    const path = `${to}/${e.path.slice(prefix.length)}`;
    if (e.kind === 'dir') out.push({ path, kind: 'dir' });
    else if (e.kind === 'symlink') out.push({ path, kind: 'symlink', target: e.target ?? '' });
    else out.push({ path, kind: 'file', size: e.size, source: () => iso.createReadStream(e), mode: (e.mode ?? 0o644) & 0o7777 });
  }
  return out;
}

/**
 * Open each pack ISO and turn it into `packages.*` sources. A combined pack given as input
 * (XS-REPOSITORY-LIST) contributes each of its directories. The ISOs stay open until `close`.
 */
export async function openPackSources(files: readonly string[]): Promise<{ sources: PackSource[]; close: () => Promise<void> }> {
  const opened: IsoImage[] = [];
  const close = async () => {
    await Promise.all(opened.map((i) => i.close().catch(() => undefined)));
  };
  try {
    const sources: PackSource[] = [];
    for (const file of files) {
      const iso = await openIso(file);
      opened.push(iso);
      if (iso.lookup('update.xml')) throw new SuppackError(UPDATE_PACKS_CANNOT_COMBINE, { file });
      if (iso.lookup('XS-REPOSITORY')) {
        const where = `${file}: XS-REPOSITORY`;
        const repo = parseXsRepository(decodeXmlBytes(await iso.readFile('XS-REPOSITORY'), where).text, where);
        const dir = packDirName(repo.name);
        sources.push({ file, dir, entries: subtree(iso, '', dir) });
      } else if (iso.lookup(REPOSITORY_LIST)) {
        for (const d of parseRepositoryList(await iso.readFile(REPOSITORY_LIST), `${file}: ${REPOSITORY_LIST}`)) {
          if (!iso.lookup(`${d}/XS-REPOSITORY`)) {
            throw new SuppackError(`lists ${d}, which has no XS-REPOSITORY`, { file: `${file}: ${REPOSITORY_LIST}` });
          }
          sources.push({ file, dir: d, entries: subtree(iso, d, d) });
        }
      } else {
        throw new SuppackError('not a supplemental pack: no XS-REPOSITORY (nor XS-REPOSITORY-LIST) at the top level', { file });
      }
    }
    const seen = new Map<string, string>();
    for (const s of sources) {
      const key = s.dir.toLowerCase();
      const other = seen.get(key);
      if (other !== undefined) {
        throw new SuppackError(`its pack directory ${s.dir} is also that of ${other}: two packs with the same label cannot share a medium`, {
          file: s.file,
        });
      }
      seen.set(key, s.file);
    }
    return { sources, close };
  } catch (e) {
    await close();
    throw e;
  }
}

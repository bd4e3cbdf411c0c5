/**
 * Writes a yum repository's `repodata/` natively (docs/formats/containers.md §5), as
 * `createrepo_c --simple-md-filenames --no-database --general-compress-type=gz --revision N
 * --set-timestamp-to-revision [-g comps.xml]` would: gzip primary/filelists/other, plain and
 * gzipped comps, repomd.xml last. Same input, same bytes.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SuppackError } from '../../base/errors';
import { writeAllAtomically, writeAtomically } from '../../base/output';
import { compsXml, type CompsGroup } from './comps';
import { filelistsXml } from './filelists';
import { otherXml } from './other';
import type { RepoPackage } from './package';
import { primaryXml } from './primary';
import { repomdXml, type RepomdEntry } from './repomd';

export const REPODATA_DIR = 'repodata';

/**
 * RFC 1952 member with MTIME 0 and OS 3 (Unix) whatever the host: Node's zlib already writes
 * both, the check keeps a platform difference from slipping into the output unnoticed.
 */
export function deterministicGzip(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  // RFC 1952 2.3: ID1 ID2 CM FLG MTIME(4) XFL OS.
  gz.writeUInt32LE(0, 4);
  gz[9] = 3;
  return gz;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

interface Output {
  name: string;
  bytes: Buffer;
}

function metadataFile(type: string, name: string, xml: string | Buffer, revision: number, outputs: Output[]): RepomdEntry {
  const open = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const bytes = deterministicGzip(open);
  outputs.push({ name, bytes });
  return { type, href: `${REPODATA_DIR}/${name}`, checksum: sha256(bytes), size: bytes.length, openChecksum: sha256(open), openSize: open.length, timestamp: revision };
}

export interface WriteRepodataOptions {
  packages: RepoPackage[];
  /** Written as comps.xml (type group) and comps.xml.gz (group_gz) when given. */
  groups?: CompsGroup[];
  /**
   * A ready-made group file (build-update --groupfile), written byte for byte instead of `groups`,
   * as createrepo_c -g copies it: its own encoding declaration stays true.
   */
  comps?: Buffer;
  /** The repo root: hrefs are relative to it and the metadata goes to `<outDir>/repodata/`. */
  outDir: string;
  /** SOURCE_DATE_EPOCH: `<revision>`, every `<timestamp>` and the files' mtimes. */
  revision: number;
}

/**
 * Writes `<outDir>/repodata/{primary,filelists,other}.xml.gz`, `comps.xml(.gz)` with groups and
 * then `repomd.xml`. Returns the absolute path of repomd.xml and of every file written.
 * Other files already in `repodata/` are left alone (repomd.xml does not point at them).
 */
export async function writeRepodata(o: WriteRepodataOptions): Promise<{ repomd: string; files: string[] }> {
  if (!Number.isSafeInteger(o.revision) || o.revision < 0) {
    throw new SuppackError(`expected a non-negative integer number of seconds, got ${o.revision}`, { field: 'revision' });
  }
  const hrefs = new Set<string>();
  o.packages.forEach((p, i) => {
    if (hrefs.has(p.href)) throw new SuppackError(`location ${JSON.stringify(p.href)} is given twice`, { field: `packages[${i}].href` });
    if (p.href.startsWith('/') || p.href.split('/').includes('..')) {
      throw new SuppackError(`expected a path relative to the repo root, got ${JSON.stringify(p.href)}`, { field: `packages[${i}].href` });
    }
    hrefs.add(p.href);
  });
  const outputs: Output[] = [];
  const entries = [
    metadataFile('primary', 'primary.xml.gz', primaryXml(o.packages), o.revision, outputs),
    metadataFile('filelists', 'filelists.xml.gz', filelistsXml(o.packages), o.revision, outputs),
    metadataFile('other', 'other.xml.gz', otherXml(o.packages), o.revision, outputs),
  ];
  const comps = o.comps ?? (o.groups !== undefined ? Buffer.from(compsXml(o.groups), 'utf8') : undefined);
  if (comps !== undefined) {
    outputs.push({ name: 'comps.xml', bytes: comps });
    entries.push({ type: 'group', href: `${REPODATA_DIR}/comps.xml`, checksum: sha256(comps), size: comps.length, timestamp: o.revision });
    entries.push({ ...metadataFile('group_gz', 'comps.xml.gz', comps, o.revision, outputs) });
  }
  const dir = join(o.outDir, REPODATA_DIR);
  await writeAllAtomically(
    outputs.map(({ name, bytes }) => ({ dest: join(dir, name), write: (tmp: string) => writeStamped(tmp, bytes, o.revision) })),
  );
  const repomd = join(dir, 'repomd.xml');
  await writeAtomically(repomd, (tmp) => writeStamped(tmp, Buffer.from(repomdXml(entries, o.revision), 'utf8'), o.revision));
  return { repomd, files: [...outputs.map(({ name }) => join(dir, name)), repomd] };
}

async function writeStamped(path: string, bytes: Buffer, time: number): Promise<void> {
  await fsp.writeFile(path, bytes);
  await fsp.utimes(path, time, time);
}

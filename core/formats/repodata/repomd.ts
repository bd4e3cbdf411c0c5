/**
 * repomd.xml (docs/formats/containers.md §5): the index clients read first, one `<data>` per metadata file with
 * the sha256 of the stored (compressed) file and of its uncompressed content.
 */
import { XML_DECLARATION, element, empty } from './xml';

export const REPO_NS = 'http://linux.duke.edu/metadata/repo';

export interface RepomdEntry {
  /** primary | filelists | other | group | group_gz. */
  type: string;
  /** Relative to the repo root, e.g. `repodata/primary.xml.gz`. */
  href: string;
  /** sha256 of the file as stored. */
  checksum: string;
  size: number;
  /** sha256 and size of the uncompressed content; absent for an uncompressed file. */
  openChecksum?: string;
  openSize?: number;
  timestamp: number;
}

// docs/formats/containers.md §5: <data type> with checksum, open-checksum, location, timestamp, size, open-size.
function dataXml(e: RepomdEntry): string {
  return (
    `  <data type="${e.type}">\n` +
    `    ${element('checksum', e.checksum, [['type', 'sha256']])}\n` +
    (e.openChecksum !== undefined ? `    ${element('open-checksum', e.openChecksum, [['type', 'sha256']])}\n` : '') +
    `    ${empty('location', [['href', e.href]])}\n` +
    `    ${element('timestamp', String(e.timestamp))}\n` +
    `    ${element('size', String(e.size))}\n` +
    (e.openSize !== undefined ? `    ${element('open-size', String(e.openSize))}\n` : '') +
    '  </data>\n'
  );
}

/** repomd.xml with `<revision>` and the entries in the order given. */
export function repomdXml(entries: RepomdEntry[], revision: number): string {
  return (
    XML_DECLARATION +
    `<repomd xmlns="${REPO_NS}" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n` +
    `  ${element('revision', String(revision))}\n` +
    entries.map(dataXml).join('') +
    '</repomd>\n'
  );
}

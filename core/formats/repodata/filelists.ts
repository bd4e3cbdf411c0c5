/**
 * filelists.xml (docs/formats/containers.md §5): every file of every package, keyed by pkgid, so dnf can resolve
 * `/path` dependencies. Layout as createrepo_c 0.17 src/xml_dump_filelists.c.
 */
import { packageVersion, sortPackages, type RepoPackage } from './package';
import { fileLines } from './primary';
import { XML_DECLARATION, attrs, empty } from './xml';

export const FILELISTS_NS = 'http://linux.duke.edu/metadata/filelists';

/** `<package pkgid name arch>` plus its `<version/>`, shared by filelists.xml and other.xml. */
export function packageOpen(p: RepoPackage): string {
  return `<package${attrs([['pkgid', p.sha256], ['name', p.info.name], ['arch', p.info.arch]])}>\n  ${empty('version', packageVersion(p.info))}\n`;
}

// docs/formats/containers.md §5: one <package> of filelists.xml.
export function filelistsPackageXml(p: RepoPackage): string {
  return packageOpen(p) + fileLines(p.info.files, '  ', false) + '</package>\n';
}

export function filelistsXml(pkgs: RepoPackage[]): string {
  const sorted = sortPackages(pkgs);
  return (
    XML_DECLARATION +
    `<filelists xmlns="${FILELISTS_NS}" packages="${sorted.length}">\n` +
    sorted.map(filelistsPackageXml).join('') +
    '</filelists>'
  );
}

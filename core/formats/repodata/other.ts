/**
 * other.xml (docs/formats/containers.md §5): the changelog of every package, keyed by pkgid. Like createrepo_c
 * 0.17 (default --changelog-limit 10): the newest 10 entries, written oldest first.
 */
import { packageOpen } from './filelists';
import { sortPackages, type RepoPackage } from './package';
import { XML_DECLARATION, element } from './xml';

export const OTHER_NS = 'http://linux.duke.edu/metadata/other';
export const CHANGELOG_LIMIT = 10;

// docs/formats/containers.md §5: one <package> of other.xml.
export function otherPackageXml(p: RepoPackage): string {
  const kept = (p.changelogs ?? []).slice(0, CHANGELOG_LIMIT).reverse();
  const lines = kept.map((c) => `  ${element('changelog', c.text, [['author', c.author], ['date', c.date]])}\n`);
  return packageOpen(p) + lines.join('') + '</package>\n';
}

export function otherXml(pkgs: RepoPackage[]): string {
  const sorted = sortPackages(pkgs);
  return XML_DECLARATION + `<otherdata xmlns="${OTHER_NS}" packages="${sorted.length}">\n` + sorted.map(otherPackageXml).join('') + '</otherdata>';
}

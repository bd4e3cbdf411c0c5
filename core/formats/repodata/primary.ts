/**
 * primary.xml (docs/formats/containers.md §5): one `<package type="rpm">` per RPM with its NEVRA, pkgid, sizes,
 * location and the `<format>` block of dependencies and "primary" files, following createrepo_c
 * 0.17 (src/parsehdr.c, src/xml_dump_primary.c).
 */
import { RPMSENSE, type RpmDependency, type RpmFile, type RpmInfo } from '../rpm';
import { packageVersion, sortPackages, type RepoPackage } from './package';
import { XML_DECLARATION, element, empty, type Attrs } from './xml';

export const COMMON_NS = 'http://linux.duke.edu/metadata/common';
export const RPM_NS = 'http://linux.duke.edu/metadata/rpm';

/** One `<rpm:entry>`: `flags` undefined for an unversioned dependency. */
export interface DepEntry {
  name: string;
  flags?: 'EQ' | 'LT' | 'GT' | 'LE' | 'GE';
  epoch?: string;
  ver?: string;
  rel?: string;
  pre: boolean;
}

// createrepo_c 0.17.3, measured: only these give pre="1"; the interpreter requires of
// %pretrans, %posttrans, %preun and %postun do not (docs/formats/containers.md §5 lists more, which is wrong).
const PRE_FLAGS = RPMSENSE.PREREQ | RPMSENSE.SCRIPT_PRE | RPMSENSE.SCRIPT_POST;

/** createrepo_c cr_is_primary: the files every package lists in primary.xml. */
export function isPrimaryFile(path: string): boolean {
  return path.startsWith('/etc/') || path === '/usr/lib/sendmail' || path.includes('bin/');
}

/** `<file type>`: dir for directories, ghost for %ghost files, nothing for the rest. */
export function fileType(f: RpmFile): 'dir' | 'ghost' | undefined {
  if ((f.mode & 0o170000) === 0o040000) return 'dir';
  if (f.flags & 64) return 'ghost';
  return undefined;
}

/** RPMSENSE_LESS/GREATER/EQUAL as createrepo_c spells them; other combinations have none. */
export function senseName(flags: number): DepEntry['flags'] {
  switch (flags & RPMSENSE.SENSEMASK & ~1) {
    case RPMSENSE.LESS:
      return 'LT';
    case RPMSENSE.GREATER:
      return 'GT';
    case RPMSENSE.EQUAL:
      return 'EQ';
    case RPMSENSE.LESS | RPMSENSE.EQUAL:
      return 'LE';
    case RPMSENSE.GREATER | RPMSENSE.EQUAL:
      return 'GE';
    default:
      return undefined;
  }
}

/** `[epoch:]version[-release]` split as createrepo_c cr_str_to_evr does; epoch defaults to "0". */
export function splitEvr(evr: string): { epoch: string; ver: string; rel?: string } {
  let rest = evr;
  let epoch = '0';
  const colon = rest.indexOf(':');
  if (colon >= 0 && /^\d*$/.test(rest.slice(0, colon))) {
    epoch = rest.slice(0, colon) || '0';
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash < 0) return { epoch, ver: rest };
  return { epoch, ver: rest.slice(0, dash), rel: rest.slice(dash + 1) };
}

function entry(dep: RpmDependency, pre: boolean): DepEntry {
  const flags = senseName(dep.flags);
  if (flags === undefined) return { name: dep.name, pre };
  return { name: dep.name, flags, ...splitEvr(dep.version), pre };
}

/**
 * The requires createrepo_c keeps: no `rpmlib(` ones, no primary files the package ships itself,
 * none equal (same flags and version) to one of its own provides, and no repeat of the previous
 * require of the same name with the same flags, version and pre.
 */
export function primaryRequires(info: RpmInfo): DepEntry[] {
  const ownFiles = new Set(info.files.map((f) => f.path));
  const provided = new Set(info.provides.map((p) => `${p.name}\0${senseName(p.flags) ?? ''}\0${p.version}`));
  const last = new Map<string, string>();
  const out: DepEntry[] = [];
  for (const dep of info.requires) {
    if (dep.name.startsWith('rpmlib(')) continue;
    if (dep.name.startsWith('/') && ownFiles.has(dep.name) && isPrimaryFile(dep.name)) continue;
    const key = `${senseName(dep.flags) ?? ''}\0${dep.version}`;
    if (provided.has(`${dep.name}\0${key}`)) continue;
    const pre = (dep.flags & PRE_FLAGS) !== 0;
    const seen = `${key}\0${pre ? 1 : 0}`;
    if (last.get(dep.name) === seen) continue;
    last.set(dep.name, seen);
    out.push(entry(dep, pre));
  }
  return out;
}

function entryXml(e: DepEntry, withPre: boolean): string {
  const list: Attrs = [['name', e.name]];
  if (e.flags !== undefined) list.push(['flags', e.flags], ['epoch', e.epoch], ['ver', e.ver], ['rel', e.rel]);
  if (withPre && e.pre) list.push(['pre', '1']);
  return `      ${empty('rpm:entry', list)}\n`;
}

function depBlock(tag: string, entries: DepEntry[], withPre = false): string {
  if (entries.length === 0) return '';
  return `    <rpm:${tag}>\n${entries.map((e) => entryXml(e, withPre)).join('')}    </rpm:${tag}>\n`;
}

/** `<file>` lines at `indent`, all files or only the primary ones. */
export function fileLines(files: RpmFile[], indent: string, onlyPrimary: boolean): string {
  return files
    .filter((f) => !onlyPrimary || isPrimaryFile(f.path))
    .map((f) => `${indent}${element('file', f.path, [['type', fileType(f)]])}\n`)
    .join('');
}

// docs/formats/containers.md §5: one <package type="rpm"> of primary.xml.
export function primaryPackageXml(p: RepoPackage): string {
  const i = p.info;
  const all = (deps: RpmDependency[]): DepEntry[] => deps.map((d) => entry(d, false));
  return (
    '<package type="rpm">\n' +
    `  ${element('name', i.name)}\n` +
    `  ${element('arch', i.arch)}\n` +
    `  ${empty('version', packageVersion(i))}\n` +
    `  ${element('checksum', p.sha256, [['type', 'sha256'], ['pkgid', 'YES']])}\n` +
    `  ${element('summary', i.summary)}\n` +
    `  ${element('description', i.description)}\n` +
    `  ${element('packager', i.packager ?? '')}\n` +
    `  ${element('url', i.url ?? '')}\n` +
    `  ${empty('time', [['file', p.fileTime], ['build', i.buildTime ?? 0]])}\n` +
    `  ${empty('size', [['package', p.size], ['installed', i.size], ['archive', p.archiveSize ?? 0]])}\n` +
    `  ${empty('location', [['href', p.href]])}\n` +
    '  <format>\n' +
    `    ${element('rpm:license', i.license)}\n` +
    `    ${element('rpm:vendor', i.vendor ?? '')}\n` +
    `    ${element('rpm:group', i.group)}\n` +
    `    ${element('rpm:buildhost', i.buildHost ?? '')}\n` +
    `    ${element('rpm:sourcerpm', i.sourceRpm ?? '')}\n` +
    `    ${empty('rpm:header-range', [['start', i.headerRange.start], ['end', i.headerRange.end]])}\n` +
    depBlock('provides', all(i.provides)) +
    depBlock('requires', primaryRequires(i), true) +
    depBlock('conflicts', all(i.conflicts)) +
    depBlock('obsoletes', all(i.obsoletes)) +
    fileLines(i.files, '    ', true) +
    '  </format>\n' +
    '</package>\n'
  );
}

/** The whole primary.xml, packages sorted by location; like createrepo_c, no newline after the root end tag. */
export function primaryXml(pkgs: RepoPackage[]): string {
  const sorted = sortPackages(pkgs);
  return (
    XML_DECLARATION +
    `<metadata xmlns="${COMMON_NS}" xmlns:rpm="${RPM_NS}" packages="${sorted.length}">\n` +
    sorted.map(primaryPackageXml).join('') +
    '</metadata>'
  );
}

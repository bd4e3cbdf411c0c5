/**
 * One package as the repodata writer sees it: the RpmInfo plus what createrepo_c takes from the
 * file itself (its sha256, size, location) and the two header fields RpmInfo does not carry
 * (the signature's PAYLOADSIZE and the changelog), read here with core/rpm's header decoder.
 */
import { hashFile } from '../../base/digest';
import { SuppackError, withFile } from '../../base/errors';
import { decodeHeader, parseRpm, readRpmHead, SIG_TAG, type RpmInfo } from '../rpm';
import { createrepoText, UNWRITABLE } from './text';

export interface RepoChangelog {
  author: string;
  /** Seconds since 1970 (CHANGELOGTIME). */
  date: number;
  text: string;
}

export interface RepoPackage {
  info: RpmInfo;
  /** Location relative to the repo root, e.g. `Packages/foo-1.0-1.noarch.rpm`. */
  href: string;
  /** sha256 of the whole .rpm file: the pkgid. */
  sha256: string;
  /** Size of the .rpm file in bytes. */
  size: number;
  /** `<time file>`: give SOURCE_DATE_EPOCH, not the file's mtime, for deterministic output. */
  fileTime: number;
  /** `<size archive>`: the signature's PAYLOADSIZE (uncompressed cpio size); 0 when unknown. */
  archiveSize?: number;
  /** Changelog entries as in the header (newest first); none when absent. */
  changelogs?: RepoChangelog[];
}

/** rpm include/rpm/rpmtag.h: RPMTAG_CHANGELOGTIME / NAME / TEXT (not in core/rpm's TAG table). */
const CHANGELOG_TAG = { TIME: 1080, NAME: 1081, TEXT: 1082 } as const;

/** What a caller that read the RPM already knows of it (readRepoPackage then reads nothing). */
export interface KnownRpm {
  info: RpmInfo;
  /** The file up to the end of its main header. */
  head: Buffer;
  size: number;
  sha256: string;
}

/** Reads the RPM at `path` into a RepoPackage located at `href`; with `known`, takes it from there. */
export async function readRepoPackage(path: string, href: string, fileTime: number, known?: KnownRpm): Promise<RepoPackage> {
  let info: RpmInfo;
  let buf: Buffer;
  let size: number;
  let sha256: string;
  if (known !== undefined) {
    ({ info, head: buf, size, sha256 } = known);
  } else {
    const head = readRpmHead(path);
    info = head.info;
    buf = head.bytes;
    const hashed = await hashFile(path, ['sha256']);
    size = hashed.size;
    sha256 = hashed.hex.sha256!;
    if (size !== info.fileSize) {
      throw new SuppackError(`file changed while being read: ${info.fileSize} bytes, then ${size}`, { file: path, field: 'size' });
    }
  }
  return withFile(path, () => {
    // every string as createrepo_c writes it (text.ts): the caller's info read them as UTF-8
    info = { ...parseRpm(buf, info.path, info.fileSize, createrepoText), path: info.path };
    const sig = decodeHeader(buf, info.signatureRange.start, 'signature');
    const main = decodeHeader(buf, info.headerRange.start, 'main', createrepoText);
    const times = main.numbers(CHANGELOG_TAG.TIME) ?? [];
    const names = main.strings(CHANGELOG_TAG.NAME) ?? [];
    const texts = main.strings(CHANGELOG_TAG.TEXT) ?? [];
    if (names.length !== times.length || texts.length !== times.length) {
      throw new SuppackError(`changelog has ${times.length} times, ${names.length} names and ${texts.length} texts, expected as many of each`, {
        field: 'main header tags 1080-1082 (CHANGELOG)',
      });
    }
    const changelogs = times.map((date, i) => ({ author: names[i]!, date, text: texts[i]! }));
    const field = unwritableField(info, href, changelogs);
    if (field !== undefined) {
      throw new SuppackError(
        'holds a character repodata cannot carry: a control character other than tab, LF and CR (createrepo_c leaves such a package out of the repo, so the host would not see it) or U+FFFE/U+FFFF (XML 1.0 forbids them: dnf could not read the repo)',
        { field },
      );
    }
    return {
      info,
      href,
      sha256,
      size,
      fileTime,
      archiveSize: sig.number(SIG_TAG.LONGARCHIVESIZE) ?? sig.number(SIG_TAG.PAYLOADSIZE) ?? 0,
      changelogs,
    };
  });
}

/** The first field of what the repodata writer writes of a package that holds an UNWRITABLE character. */
export function unwritableField(info: RpmInfo, href: string, changelogs: readonly RepoChangelog[], unwritable: RegExp = UNWRITABLE): string | undefined {
  const fields: Array<[string, string | undefined]> = [
    ['location', href],
    ['name', info.name],
    ['arch', info.arch],
    ['version', info.version],
    ['release', info.release],
    ['summary', info.summary],
    ['description', info.description],
    ['url', info.url],
    ['license', info.license],
    ['vendor', info.vendor],
    ['group', info.group],
    ['buildhost', info.buildHost],
    ['sourcerpm', info.sourceRpm],
    ['packager', info.packager],
  ];
  for (const kind of ['provides', 'requires', 'conflicts', 'obsoletes'] as const) {
    info[kind].forEach((d, i) => fields.push([`${kind}[${i}]`, d.name], [`${kind}[${i}] version`, d.version]));
  }
  info.files.forEach((f, i) => fields.push([`file ${i}`, f.path]));
  changelogs.forEach((c, i) => fields.push([`changelog ${i} author`, c.author], [`changelog ${i} text`, c.text]));
  return fields.find(([, v]) => v !== undefined && unwritable.test(v))?.[0];
}

/** `<version epoch ver rel/>` attributes of the package itself; epoch defaults to 0. */
export function packageVersion(info: RpmInfo): Array<[string, string]> {
  return [
    ['epoch', String(info.epoch ?? 0)],
    ['ver', info.version],
    ['rel', info.release],
  ];
}

/** createrepo_c's package order: by location, so the output does not depend on the input order. */
export function sortPackages(pkgs: readonly RepoPackage[]): RepoPackage[] {
  return [...pkgs].sort((a, b) => (a.href < b.href ? -1 : a.href > b.href ? 1 : 0));
}

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseRpm, readRpm, readRpmHead } from './read';
import { rpmQuery } from './testing';
import type { RpmDependency, RpmInfo } from './types';
import { formatNevra, rpmFileName } from './version';

const rpms = inject('fixtureRpms');
const names = Object.keys(rpms).sort();

const SCALARS = [
  'NAME', 'EPOCH', 'VERSION', 'RELEASE', 'ARCH', 'GROUP', 'SUMMARY', 'DESCRIPTION', 'LICENSE', 'URL', 'VENDOR',
  'PACKAGER', 'BUILDTIME', 'BUILDHOST', 'SOURCERPM', 'SIZE', 'PAYLOADCOMPRESSOR', 'PREIN', 'POSTIN', 'PREUN',
  'POSTUN', 'PRETRANS', 'POSTTRANS', 'SIGSIZE', 'SIGMD5', 'SHA1HEADER', 'SHA256HEADER', 'NEVRA',
] as const;
type Scalars = Record<(typeof SCALARS)[number], string | undefined>;

const SEP = '\x1e';
function scalars(path: string): Scalars {
  const values = rpmQuery(path, SCALARS.map((t) => `%{${t}}`).join(SEP)).split(SEP);
  return Object.fromEntries(SCALARS.map((t, i) => [t, values[i] === '(none)' ? undefined : values[i]])) as Scalars;
}

function rows(path: string, tags: string[]): string[][] {
  const out = rpmQuery(path, `[${tags.map((t) => `%{${t}}`).join('\t')}\n]`);
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const deps = (list: RpmDependency[]) => list.map((d) => [d.name, String(d.flags), d.version]);
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));

describe.each(names)('readRpm(%s) matches rpm -qp', (name) => {
  const path = rpms[name]!;
  let info: RpmInfo;
  let q: Scalars;
  beforeAll(async () => {
    info = await readRpm(path);
    q = scalars(path);
  });

  it('identity, text and size tags', () => {
    expect(info.path).toBe(path);
    expect(info.fileSize).toBe(readFileSync(path).length);
    expect(info.name).toBe(q.NAME);
    expect(info.epoch).toBe(num(q.EPOCH));
    expect(info.version).toBe(q.VERSION);
    expect(info.release).toBe(q.RELEASE);
    expect(info.arch).toBe(q.ARCH);
    expect(info.group).toBe(q.GROUP);
    expect(info.summary).toBe(q.SUMMARY);
    expect(info.description).toBe(q.DESCRIPTION);
    expect(info.license).toBe(q.LICENSE);
    expect(info.url).toBe(q.URL);
    expect(info.vendor).toBe(q.VENDOR);
    expect(info.packager).toBe(q.PACKAGER);
    expect(info.buildTime).toBe(num(q.BUILDTIME));
    expect(info.buildHost).toBe(q.BUILDHOST);
    expect(info.sourceRpm).toBe(q.SOURCERPM);
    expect(info.isSource).toBe(false);
    expect(info.size).toBe(num(q.SIZE));
    expect(info.payloadCompressor).toBe(q.PAYLOADCOMPRESSOR);
    expect(formatNevra(info)).toBe(q.NEVRA);
    expect(rpmFileName(info)).toBe(basename(path));
  });

  it('scripts', () => {
    expect(info.scripts.prein).toBe(q.PREIN);
    expect(info.scripts.postin).toBe(q.POSTIN);
    expect(info.scripts.preun).toBe(q.PREUN);
    expect(info.scripts.postun).toBe(q.POSTUN);
    expect(info.scripts.pretrans).toBe(q.PRETRANS);
    expect(info.scripts.posttrans).toBe(q.POSTTRANS);
  });

  it('provides, requires, conflicts, obsoletes with flags and versions', () => {
    for (const [key, tag] of [['provides', 'PROVIDE'], ['requires', 'REQUIRE'], ['conflicts', 'CONFLICT'], ['obsoletes', 'OBSOLETE']] as const) {
      expect(deps(info[key]), key).toEqual(rows(path, [`${tag}NAME`, `${tag}FLAGS`, `${tag}VERSION`]));
    }
  });

  it('the complete file list with modes, sizes, links, flags, owners and digests', () => {
    const expected = rows(path, ['FILENAMES', 'FILEMODES', 'FILESIZES', 'FILELINKTOS', 'FILEFLAGS', 'FILEUSERNAME', 'FILEGROUPNAME', 'FILEDIGESTS']);
    expect(expected.length).toBeGreaterThan(0);
    expect(info.files.map((f) => [f.path, String(f.mode), String(f.size), f.linkTo, String(f.flags), f.user, f.group, f.digest])).toEqual(expected);
  });

  it('byte ranges: signature SIZE, MD5, SHA1 and SHA256 of the main header agree', () => {
    const bytes = readFileSync(path);
    expect(info.signatureRange.start).toBe(96);
    expect(info.signatureRange.end).toBe(info.headerRange.start);
    expect(info.signatureRange.end % 8).toBe(0);
    expect(info.headerRange.end).toBe(info.payloadOffset);
    expect(bytes.subarray(info.headerRange.start, info.headerRange.start + 4).toString('hex')).toBe('8eade801');
    expect(info.fileSize - info.headerRange.start).toBe(num(q.SIGSIZE));
    const header = bytes.subarray(info.headerRange.start, info.headerRange.end);
    expect(createHash('sha256').update(header).digest('hex')).toBe(q.SHA256HEADER);
    expect(createHash('sha1').update(header).digest('hex')).toBe(q.SHA1HEADER);
    expect(createHash('md5').update(bytes.subarray(info.headerRange.start)).digest('hex')).toBe(q.SIGMD5);
    // The payload starts with the gzip magic right at payloadOffset.
    expect(bytes.subarray(info.payloadOffset, info.payloadOffset + 2).toString('hex')).toBe('1f8b');
  });

  it('parseRpm over the whole file gives the same result', async () => {
    const bytes = readFileSync(path);
    expect(parseRpm(bytes, path, bytes.length)).toEqual(info);
  });

  it('readRpmHead gives the same RpmInfo and exactly the bytes up to the end of the main header', () => {
    const head = readRpmHead(path);
    expect(head.info).toEqual(info);
    expect(head.bytes.equals(readFileSync(path).subarray(0, info.headerRange.end))).toBe(true);
  });
});

describe('headerRange equals createrepo_c rpm:header-range', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'suppack-rpm-repo-'));
    for (const p of Object.values(rpms)) copyFileSync(p, join(dir, basename(p)));
    execFileSync('createrepo_c', ['--no-database', '--simple-md-filenames', dir], { stdio: 'pipe' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('for every fixture', async () => {
    const primary = gunzipSync(readFileSync(join(dir, 'repodata', readdirSync(join(dir, 'repodata')).find((f) => f.startsWith('primary.xml'))!))).toString('utf8');
    const ranges = new Map<string, { start: number; end: number }>();
    for (const m of primary.matchAll(/<location href="([^"]+)"\/>[\s\S]*?<rpm:header-range start="(\d+)" end="(\d+)"\/>/g)) {
      ranges.set(m[1]!, { start: Number(m[2]), end: Number(m[3]) });
    }
    expect(ranges.size).toBe(names.length);
    for (const p of Object.values(rpms)) {
      const info = await readRpm(p);
      expect(info.headerRange, basename(p)).toEqual(ranges.get(basename(p)));
    }
  });
});

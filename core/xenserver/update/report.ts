/**
 * Reading an update ISO back (docs/formats/xenserver.md §2.4): what `suppack inspect` shows and what `suppack
 * verify` checks — the host installer's rule: every package's sha256 and size against the
 * `<location>`, `<size>` and `<checksum type="sha256">` of primary.xml, in document order.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SuppackError } from '../../base/errors';
import type { IsoImage, IsoVolume } from '../../formats/iso';
import { checkRpmIdentity, verifyRpmStream } from '../../formats/rpm';
import { detachedSignatureProblem, readPublicKeys } from '../../formats/openpgp/verify';
import { parseXml, streamXmlChildren, type ParsedElement } from '../../formats/xml/read';
import { decodeXmlBytes } from '../../formats/xml/encoding';
import { UPDATE_XML, parseUpdateXml, type UpdateXml } from './update-xml';
import { updateRpmName } from './update-rpms';
import type { RpmHostSummary } from '../host-check';

const MAX_METADATA_BYTES = 16 << 20;

export interface RepoEntry {
  href: string;
  size: number;
  sha256: string;
}

export interface UpdatePackReport {
  format: 'update';
  volume: Pick<IsoVolume, 'volumeId' | 'applicationId' | 'publisherId'>;
  update: UpdateXml;
  /** Comps group ids (update, drivers, ...). */
  groups: string[];
  driverDisk: boolean;
  packages: RepoEntry[];
  signatures: { updateXml: boolean; repomd: boolean };
  /** Per package, the oldest host rpm that can install it (docs/hosts.md; filled by core/products/report/pack-report.ts). */
  rpmHosts?: RpmHostSummary[];
}

export interface UpdatePackageCheck {
  file: string;
  ok: boolean;
  problem?: string;
  sha256?: string;
}

function child(el: ParsedElement, name: string): ParsedElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** repomd.xml → the href of each data type. */
export function repomdHrefs(xml: string, file: string): Map<string, string> {
  const root = parseXml(xml, file);
  if (root.name !== 'repomd') throw new SuppackError(`expected the root element <repomd>, got <${root.name}>`, { file });
  const out = new Map<string, string>();
  for (const d of root.children.filter((c) => c.name === 'data')) {
    const href = child(d, 'location')?.attrs.href;
    if (d.attrs.type && href) out.set(d.attrs.type, href);
  }
  return out;
}

/** primary.xml → location, package size and sha256 of every package (docs/formats/xenserver.md §2.4 "Package list"). */
export function primaryEntries(xml: string, file: string): RepoEntry[] {
  const root = parseXml(xml, file);
  return root.children.filter((c) => c.name === 'package').map((p, i) => primaryEntry(p, i, file));
}

function primaryEntry(p: ParsedElement, i: number, file: string): RepoEntry {
  const href = child(p, 'location')?.attrs.href;
  const size = child(p, 'size')?.attrs.package;
  const sum = child(p, 'checksum');
  if (!href || !size || !/^\d+$/.test(size) || sum?.attrs.type !== 'sha256' || !/^[0-9a-f]{64}$/.test(sum.text.trim())) {
    throw new SuppackError('expected a location, a package size and a sha256 checksum (the installer needs all three)', {
      file,
      field: `package[${i}]`,
    });
  }
  return { href, size: Number(size), sha256: sum.text.trim() };
}

/**
 * What primary.xml may inflate to: an update's is a few MiB at most (about 2 KiB per package).
 * The inflated size is counted in a first pass that keeps nothing, so a gzip bomb is refused with
 * flat memory before any parsing; the second pass parses one <package> at a time.
 */
export const MAX_PRIMARY_XML_BYTES = 64 << 20;

/** The gzip member `href` of `iso`, inflated as a stream; at most `limit` bytes pass. */
async function* gunzipped(iso: IsoImage, href: string, file: string, limit: number): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const piped = Readable.from(iso.createReadStream(href) as AsyncIterable<Buffer>).pipe(gunzip);
  let inflated = 0;
  try {
    for await (const chunk of piped as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      if (inflated > limit) {
        throw new SuppackError(`inflates to more than ${limit >> 20} MiB: not the primary.xml of an update (at most ${limit >> 20} MiB is read)`, { file });
      }
      yield chunk;
    }
  } catch (e) {
    if (e instanceof SuppackError) throw e;
    throw new SuppackError('expected gzip (the installer reads primary.xml.gz with gzip only)', { file });
  } finally {
    gunzip.destroy();
  }
}

/** primaryEntries of the gzip member `href` of `iso`, streamed: memory does not grow with its size. */
async function primaryEntriesOf(iso: IsoImage, href: string, file: string): Promise<RepoEntry[]> {
  for await (const _ of gunzipped(iso, href, file, MAX_PRIMARY_XML_BYTES)) {
    // First pass: gzip integrity and the inflated size only.
  }
  const entries: RepoEntry[] = [];
  const root = await streamXmlChildren(gunzipped(iso, href, file, MAX_PRIMARY_XML_BYTES), file, 'package', (el, i) => entries.push(primaryEntry(el, i, file)));
  if (root !== 'metadata') throw new SuppackError(`expected the root element <metadata>, got <${root}>`, { file });
  return entries;
}

export async function updateReport(iso: IsoImage, isoPath: string): Promise<UpdatePackReport> {
  const read = async (path: string) => {
    if (!iso.lookup(path)) throw new SuppackError(`missing ${path}: not a complete update ISO`, { file: isoPath });
    return iso.readFile(path, MAX_METADATA_BYTES);
  };
  const update = parseUpdateXml(decodeXmlBytes(await read(UPDATE_XML), `${isoPath}: ${UPDATE_XML}`).text, `${isoPath}: ${UPDATE_XML}`);
  const hrefs = repomdHrefs((await read('repodata/repomd.xml')).toString('utf8'), `${isoPath}: repodata/repomd.xml`);
  const primaryHref = hrefs.get('primary');
  if (primaryHref === undefined) throw new SuppackError('has no primary data', { file: `${isoPath}: repodata/repomd.xml` });
  if (!iso.lookup(primaryHref)) throw new SuppackError(`missing ${primaryHref}: not a complete update ISO`, { file: isoPath });
  const packages = await primaryEntriesOf(iso, primaryHref, `${isoPath}: ${primaryHref}`);
  let groups: string[] = [];
  const groupHref = hrefs.get('group');
  if (groupHref !== undefined) {
    const comps = parseXml(decodeXmlBytes(await read(groupHref), `${isoPath}: ${groupHref}`).text, `${isoPath}: ${groupHref}`);
    groups = comps.children
      .filter((c) => c.name === 'group')
      .map((g) => child(g, 'id')?.text.trim() ?? '')
      .filter(Boolean)
      .sort();
  }
  return {
    format: 'update',
    volume: { volumeId: iso.volume.volumeId, applicationId: iso.volume.applicationId, publisherId: iso.volume.publisherId },
    update,
    groups,
    driverDisk: groups.includes('drivers'),
    packages,
    signatures: { updateXml: iso.lookup(`${UPDATE_XML}.asc`) !== undefined, repomd: iso.lookup('repodata/repomd.xml.asc') !== undefined },
  };
}

/** repomd.xml → each data file with its sha256 (docs/formats/containers.md §5: <checksum type="sha256">). */
export function repomdChecksums(xml: string, file: string): Array<{ type: string; href: string; checksumType: string; checksum: string }> {
  const root = parseXml(xml, file);
  if (root.name !== 'repomd') throw new SuppackError(`expected the root element <repomd>, got <${root.name}>`, { file });
  return root.children
    .filter((c) => c.name === 'data')
    .map((d, i) => {
      const href = child(d, 'location')?.attrs.href;
      const sum = child(d, 'checksum');
      if (!d.attrs.type || !href || !sum) {
        throw new SuppackError('expected a type, a location and a checksum (dnf needs all three)', { file, field: `data[${i}]` });
      }
      return { type: d.attrs.type, href, checksumType: sum.attrs.type ?? '', checksum: sum.text.trim().toLowerCase() };
    });
}

const REPOMD_HASHES: Readonly<Record<string, string>> = { sha256: 'sha256', sha512: 'sha512', sha384: 'sha384', sha224: 'sha224', sha1: 'sha1', sha: 'sha1' };

/** dnf's check of repomd.xml: every data file it lists is on the medium with the checksum it gives. */
async function checkRepomd(iso: IsoImage): Promise<UpdatePackageCheck[]> {
  const file = 'repodata/repomd.xml';
  const checks: UpdatePackageCheck[] = [];
  for (const d of repomdChecksums((await iso.readFile(file, MAX_METADATA_BYTES)).toString('utf8'), file)) {
    const entry = iso.lookup(d.href);
    const algo = REPOMD_HASHES[d.checksumType];
    if (!entry || entry.kind !== 'file') {
      checks.push({ file: d.href, ok: false, problem: `missing from the ISO (repomd.xml lists it as ${d.type})` });
    } else if (algo === undefined) {
      checks.push({ file: d.href, ok: false, problem: `repomd.xml gives an unknown checksum type ${JSON.stringify(d.checksumType.slice(0, 20))}` });
    } else {
      const hash = createHash(algo);
      for await (const chunk of iso.createReadStream(entry) as AsyncIterable<Buffer>) hash.update(chunk);
      const got = hash.digest('hex');
      checks.push(got === d.checksum ? { file: d.href, ok: true } : { file: d.href, ok: false, problem: `${d.checksumType} ${got}, repomd.xml says ${d.checksum}` });
    }
  }
  return checks;
}

/**
 * A signed update (update.xml key=): update.xml.asc and repodata/repomd.xml.asc must verify
 * against the public key published on the medium (what `gpg --verify` with that key says).
 */
async function checkSignatures(iso: IsoImage, r: UpdatePackReport): Promise<UpdatePackageCheck[]> {
  const keyName = r.update.key;
  if (keyName === undefined) return [];
  if (!iso.lookup(keyName)) return [{ file: keyName, ok: false, problem: 'missing: update.xml names it as the key= of the update' }];
  let keys;
  try {
    keys = readPublicKeys(await iso.readFile(keyName, MAX_METADATA_BYTES), keyName);
  } catch (e) {
    return [{ file: keyName, ok: false, problem: e instanceof SuppackError ? e.message.replace(`${keyName}: `, '') : 'not a readable public key' }];
  }
  const checks: UpdatePackageCheck[] = [];
  for (const doc of [UPDATE_XML, 'repodata/repomd.xml']) {
    const asc = `${doc}.asc`;
    if (!iso.lookup(asc)) {
      checks.push({ file: asc, ok: false, problem: `missing: update.xml names the key ${keyName}, so ${doc} must be signed` });
      continue;
    }
    const problem = detachedSignatureProblem(keys, await iso.readFile(asc, MAX_METADATA_BYTES), await iso.readFile(doc, MAX_METADATA_BYTES));
    checks.push(problem === undefined ? { file: asc, ok: true } : { file: asc, ok: false, problem: `${problem} (checked against ${keyName})` });
  }
  return checks;
}

/** The installer's check of each package, plus what xapi's apply needs: group update and update-<label>. */
export async function checkUpdate(iso: IsoImage, r: UpdatePackReport): Promise<UpdatePackageCheck[]> {
  const checks: UpdatePackageCheck[] = [...(await checkSignatures(iso, r)), ...(await checkRepomd(iso))];
  for (const p of r.packages) {
    const entry = iso.lookup(p.href);
    if (!entry || entry.kind !== 'file') {
      checks.push({ file: p.href, ok: false, problem: 'missing from the ISO' });
      continue;
    }
    if (entry.size !== p.size) {
      checks.push({ file: p.href, ok: false, problem: `size ${entry.size} bytes, primary.xml says ${p.size}` });
      continue;
    }
    // One read: the sha256 the installer checks, and the RPM's own digests and names (rpm -K, rpmbuild rules).
    const verdict = await verifyRpmStream(iso.createReadStream(entry) as AsyncIterable<Buffer>, p.href, entry.size, ['sha256'], checkRpmIdentity);
    const sha256 = verdict.hex.sha256!;
    if (sha256 !== p.sha256) checks.push({ file: p.href, ok: false, sha256, problem: `sha256 ${sha256}, primary.xml says ${p.sha256}` });
    else if (verdict.problem !== undefined) checks.push({ file: p.href, ok: false, sha256, problem: verdict.problem });
    else checks.push({ file: p.href, ok: true, sha256 });
  }
  if (!r.groups.includes('update')) checks.push({ file: 'repodata (comps)', ok: false, problem: 'no group update: xapi applies with dnf install @update' });
  const names = r.packages.map((p) => p.href.split('/').at(-1) ?? '');
  const want = updateRpmName(r.update.label);
  if (!names.some((n) => n.startsWith(`${want}-`))) checks.push({ file: `${want}-*.rpm`, ok: false, problem: 'missing: the installer installs it' });
  if (r.update.control && !names.some((n) => n.startsWith(`${r.update.control}-`))) {
    checks.push({ file: `${r.update.control}-*.rpm`, ok: false, problem: 'missing: update.xml names it as control' });
  }
  return checks;
}

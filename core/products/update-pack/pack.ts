/**
 * The update pack / driver disk, end to end (docs/formats/xenserver.md §2.2): payload RPMs in; update.xml, the
 * generated update-/control- RPMs, a yum repo with comps groups, detached signatures and the ISO
 * out — what the vendor's build-update made, natively. Two halves, so that the Nx plugin can cache
 * them as two stages and the CLI can run both: `updatePackMetadata` (update.xml and the generated
 * RPMs) and `writeUpdateIso` (signing, repodata, ISO).
 */
import { readInput } from '../../base/read-input';
import { promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { basename, dirname, join } from 'node:path';
import { SuppackError, withFile } from '../../base/errors';
import { hashFileFrom } from '../../base/digest';
import { encodeRpm, parseRpm, readPackRpms, type RpmInfo, type RpmSpecInput } from '../../formats/rpm';
import { signedRpm } from '../../formats/rpm/sign';
import { armorSignature, signDetached, signatureTime } from '../../formats/openpgp';
import { readRepoPackage, writeRepodata, type CompsGroup, type KnownRpm } from '../../formats/repodata';
import { writeIso, type IsoEntry } from '../../formats/iso';
import { parseXml } from '../../formats/xml/read';
import { decodeXmlBytes } from '../../formats/xml/encoding';
import { UPDATE_XML, appliedStamp, updateXml, type UpdateXml } from '../../xenserver/update/update-xml';
import {
  controlRpmName,
  controlRpmSpec,
  hasControlRpm,
  resolveUpdateVersion,
  updateRpmName,
  updateRpmSpec,
} from '../../xenserver/update/update-rpms';
import { loadUpdateSigning, type SigningSource, type UpdateSigning } from '../../xenserver/update/signing';
import { makeOutputDir, writeAllAtomically } from '../../base/output';
import { packOutputFamily } from '../output-family';
import { checkRpmsForHost, checkSigningKeyForHost } from '../../xenserver/host-check';
import { HASH_ALGO, UPDATE_HOSTS } from '../../xenserver/hosts';
import { removeStaleTemps, tempSibling } from '../../base/temp-names';
import type { UpdatePack } from '../../../schemas/update-pack';
import { removingNewDirsOnFailure } from '../../base/make-dir';

export const PACKAGES_DIR = 'Packages';

/** The files a pack names, resolved by the caller (relative to the project, or as given on the command line). */
export interface UpdatePackFiles {
  precheck?: string;
  remove?: string;
  /** The public key file (signing on). */
  key?: string;
  groupfile?: string;
}

export interface UpdateMetadata {
  version: string;
  updateXml: string;
  /** The payload RPMs, in file name order. */
  payload: RpmInfo[];
  /** update-<label> and, when asked for, control-<label>: file name and bytes. */
  generated: Array<{ fileName: string; bytes: Buffer }>;
  /** What the read of the payload RPMs found (headers, size, sha256), by path: writeUpdateIso does not read them again. */
  known: ReadonlyMap<string, KnownRpm>;
}

export function rpmSpecFileName(s: Pick<RpmSpecInput, 'name' | 'version' | 'release' | 'arch'>): string {
  return `${s.name}-${s.version}-${s.release}.${s.arch}.rpm`;
}

/** The ISO's file name: `<label>.iso`, or XCP-ng's `<label>-<version>.iso` for a driver disk (docs/formats/xenserver.md §2.5). */
export function updateIsoName(pack: UpdatePack, version: string): string {
  return pack.driverDisk ? `${pack.label}-${version}.iso` : `${pack.label}.iso`;
}

function readField(path: string, field: string): Promise<Buffer> {
  return readInput(path, { field });
}

/** Read the payload RPMs and render update.xml and the generated RPMs. Nothing is written. */
export async function updatePackMetadata(
  pack: UpdatePack,
  rpmPaths: readonly string[],
  files: UpdatePackFiles,
  epoch: number,
): Promise<UpdateMetadata> {
  if (rpmPaths.length === 0) throw new SuppackError('no packages given: expected one or more payload RPM files');
  const seen = new Map<string, string>();
  for (const p of rpmPaths) {
    const prior = seen.get(basename(p));
    if (prior !== undefined) {
      throw new SuppackError(`same file name as ${prior}: every package of an update needs its own file name`, { file: p });
    }
    seen.set(basename(p), p);
  }
  const payload: RpmInfo[] = [];
  const sorted = [...rpmPaths].sort((a, b) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0));
  const read = await readPackRpms(sorted, ['sha256']);
  for (const [i, p] of sorted.entries()) {
    const { info } = read[i]!;
    if (info.isSource) {
      throw new SuppackError('is a source RPM: an update carries binary RPMs only', { file: p });
    }
    const reserved = [updateRpmName(pack.label), controlRpmName(pack.label)];
    if (reserved.includes(info.name)) {
      throw new SuppackError(`package name ${info.name} is the one build-update gives its generated RPM: rename the package or the label`, {
        file: p,
      });
    }
    payload.push(info);
  }
  const version = resolveUpdateVersion(
    pack,
    payload.map((i) => ({ ...i, kernelModules: i.files.some((f) => f.path.startsWith('/lib/modules/') && f.path.endsWith('.ko')) })),
  );
  const control = hasControlRpm(pack) ? controlRpmName(pack.label) : undefined;
  const doc: UpdateXml = {
    uuid: pack.uuid,
    label: pack.label,
    version,
    description: pack.description,
    installationSize: payload.reduce((sum, i) => sum + i.size, 0),
    afterApply: pack.afterApply,
    ...(files.key !== undefined ? { key: basename(files.key) } : {}),
    ...(control !== undefined ? { control } : {}),
    ...(pack.enforceHomogeneity ? { enforceHomogeneity: true } : {}),
    rollups: pack.rollups,
  };
  const text = updateXml(doc);
  const input = {
    pack,
    version,
    payload,
    appliedStamp: appliedStamp(doc),
    epoch,
    ...(files.precheck !== undefined ? { precheck: await readField(files.precheck, 'precheck'), precheckFile: files.precheck } : {}),
    ...(files.remove !== undefined ? { remove: await readField(files.remove, 'remove') } : {}),
  };
  const specs = [updateRpmSpec(input), controlRpmSpec(input)].filter((s): s is RpmSpecInput => s !== undefined);
  // The generated RPMs follow the host table like build-rpms does (core/xenserver/hosts.ts).
  const fileDigest = UPDATE_HOSTS.rpm.buildFileDigest === HASH_ALGO.md5 ? 'md5' : 'sha256';
  const generated = specs.map((s) => ({ fileName: rpmSpecFileName(s), bytes: encodeRpm({ ...s, fileDigest }) }));
  for (const g of generated) {
    if (seen.has(g.fileName)) throw new SuppackError(`collides with the generated ${g.fileName}`, { file: seen.get(g.fileName) });
  }
  // Every RPM of the update must install with the hosts' rpm (docs/hosts.md).
  await checkRpmsForHost([...read.map(({ info, head }) => ({ path: info.path, head: { info, bytes: head } })), ...generated.map((g) => ({ path: g.fileName, bytes: g.bytes }))], UPDATE_HOSTS);
  const known = new Map(read.map(({ info, head, size, hex }) => [info.path, { info, head, size, sha256: hex.sha256! }] as const));
  return { version, updateXml: text, payload, generated, known };
}

/**
 * The default group file (docs/formats/xenserver.md §2.2 step 7, 2.5): `update` named by the label, as
 * build-update's group_file() writes it, plus XCP-ng's `drivers` on a driver disk.
 */
export function updateGroups(pack: UpdatePack): CompsGroup[] {
  const pkgs = [updateRpmName(pack.label)];
  const groups: CompsGroup[] = [{ id: 'update', name: pack.label, packages: pkgs }];
  if (pack.driverDisk) groups.push({ id: 'drivers', name: 'Host Installer Driver Update', packages: pkgs });
  return groups;
}

/**
 * A user group file must be UTF-8 (or ASCII) and define the groups xapi (`update`) and the
 * installer (`drivers`) install. dnf's comps reader (libcomps) reads UTF-8 whatever the XML
 * declaration says, yum's honours the declaration: only UTF-8 reads alike on every host
 * (docs/update-packs.md, "Group file").
 */
export function checkGroupFile(bytes: Buffer, file: string, pack: UpdatePack): void {
  const { text, encoding } = decodeXmlBytes(bytes, file);
  if (encoding === 'UTF-16' || (encoding !== 'UTF-8' && bytes.some((b) => b >= 0x80))) {
    throw new SuppackError(
      `expected a UTF-8 group file, got ${encoding} text: dnf reads comps as UTF-8 whatever the XML declaration says, so the host would refuse it (convert it with iconv -t UTF-8 and declare encoding="UTF-8")`,
      { file },
    );
  }
  const root = parseXml(text, file);
  if (root.name !== 'comps') throw new SuppackError(`expected the root element <comps>, got <${root.name}>`, { file });
  const ids = new Set(
    root.children.filter((c) => c.name === 'group').map((g) => g.children.find((c) => c.name === 'id')?.text.trim() ?? ''),
  );
  for (const id of pack.driverDisk ? ['update', 'drivers'] : ['update']) {
    if (!ids.has(id)) {
      throw new SuppackError(`has no group with id ${id}: ${id === 'update' ? 'xapi applies an update with dnf install @update' : 'the host installer loads a driver disk with @drivers'}`, {
        file,
      });
    }
  }
}

export interface UpdateIsoBuild {
  pack: UpdatePack;
  version: string;
  updateXml: string;
  /** Every RPM of the repo: payload and generated. */
  rpms: readonly string[];
  /** What an earlier read found of some of them (UpdateMetadata.known): their headers and sha256 are not read again. */
  known?: ReadonlyMap<string, KnownRpm>;
  groupfile?: string;
  signing?: UpdateSigning;
  epoch: number;
  onProgress?: (p: { written: number; total: number }) => void;
}

/**
 * Write the update ISO to `dest` (created or truncated; callers make it atomic): Packages/ with
 * every RPM (signed when `signing` is given), repodata/ with the comps groups, update.xml, and
 * with signing update.xml.asc, repodata/repomd.xml.asc and the public key. Returns the ISO's sha256.
 */
export async function writeUpdateIso(o: UpdateIsoBuild, dest: string): Promise<string> {
  const stage = tempSibling(dest, 'stage');
  try {
    await makeOutputDir(stage);
    const time = o.signing ? signatureTime(o.signing.key, o.epoch) : o.epoch;
    const entries: IsoEntry[] = [];
    const addBuffer = (path: string, data: Buffer) =>
      entries.push({ path, kind: 'file', size: data.length, source: () => Readable.from([data]), mode: 0o644 });
    const names = new Set<string>();
    const repoPackages = [];
    const expected = new Map<string, { path: string; sha256: string }>();
    for (const rpm of [...o.rpms].sort((a, b) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0))) {
      const name = basename(rpm);
      if (names.has(name)) throw new SuppackError(`two RPMs named ${name} in one update`, { file: rpm });
      names.add(name);
      const href = `${PACKAGES_DIR}/${name}`;
      if (o.signing) {
        // Signed: no signed copy on disk. The copy is its new lead and signature, then the
        // original's bytes. One read gives the copy's sha256 (for the repodata; checked again as
        // the bytes are copied into the ISO) and the original's (which must be the one checked
        // before, when the metadata was made).
        const signed = await signedRpm(rpm, o.signing.key, time);
        const { size, hex } = withFile(rpm, () =>
          hashFileFrom(rpm, signed.from, [
            { algorithm: 'sha256', prefix: signed.prefix },
            { algorithm: 'sha256', prefix: signed.replaced },
          ]),
        );
        const before = o.known?.get(rpm);
        // The original's size as this read found it, against the signature's read and the metadata's.
        const now = signed.from + size;
        for (const was of [signed.from + signed.size - signed.prefix.length, before?.size ?? now]) {
          if (now !== was) throw new SuppackError(`changed while the update was built: it has ${now} bytes, ${was} when it was read before`, { file: rpm });
        }
        if (before !== undefined && hex[1] !== before.sha256) {
          throw new SuppackError('changed while the update was built: its sha256 is not the one read before', { file: rpm });
        }
        const sha256 = hex[0]!;
        const info = parseRpm(signed.head, rpm, signed.size);
        repoPackages.push(await readRepoPackage(rpm, href, o.epoch, { info, head: signed.head, size: signed.size, sha256 }));
        expected.set(href, { path: rpm, sha256 });
        entries.push({ path: href, kind: 'file', size: signed.size, source: { path: rpm, from: signed.from, prefix: signed.prefix }, mode: 0o644, digests: [{ algorithm: 'sha256' }] });
        continue;
      }
      // Unsigned, the ISO carries the very file that was read: its sha256 is checked again as it
      // is copied, so that the repodata cannot name other bytes than the ISO holds.
      const known = o.known?.get(rpm);
      const repoPackage = await readRepoPackage(rpm, href, o.epoch, known);
      repoPackages.push(repoPackage);
      const digests = known ? { digests: [{ algorithm: 'sha256' }] } : {};
      if (known) expected.set(href, { path: rpm, sha256: known.sha256 });
      entries.push({ path: href, kind: 'file', size: repoPackage.size, source: rpm, mode: 0o644, ...digests });
    }
    let comps: Buffer | undefined;
    if (o.groupfile !== undefined) {
      // checked, then shipped byte for byte as createrepo_c -g does
      comps = await readField(o.groupfile, 'groupfile');
      checkGroupFile(comps, o.groupfile, o.pack);
    }
    const repo = await writeRepodata({
      packages: repoPackages,
      outDir: stage,
      revision: o.epoch,
      ...(comps !== undefined ? { comps } : { groups: updateGroups(o.pack) }),
    });
    for (const file of repo.files) {
      const bytes = await fsp.readFile(file);
      addBuffer(`repodata/${basename(file)}`, bytes);
      if (o.signing && basename(file) === 'repomd.xml') {
        addBuffer('repodata/repomd.xml.asc', Buffer.from(armorSignature(signDetached(o.signing.key, bytes, { time })), 'utf8'));
      }
    }
    const xml = Buffer.from(o.updateXml, 'utf8');
    addBuffer(UPDATE_XML, xml);
    if (o.signing) {
      addBuffer(`${UPDATE_XML}.asc`, Buffer.from(armorSignature(signDetached(o.signing.key, xml, { time })), 'utf8'));
      if (![UPDATE_XML, `${UPDATE_XML}.asc`, PACKAGES_DIR, 'repodata'].includes(o.signing.publicKey.name)) {
        addBuffer(o.signing.publicKey.name, o.signing.publicKey.data);
      }
    }
    const written = await writeIso(
      entries,
      {
        volumeId: o.pack.volumeId ?? o.pack.label,
        ...(o.pack.vendorName ? { applicationId: o.pack.vendorName } : {}),
        epoch: o.epoch,
        digests: ['sha256'],
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      },
      dest,
    );
    for (const [isoPath, { path, sha256 }] of expected) {
      if (written.files?.get(isoPath)?.[0] !== sha256) {
        throw new SuppackError('changed while the update was built: its sha256 is not the one read before', { file: path });
      }
    }
    return written.sha256 as string;
  } finally {
    await fsp.rm(stage, { recursive: true, force: true });
  }
}

/** `sha256sum` format: `<hex>  <name>\n`. */
export function sha256File(hex: string, name: string): string {
  return `${hex}  ${name}\n`;
}

export interface UpdatePackBuild {
  pack: UpdatePack;
  rpms: readonly string[];
  files: UpdatePackFiles;
  /** Where the secret key comes from when files.key turns signing on. */
  signing?: SigningSource;
  /** The ISO file, or an existing directory to write `updateIsoName()` into. */
  output: string;
  epoch: number;
  onProgress?: (p: { written: number; total: number }) => void;
}

/**
 * Everything in one go (the CLI's build-update and the gulp plugin): the same bytes as the
 * pack-metadata and build-iso stages for the same inputs, the ISO and its `<iso>.sha256`.
 * Returns the ISO path, sha256 and version.
 */
export async function buildUpdatePack(o: UpdatePackBuild): Promise<{ iso: string; sha256: string; version: string; removed: string[] }> {
  return removingNewDirsOnFailure(dirname(o.output), () => buildUpdatePackIn(o));
}

async function buildUpdatePackIn(o: UpdatePackBuild): Promise<{ iso: string; sha256: string; version: string; removed: string[] }> {
  const meta = await updatePackMetadata(o.pack, o.rpms, o.files, o.epoch);
  const signing = o.files.key !== undefined ? await loadUpdateSigning(o.files.key, o.signing) : undefined;
  if (signing && o.files.key !== undefined) checkSigningKeyForHost(signing.key, o.files.key, UPDATE_HOSTS);
  const isDir = await fsp.stat(o.output).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const iso = isDir ? join(o.output, updateIsoName(o.pack, meta.version)) : o.output;
  await makeOutputDir(dirname(iso)); // first, so that an error names it, not a temp directory in it
  await removeStaleTemps(iso);
  const work = tempSibling(iso, 'rpms');
  try {
    await makeOutputDir(work);
    const generated: string[] = [];
    for (const g of meta.generated) {
      const path = join(work, g.fileName);
      await fsp.writeFile(path, g.bytes);
      generated.push(path);
    }
    // The ISO and its .sha256 are one set (core/base/output.ts): replaced together, as the Nx stage does.
    let sha256 = '';
    const { removed } = await writeAllAtomically([
      {
        dest: iso,
        write: async (tmp) => {
          sha256 = await writeUpdateIso(
            {
              pack: o.pack,
              version: meta.version,
              updateXml: meta.updateXml,
              rpms: [...o.rpms, ...generated],
              known: meta.known,
              ...(o.files.groupfile !== undefined ? { groupfile: o.files.groupfile } : {}),
              ...(signing ? { signing } : {}),
              epoch: o.epoch,
              ...(o.onProgress ? { onProgress: o.onProgress } : {}),
            },
            tmp,
          );
        },
      },
      { dest: `${iso}.sha256`, write: (tmp) => fsp.writeFile(tmp, sha256File(sha256, basename(iso)), { mode: 0o644 }) },
    ], packOutputFamily(iso));
    return { iso, sha256, version: meta.version, removed };
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}

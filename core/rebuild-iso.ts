/**
 * rebuild-iso (formats.md 4, the DDK's rebuild-iso.sh / rebuild.functions): a XenServer installer
 * ISO plus legacy packs, an answerfile and extra files becomes a new installer ISO. Instead of
 * extracting and rebuilding, the input is copied and one session is appended (iso-rpm.md 3), so
 * the BIOS and UEFI boot of the input survives and the cost is close to a file copy:
 *  - packs go to `packages.<label>/`, named in XS-REPOSITORY-LIST (legacy installers);
 *  - the answerfile goes into install.img at /answerfile.xml as an appended gzip newc member (no
 *    recompression), and `answerfile=file:///answerfile.xml install` joins the dom0 arguments of
 *    every install entry of isolinux.cfg, EFI/<vendor>/grub*.cfg and the grub.cfg copies inside
 *    boot/efiboot.img;
 *  - driver RPMs (the DDK's pushinitrd) go into install.img the same way, in a member before the
 *    answerfile's: their /lib/modules/<kver>/ and /lib/firmware/ files and the module indexes that
 *    the real depmod regenerates over install.img's own modules (core/installer/drivers.ts).
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { join, posix, relative, sep } from 'node:path';
import { SuppackError, describeNodeError, isNodeError, isSuppackError } from './errors';
import { appendSession, openIso, type IsoEntry, type IsoImage } from './iso';
import { openFat } from './fat';
import {
  REPOSITORY_LIST,
  addToRepositoryList,
  answerfileParams,
  detectInstallerLayout,
  encodeInitrdMember,
  initrdPadding,
  parseAnswerfile,
  patchGrubCfg,
  patchIsolinuxCfg,
  type InstallerLayout,
} from './installer';
import { buildDriverMember, type InjectedDriver } from './installer/drivers';
import { openPackSources } from './pack-sources';

export interface IncludeSpec {
  /** A file or directory on disk. */
  from: string;
  /** Where it goes in the ISO (relative, POSIX); default its base name at the root. */
  to?: string;
}

export interface RebuildIsoBuild {
  /** The installer ISO to start from. */
  input: string;
  output: string;
  /** Legacy pack ISOs (or combined ones) to add. */
  packs?: readonly string[];
  answerfile?: string;
  /** Driver RPMs whose kernel modules and firmware go into install.img, with regenerated module indexes. */
  drivers?: readonly string[];
  include?: readonly IncludeSpec[];
  /** Default: the input's volume id. */
  volumeId?: string;
  epoch: number;
  onProgress?: (p: { written: number; total: number }) => void;
}

export interface RebuildIsoResult {
  iso: string;
  /** Pack directories added, in XS-REPOSITORY-LIST order. */
  packDirs: string[];
  /** Boot menus patched with the answerfile parameters, with the entries changed. */
  patched: Array<{ file: string; entries: string[] }>;
  /** The drivers put into install.img, in the order given. */
  drivers: InjectedDriver[];
}

const MAX_CONFIG_BYTES = 1 << 20;
const MAX_EFIBOOT_BYTES = 64 << 20;

function bufferEntry(path: string, data: Buffer, mode = 0o644): IsoEntry {
  return { path, kind: 'file', size: data.length, source: () => Readable.from([data]), mode };
}

/** The concatenation of the input's install.img and the appended member, streamed. */
function appendedFile(iso: IsoImage, isoPath: string, path: string, size: number, tail: Buffer): IsoEntry {
  const extents = iso.lookup(path)?.extents ?? [];
  // One extent (the usual case): read it straight from the image in large reads.
  const body = (): AsyncIterable<Buffer> =>
    extents.length === 1 && size > 0
      ? (createReadStream(isoPath, { start: extents[0]!.lba * iso.volume.blockSize, end: extents[0]!.lba * iso.volume.blockSize + size - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
      : (iso.createReadStream(path) as AsyncIterable<Buffer>);
  return {
    path,
    kind: 'file',
    size: size + tail.length,
    mode: 0o644,
    source: () =>
      Readable.from(
        (async function* () {
          for await (const chunk of body()) yield chunk;
          yield tail;
        })(),
      ),
  };
}

async function includeEntries(spec: IncludeSpec, index: number): Promise<IsoEntry[]> {
  const field = `include[${index}]`;
  const st = await fsp.stat(spec.from).catch((e: unknown) => {
    throw new SuppackError(`cannot read it: ${isNodeError(e) ? describeNodeError(e) : String(e)}`, { file: spec.from, field });
  });
  const to = (spec.to ?? posix.basename(spec.from.split(sep).join('/'))).replace(/^\/+|\/+$/g, '');
  if (to === '' || to.split('/').some((c) => c === '' || c === '.' || c === '..')) {
    throw new SuppackError(`expected a relative path inside the ISO, got ${JSON.stringify(spec.to)}`, { field: `${field}.to` });
  }
  if (st.isFile()) return [{ path: to, kind: 'file', size: st.size, source: spec.from, mode: st.mode & 0o777 }];
  if (!st.isDirectory()) throw new SuppackError('expected a regular file or a directory', { file: spec.from, field });
  const out: IsoEntry[] = [{ path: to, kind: 'dir' }];
  const walk = async (dir: string): Promise<void> => {
    const ents = (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of ents) {
      const abs = join(dir, d.name);
      const rel = `${to}/${relative(spec.from, abs).split(sep).join('/')}`;
      if (d.isDirectory()) {
        out.push({ path: rel, kind: 'dir' });
        await walk(abs);
      } else if (d.isSymbolicLink()) {
        out.push({ path: rel, kind: 'symlink', target: await fsp.readlink(abs) });
      } else if (d.isFile()) {
        const s = await fsp.stat(abs);
        out.push({ path: rel, kind: 'file', size: s.size, source: abs, mode: s.mode & 0o777 });
      }
    }
  };
  await walk(spec.from);
  return out;
}

/** Patch every boot menu of the input; at least one install entry must be found somewhere. */
async function patchBootMenus(iso: IsoImage, layout: InstallerLayout, input: string, params: string[]) {
  const files: IsoEntry[] = [];
  const patched: RebuildIsoResult['patched'] = [];
  const noEntry = (e: unknown) => isSuppackError(e) && /no .*entry/i.test(e.message);
  const menus = [
    ...(layout.isolinuxCfg ? [{ path: layout.isolinuxCfg, patch: patchIsolinuxCfg }] : []),
    ...layout.grubCfgs.map((path) => ({ path, patch: patchGrubCfg })),
  ];
  for (const m of menus) {
    const text = (await iso.readFile(m.path, MAX_CONFIG_BYTES)).toString('utf8');
    try {
      const r = m.patch(text, params, `${input}: ${m.path}`);
      if (r.text !== text) files.push(bufferEntry(m.path, Buffer.from(r.text, 'utf8')));
      patched.push({ file: m.path, entries: r.patched });
    } catch (e) {
      if (!noEntry(e)) throw e;
    }
  }
  if (layout.efiBootImg) {
    // formats.md 4: some media keep a grub.cfg copy inside the EFI boot image; patch it too.
    const image = await iso.readFile(layout.efiBootImg, MAX_EFIBOOT_BYTES);
    let current = image;
    let fat = openFat(current, `${input}: ${layout.efiBootImg}`);
    for (const path of fat.list().filter((p) => /(^|\/)grub[^/]*\.cfg$/i.test(p))) {
      const text = fat.readFile(path)!.toString('utf8');
      try {
        const r = patchGrubCfg(text, params, `${input}: ${layout.efiBootImg}: ${path}`);
        if (r.text !== text) {
          current = fat.replaceFile(path, Buffer.from(r.text, 'utf8'));
          fat = openFat(current, `${input}: ${layout.efiBootImg}`);
        }
        patched.push({ file: `${layout.efiBootImg}:${path}`, entries: r.patched });
      } catch (e) {
        if (!noEntry(e)) throw e;
      }
    }
    if (current !== image) files.push(bufferEntry(layout.efiBootImg, current));
  }
  if (patched.length === 0) {
    throw new SuppackError('no install entry in any boot menu (isolinux.cfg, EFI grub*.cfg) to add the answerfile parameters to', {
      file: input,
    });
  }
  return { files, patched };
}

export async function rebuildIso(o: RebuildIsoBuild): Promise<RebuildIsoResult> {
  const iso = await openIso(o.input);
  const packs = await openPackSources(o.packs ?? []).catch(async (e: unknown) => {
    await iso.close();
    throw e;
  });
  try {
    const layout = detectInstallerLayout(
      iso.entries().filter((e) => e.kind === 'file').map((e) => e.path),
      o.input,
    );
    const files: IsoEntry[] = [];
    const existing = new Map(layout.packDirs.map((d) => [d.toLowerCase(), d]));
    for (const s of packs.sources) {
      const clash = existing.get(s.dir.toLowerCase());
      if (clash !== undefined) {
        throw new SuppackError(`its pack directory ${s.dir} already exists on the installer ISO (${clash}): give the pack another label`, {
          file: s.file,
        });
      }
      files.push(...s.entries);
    }
    const packDirs = packs.sources.map((s) => s.dir);
    if (packDirs.length > 0) {
      const old = layout.repositoryList ? await iso.readFile(layout.repositoryList, MAX_CONFIG_BYTES) : undefined;
      files.push(bufferEntry(layout.repositoryList ?? REPOSITORY_LIST, Buffer.from(addToRepositoryList(old, packDirs), 'utf8')));
    }
    let patched: RebuildIsoResult['patched'] = [];
    const img = iso.lookup(layout.installImg)!;
    const members: Buffer[] = [];
    let drivers: InjectedDriver[] = [];
    if (o.drivers !== undefined && o.drivers.length > 0) {
      const d = await buildDriverMember(() => iso.createReadStream(img), `${o.input}: ${layout.installImg}`, o.drivers, o.epoch);
      members.push(d.member);
      drivers = d.drivers;
    }
    // The answerfile's member stays last: inspect finds it in the image's tail.
    if (o.answerfile !== undefined) {
      const bytes = await fsp.readFile(o.answerfile).catch((e: unknown) => {
        throw new SuppackError(`cannot read it: ${isNodeError(e) ? describeNodeError(e) : String(e)}`, { file: o.answerfile });
      });
      const answerfile = parseAnswerfile(bytes, o.answerfile);
      members.push(encodeInitrdMember([{ path: 'answerfile.xml', data: answerfile.bytes }], o.epoch));
    }
    if (members.length > 0) files.push(appendedFile(iso, o.input, layout.installImg, img.size, Buffer.concat([initrdPadding(img.size), ...members])));
    if (o.answerfile !== undefined) {
      const menus = await patchBootMenus(iso, layout, o.input, answerfileParams());
      files.push(...menus.files);
      patched = menus.patched;
    }
    for (const [i, spec] of (o.include ?? []).entries()) files.push(...(await includeEntries(spec, i)));
    await appendSession(
      o.input,
      o.output,
      { files },
      {
        epoch: o.epoch,
        ...(o.volumeId !== undefined ? { volumeId: o.volumeId } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        digests: [],
      },
    );
    return { iso: o.output, packDirs, patched, drivers };
  } finally {
    await packs.close();
    await iso.close();
  }
}

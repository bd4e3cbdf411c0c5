/**
 * The changes rebuild-iso makes to an installer ISO (docs/formats/xenserver.md §4): pack directories and
 * XS-REPOSITORY-LIST, install.img grown by the drivers' and answerfile's initramfs members, the
 * patched boot menus, and included files. Loaded by core/products/installer-iso/rebuild.ts once the copy runs.
 */
import { readInput } from '../../base/read-input';
import { promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { join, posix, relative, sep } from 'node:path';
import { SuppackError, describeError } from '../../base/errors';
import { openIso, type IsoDirent, type IsoEntry, type IsoImage } from '../../formats/iso';
import type { AppendChanges, FileExtension } from '../../formats/iso/append';
import { openFat } from '../../formats/fat';
import {
  REPOSITORY_LIST,
  addToRepositoryList,
  answerfileParams,
  detectInstallerLayout,
  patchBootMenu,
  readInstallerMenus,
  encodeInitrdMember,
  initrdPadding,
  injectedAnswerfile,
  loaderUnpackedCompression,
  parseAnswerfile,
  type InstallerLayout,
} from '../../xenserver/installer';
import type { InjectedDriver } from '../../xenserver/installer/drivers';
import { openPackSources } from '../../xenserver/pack-sources';
import type { IncludeSpec, MenuReport, RebuildIsoBuild, RebuildIsoResult } from './types';
import { openInput, specialFileKind } from '../../base/open-input';
import { printableLine } from '../../base/printable';

const MAX_CONFIG_BYTES = 1 << 20;

function bufferEntry(path: string, data: Buffer, mode = 0o644): IsoEntry {
  return { path, kind: 'file', size: data.length, source: () => Readable.from([data]), mode };
}

async function includeEntries(spec: IncludeSpec, index: number): Promise<IsoEntry[]> {
  const field = `include[${index}]`;
  const st = await fsp.stat(spec.from).catch((e: unknown) => {
    throw new SuppackError(`cannot read it: ${describeError(e)}`, { file: spec.from, field });
  });
  const to = (spec.to ?? posix.basename(spec.from.split(sep).join('/'))).replace(/^\/+|\/+$/g, '');
  if (to === '' || to.split('/').some((c) => c === '' || c === '.' || c === '..')) {
    throw new SuppackError(`expected a relative path inside the ISO, got ${JSON.stringify(spec.to)}`, { field: `${field}.to` });
  }
  if (st.isFile()) return [{ path: to, kind: 'file', size: st.size, source: spec.from, mode: st.mode & 0o777 }];
  if (!st.isDirectory()) throw new SuppackError(`is ${specialFileKind(st)}, expected a regular file or a directory`, { file: spec.from, field });
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
      } else {
        // a FIFO, a device or a socket: an ISO holds none, and leaving it out would be a silent change
        const kind = specialFileKind(await fsp.lstat(abs));
        throw new SuppackError(`is ${kind}, expected a regular file, a directory or a symbolic link`, { file: abs, field });
      }
    }
  };
  await walk(spec.from);
  return out;
}

/**
 * Patch the boot menus of the input (docs/cli/rebuild-iso.md, "Boot menus"): by default the
 * install entries of every menu, on the ISO and inside its El Torito FAT images; with `names`,
 * exactly the entries named. A name no menu has, a named entry that cannot be patched, and a menu
 * with Xen entries of which none is patched are errors; so is an ISO where nothing is patched.
 */
async function patchBootMenus(iso: IsoImage, layout: InstallerLayout, input: string, params: string[], names: readonly string[] | undefined) {
  const files: IsoEntry[] = [];
  const reports: MenuReport[] = [];
  const { menus, images } = await readInstallerMenus(iso, input, layout);
  if (names !== undefined) {
    const all = menus.flatMap((m) => m.menu.entries);
    for (const n of names) {
      if (!all.some((e) => e.name === n || e.path === n)) {
        const known = [...new Set(all.map((e) => JSON.stringify(e.path)))].join(', ');
        throw new SuppackError(`boot entry ${JSON.stringify(n)} is in no boot menu; the menus have ${known || 'no entries'}`, { file: input, field: 'boot entries' });
      }
    }
  }
  const imageBytes = new Map(images.map((i) => [i.path, i.bytes]));
  for (const m of menus) {
    const r = patchBootMenu(m.menu, params, names);
    reports.push({
      file: m.file,
      patched: r.patched.map((e) => e.path),
      left: r.left.map((l) => ({ entry: l.entry.path, reason: l.reason })),
    });
    if (r.text === m.menu.text) continue;
    const data = Buffer.from(r.text, 'utf8');
    if (m.image === undefined) files.push(bufferEntry(m.path, data));
    else imageBytes.set(m.image, openFat(imageBytes.get(m.image)!, `${input}: ${m.image}`).replaceFile(m.path, data));
  }
  for (const img of images) {
    const now = imageBytes.get(img.path)!;
    if (now !== img.bytes) files.push(bufferEntry(img.path, now));
  }
  if (!reports.some((r) => r.patched.length > 0)) {
    throw new SuppackError('no install entry in any boot menu (isolinux.cfg, EFI grub*.cfg, El Torito FAT images) to add the answerfile parameters to', {
      file: input,
    });
  }
  return { files, menus: reports };
}

/** The first `n` bytes of a file of the image (fewer when it is shorter). */
async function firstBytes(isoPath: string, iso: IsoImage, file: IsoDirent, n: number): Promise<Buffer> {
  const first = file.extents[0];
  if (!first) return Buffer.alloc(0);
  const buf = Buffer.alloc(Math.min(n, first.length));
  const fh = await openInput(isoPath);
  try {
    await fh.read(buf, 0, buf.length, first.lba * iso.volume.blockSize);
  } finally {
    await fh.close();
  }
  return buf;
}

/** The changes a rebuild makes; `close` once they are written (pack sources are read then). */
export async function rebuildChanges(o: RebuildIsoBuild): Promise<{ changes: AppendChanges; result: RebuildIsoResult; close: () => Promise<void> }> {
  const iso = await openIso(o.input);
  try {
    const layout = detectInstallerLayout(
      iso.entries().filter((e) => e.kind === 'file').map((e) => e.path),
      o.input,
    );
    const packs = await openPackSources(o.packs ?? []);
    try {
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
      let menus: MenuReport[] = [];
      const answerfileWarnings: string[] = [];
      const img = iso.lookup(layout.installImg)!;
      // Later members overwrite earlier ones, so driver module indexes must follow the image's own,
      // and a new answerfile must follow one an earlier rebuild put in; otherwise the answerfile may
      // go before the image's data as well (a raw cpio), which often lets the image grow in place.
      // An image that starts compressed (gzip, xz) is unpacked by the boot loader, which drops
      // whatever follows its first stream: there the answerfile can only go first.
      const unpacked = loaderUnpackedCompression(await firstBytes(o.input, iso, img, 16));
      const hasDrivers = o.drivers !== undefined && o.drivers.length > 0;
      if (unpacked && hasDrivers) {
        throw new SuppackError(
          `${layout.installImg} starts with ${unpacked} data, which the boot loaders (mboot.c32, GRUB) unpack on loading, dropping anything after it: drivers cannot be added after the image's own modules; repack install.img with bzip2 (the XenServer default)`,
          { file: o.input },
        );
      }
      const tailMembers: Buffer[] = [];
      let drivers: InjectedDriver[] = [];
      if (hasDrivers) {
        const { buildDriverMember } = await import('../../xenserver/installer/drivers');
        const d = await buildDriverMember(() => iso.createReadStream(img), `${o.input}: ${layout.installImg}`, o.drivers!, o.epoch);
        tailMembers.push(d.member);
        drivers = d.drivers;
      }
      let head: Buffer | undefined;
      if (o.answerfile !== undefined) {
        const bytes = await readInput(o.answerfile);
        const answerfile = parseAnswerfile(bytes, o.answerfile);
        // one line each, whatever the answerfile's values hold (docs/security.md, "What suppack prints")
        answerfileWarnings.push(...answerfile.model.warnings.map((w) => printableLine(`${o.answerfile}: ${w}`)));
        const files = [{ path: 'answerfile.xml', data: answerfile.bytes }];
        tailMembers.push(encodeInitrdMember(files, o.epoch));
        if (!hasDrivers && (await injectedAnswerfile(iso, o.input, layout.installImg)) === null) head = encodeInitrdMember(files, o.epoch, true);
      }
      const extend: FileExtension[] = [];
      if (tailMembers.length > 0) {
        if (unpacked && !head) {
          throw new SuppackError(
            `${layout.installImg} starts with ${unpacked} data, which the boot loaders unpack on loading, dropping anything after it, and it has an answerfile already: rebuild from the original installer ISO`,
            { file: o.input },
          );
        }
        extend.push({
          path: layout.installImg,
          ...(unpacked ? {} : { tail: Buffer.concat([initrdPadding(img.size), ...tailMembers]) }),
          ...(head ? { head } : {}),
        });
      }
      if (o.answerfile !== undefined) {
        const patchedMenus = await patchBootMenus(iso, layout, o.input, answerfileParams(), o.bootEntries);
        files.push(...patchedMenus.files);
        menus = patchedMenus.menus;
      }
      for (const [i, spec] of (o.include ?? []).entries()) files.push(...(await includeEntries(spec, i)));
      return { changes: { files, extend }, result: { iso: o.output, packDirs, menus, drivers, answerfileWarnings }, close: () => packs.close() };
    } catch (e) {
      await packs.close();
      throw e;
    }
  } finally {
    await iso.close();
  }
}

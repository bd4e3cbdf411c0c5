/**
 * The DDK's `depmod -a <ver>` after unpacking a driver RPM into the installer ramdisk (docs/formats/xenserver.md §4),
 * without rewriting the ramdisk: the ramdisk's /lib/modules/<kver>/ trees (and depmod.d) are
 * extracted to a work directory, the drivers' modules copied in, the real `depmod -b` run, and the
 * index files it wrote (modules.dep, modules.alias.bin, ...) returned for the appended member.
 * Paths follow the ramdisk's own symlinks (e.g. `lib -> usr/lib`), as the kernel does when it
 * unpacks later members over earlier ones.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { SuppackError } from '../../base/errors';
import type { CpioEntry } from '../../formats/rpm/cpio';
import type { DriverRpm } from './driver-rpm';
import type { InitrdFile } from './initrd';
import { walkInitramfsFile } from './initramfs';
import { makeDir } from '../../base/make-dir';
import { boundIfFound } from '../../base/bound-child';

export interface ModuleIndexes {
  /** Where /lib/modules really is in the ramdisk: `lib/modules` or `usr/lib/modules`. */
  modulesDir: string;
  /** The kernel versions under it, sorted. */
  kvers: string[];
  /** The drivers' files and the regenerated indexes, at their paths in the ramdisk, sorted. */
  files: InitrdFile[];
  /** The index files among them. */
  indexes: string[];
  /** Per driver (in the order given): the paths its files got in the ramdisk, sorted. */
  placed: string[][];
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MAX_LINK_HOPS = 40;
/** depmod inputs that live next to its outputs: never taken back. */
const DEPMOD_INPUTS = new Set(['modules.order', 'modules.builtin', 'modules.builtin.modinfo']);
/** Without a depmod.d in the ramdisk: the RHEL / XenServer dom0 search order, so updates/ wins over kernel/. */
export const DEFAULT_DEPMOD_CONF = 'search updates extra built-in weak-updates\n';
const MAX_FILE_BYTES = 256 * 1024 * 1024;

const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * `path` with its symlinks (the ramdisk's, in `links`) followed; the last component only when
 * `followLast`. Undefined for a loop.
 */
export function resolveRamdiskPath(links: ReadonlyMap<string, string>, path: string, followLast: boolean): string | undefined {
  let todo = path.split('/').filter((c) => c !== '' && c !== '.');
  const out: string[] = [];
  let hops = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '..') {
      out.pop();
      continue;
    }
    const target = links.get([...out, c].join('/'));
    if (target !== undefined && (todo.length > 0 || followLast)) {
      if (++hops > MAX_LINK_HOPS) return undefined;
      if (target.startsWith('/')) out.length = 0;
      todo = [...target.split('/').filter((x) => x !== '' && x !== '.'), ...todo];
      continue;
    }
    out.push(c);
  }
  return out.join('/');
}

/**
 * Regenerates the module indexes of `image` (a copy of install.img on disk; `imageName` names it in
 * errors) for every kernel version the drivers target. `workDir` is an empty scratch directory.
 */
export async function regenerateModuleIndexes(image: string, imageName: string, drivers: readonly DriverRpm[], workDir: string): Promise<ModuleIndexes> {
  const root = join(workDir, 'root');
  const wanted = [...new Set(drivers.flatMap((d) => d.kvers))].sort();
  const prefixes = [
    ...wanted.flatMap((k) => [`lib/modules/${k}/`, `usr/lib/modules/${k}/`]),
    'etc/depmod.d/',
    'lib/depmod.d/',
    'usr/lib/depmod.d/',
  ];
  const links = new Map<string, string>();
  const kversIn = new Map<string, Set<string>>();
  let linkGroups = new Map<string, string[]>();
  let memberAt = -1;

  await walkInitramfsFile(image, imageName, async (e: CpioEntry, member) => {
    if (member.offset !== memberAt) {
      memberAt = member.offset;
      linkGroups = new Map();
    }
    const name = e.name.replace(/^\.?\/+/, '');
    if (name === '' || name === '.') return;
    const path = resolveRamdiskPath(links, name, false);
    if (path === undefined || path === '') return;
    const type = e.mode & S_IFMT;
    if (type === S_IFLNK) {
      links.set(path, (await e.buffer(4096)).toString('utf8'));
      return;
    }
    links.delete(path);
    const m = /^((?:usr\/)?lib\/modules)\/([^/]+)/.exec(path);
    if (m && (type === S_IFDIR || path.length > m[0].length)) {
      const set = kversIn.get(m[1]!) ?? new Set<string>();
      set.add(m[2]!);
      kversIn.set(m[1]!, set);
    }
    if (!prefixes.some((p) => `${path}/`.startsWith(p))) return;
    const dest = join(root, path);
    if (type === S_IFDIR) {
      await makeDir(dest);
    } else if (type === S_IFREG) {
      await makeDir(join(dest, '..'));
      await fsp.rm(dest, { recursive: true, force: true });
      const data = await e.buffer(MAX_FILE_BYTES);
      await fsp.writeFile(dest, data, { mode: (e.mode & 0o777) | 0o600 });
      if (e.nlink > 1) {
        // docs/formats/containers.md §6: hard links share (maj, min, ino); the data rides on one instance.
        const key = `${e.devMajor}:${e.devMinor}:${e.ino}`;
        const group = linkGroups.get(key) ?? [];
        group.push(dest);
        linkGroups.set(key, group);
        if (data.length > 0) for (const other of group) if (other !== dest) await fsp.writeFile(other, data);
      }
    }
  });

  const modulesDir = resolveRamdiskPath(links, 'lib/modules', true);
  if (modulesDir !== 'lib/modules' && modulesDir !== 'usr/lib/modules') {
    throw new SuppackError(`/lib/modules leads to ${modulesDir === undefined ? 'a symlink loop' : `/${modulesDir}`}, expected a directory`, {
      file: imageName,
    });
  }
  const kvers = [...(kversIn.get(modulesDir) ?? [])].sort();
  for (const d of drivers) {
    for (const k of d.kvers) {
      if (!kvers.includes(k)) {
        throw new SuppackError(
          `its modules are for kernel ${k}, which the installer does not have: ${imageName} has /lib/modules/${kvers.length > 0 ? `{${kvers.join(', ')}}` : ' empty'}`,
          { file: d.file },
        );
      }
    }
  }

  const files: InitrdFile[] = [];
  const from = new Map<string, string>();
  const placed: string[][] = [];
  for (const d of drivers) {
    placed.push([]);
    for (const f of d.files) {
      const path = resolveRamdiskPath(links, f.path, false) ?? f.path;
      const clash = from.get(path);
      if (clash !== undefined) throw new SuppackError(`its /${f.path} is also in ${clash}: give each file in one driver RPM only`, { file: d.file });
      from.set(path, d.file);
      files.push({ path, data: f.data, mode: f.mode });
      placed.at(-1)!.push(path);
      if (path.startsWith(`${modulesDir}/`)) {
        await makeDir(join(root, path, '..'));
        await fsp.writeFile(join(root, path), f.data);
      }
    }
  }

  if (modulesDir.startsWith('usr/')) await fsp.symlink('usr/lib', join(root, 'lib')).catch(() => undefined);
  const confDirs: string[] = [];
  for (const dir of [...new Set(['etc/depmod.d', resolveRamdiskPath(links, 'lib/depmod.d', true) ?? 'lib/depmod.d'])]) {
    if ((await fsp.readdir(join(root, dir)).catch(() => [])).length > 0) confDirs.push(join(root, dir));
  }
  if (confDirs.length === 0) {
    await fsp.writeFile(join(workDir, 'depmod.conf'), DEFAULT_DEPMOD_CONF);
    confDirs.push(join(workDir, 'depmod.conf'));
  }

  const indexes: string[] = [];
  for (const k of wanted) {
    // `--`: the kernel version comes from a driver RPM's paths (checked in driver-rpm.ts too).
    await runDepmod(['-b', root, ...confDirs.flatMap((c) => ['-C', c]), '--', k], imageName, k);
    const dir = `${modulesDir}/${k}`;
    for (const n of (await fsp.readdir(join(root, dir))).sort()) {
      if (!n.startsWith('modules.') || DEPMOD_INPUTS.has(n)) continue;
      const st = await fsp.lstat(join(root, dir, n));
      if (!st.isFile()) continue;
      const path = `${dir}/${n}`;
      if (from.has(path)) files.splice(files.findIndex((f) => f.path === path), 1);
      files.push({ path, data: await fsp.readFile(join(root, dir, n)), mode: 0o644 });
      indexes.push(path);
    }
  }
  return { modulesDir, kvers, files: files.sort(byPath), indexes, placed: placed.map((p) => p.sort()) };
}

/** The real depmod (Debian package kmod); /sbin and /usr/sbin are searched too. */
async function runDepmod(args: string[], imageName: string, kver: string): Promise<void> {
  const PATH = [process.env.PATH ?? '', '/usr/sbin', '/sbin'].filter((p) => p !== '').join(':');
  await new Promise<void>((resolve, reject) => {
    // it dies with this process, even by SIGKILL (bound-child.ts); found first, so that a missing
    // depmod is ENOENT below (the wrapping shell would say exit 127)
    const bound = boundIfFound('depmod', args, PATH);
    const child = spawn(bound.file, bound.args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 8192) stderr += c.toString('utf8');
    });
    child.on('error', (e) => {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new SuppackError(
          missing
            ? 'cannot regenerate the module indexes for the drivers: the depmod program is not installed (Debian package kmod)'
            : `cannot run depmod: ${e.message}`,
          { file: imageName, field: `/lib/modules/${kver}` },
        ),
      );
    });
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const why = stderr.trim().split('\n').filter((l) => !/WARNING/.test(l)).at(-1) ?? stderr.trim().split('\n').at(-1) ?? '';
      reject(new SuppackError(`depmod failed (exit ${code}): ${why}`, { file: imageName, field: `/lib/modules/${kver}` }));
    });
  });
}

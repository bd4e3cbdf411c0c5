/**
 * The fixture's `install.img`: like XenServer's, a bzip2-compressed newc cpio, but its `/init`
 * is a busybox probe (docs/boot-testing.md "Answerfile injection facts") that prints the dom0 kernel
 * command line and `/answerfile.xml` between markers, then powers the machine off.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { encodeNewcHeader } from '../../core/formats/rpm/cpio-write';

/** Lines the probe prints on the serial console (through Xen's hvc0 -> com1). */
export const PROBE = {
  start: 'SUPPACK-PROBE START',
  cmdline: 'SUPPACK-PROBE CMDLINE: ',
  answerfileBegin: 'SUPPACK-PROBE ANSWERFILE BEGIN',
  answerfileEnd: 'SUPPACK-PROBE ANSWERFILE END',
  noAnswerfile: 'SUPPACK-PROBE NO ANSWERFILE',
  done: 'SUPPACK-PROBE DONE',
} as const;

/**
 * `cat` then `echo`: splitting the output into lines and joining the lines between the markers
 * gives back the file's exact content whether or not it ends with a newline.
 * devtmpfs is mounted in case /dev/console could not be opened from the cpio node.
 */
export const PROBE_INIT = `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null && exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
dmesg -n 1
echo "${PROBE.start}"
echo "${PROBE.cmdline}$(cat /proc/cmdline)"
if [ -e /answerfile.xml ]; then
  echo "${PROBE.answerfileBegin}"
  cat /answerfile.xml
  echo
  echo "${PROBE.answerfileEnd}"
else
  echo "${PROBE.noAnswerfile}"
fi
echo "${PROBE.done}"
sync
poweroff -f
sleep 30
`;

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const TRAILER = 'TRAILER!!!';

interface Entry {
  name: string;
  mode: number;
  data?: Buffer;
  rdev?: [number, number];
}

/** linux buffer-format.rst / docs/formats/containers.md §6: one newc member, name and data padded to 4. */
function member(e: Entry, ino: number, mtime: number): Buffer {
  const name = Buffer.from(`${e.name}\0`, 'utf8');
  const data = e.data ?? Buffer.alloc(0);
  const header = encodeNewcHeader({
    ino,
    mode: e.mode,
    uid: 0,
    gid: 0,
    nlink: (e.mode & 0o170000) === S_IFDIR ? 2 : 1,
    mtime,
    size: data.length,
    devMajor: 0,
    devMinor: 0,
    rdevMajor: e.rdev?.[0] ?? 0,
    rdevMinor: e.rdev?.[1] ?? 0,
    nameSize: name.length,
  });
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  return Buffer.concat([header, name, pad(header.length + name.length), data, pad(data.length)]);
}

/** The uncompressed newc archive of the probe ramdisk. */
export function probeCpio(busybox: Buffer, mtime: number): Buffer {
  const entries: Entry[] = [
    { name: '.', mode: S_IFDIR | 0o755 },
    { name: 'bin', mode: S_IFDIR | 0o755 },
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: busybox },
    { name: 'bin/sh', mode: S_IFLNK | 0o777, data: Buffer.from('busybox') },
    { name: 'dev', mode: S_IFDIR | 0o755 },
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] },
    { name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(PROBE_INIT) },
    { name: 'proc', mode: S_IFDIR | 0o755 },
    { name: 'sys', mode: S_IFDIR | 0o755 },
  ];
  const parts = entries.map((e, i) => member(e, i + 1, mtime));
  parts.push(member({ name: TRAILER, mode: 0 }, 0, 0));
  return Buffer.concat(parts);
}

/** `install.img`: the probe cpio through `bzip2 -9`, as XenServer compresses its own (or gzip, its `-z gzip`). */
export function probeInstallImg(busyboxPath: string, mtime: number, compression: 'bzip2' | 'gzip' = 'bzip2'): Buffer {
  const cmd = compression === 'gzip' ? ['gzip', ['-9', '-n', '-c']] : ['bzip2', ['-9', '-c']];
  return execFileSync(cmd[0] as string, cmd[1] as string[], { input: probeCpio(readFileSync(busyboxPath), mtime), maxBuffer: 256 << 20 });
}

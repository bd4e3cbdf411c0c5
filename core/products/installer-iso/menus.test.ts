/**
 * rebuild-iso on installer ISOs that carry the installers' own boot menus, verbatim
 * (testing/fixtures/boot-menus/SOURCES.md: xenserver/host-installer bootloader/grub.cfg now
 * (xen_hypervisor/xen_module) and in its multiboot2 era, its last isolinux.cfg, and
 * xcp-ng/create-install-image's 8.2 and 8.3 templates), each with its grub.cfg copy in
 * boot/efiboot.img made as create-iso.sh makes it. For each: the exact entries patched, in every
 * menu, read back with the real tools (bsdtar, mtools), and what `suppack rebuild-iso` prints.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/args';
import { formatReport } from '../../../cli/inspect';
import { rebuildIsoCommand } from '../../../cli/rebuild-iso';
import { isSuppackError } from '../../base/errors';
import { rebuildIso, type MenuReport } from './rebuild';
import { inspectPack } from '../report/pack-report';
import { ANSWERFILE, buildTestInstaller } from './testing';

const dir = mkdtempSync(join(tmpdir(), 'suppack-menus-'));
const EPOCH = 1_700_000_000;
const ADDED = ' answerfile=file:///answerfile.xml install';
const FIXTURES = join(__dirname, '..', '..', '..', 'testing', 'fixtures', 'boot-menus');
const upstream = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const answerfile = join(dir, 'answerfile.xml');

/**
 * `suppack rebuild-iso ARGV`: what it prints and its exit code, errors handled as cli/main.ts
 * does (main loads the commands from dist/, so the command is called here directly).
 */
async function cli(argv: string[]): Promise<{ code: number; printed: string }> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  try {
    const code = await rebuildIsoCommand(argv, sink);
    return { code, printed: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, printed: e.message };
    if (isSuppackError(e)) return { code: 1, printed: `suppack: error: ${e.message}\n` };
    throw e;
  }
}
beforeAll(() => writeFileSync(answerfile, ANSWERFILE));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The copy create-iso.sh puts into efiboot.img (xcp-ng-grub-efiboot-cfg.patch; host-installer's grub-usb.patch adds the same line). */
function efibootCopy(grub: string): string {
  const patch = upstream('xcp-ng-grub-efiboot-cfg.patch');
  expect(patch).toContain('+search --file --set /install.img');
  const copy = grub.replace('set timeout=5\n', 'set timeout=5\nsearch --file --set /install.img\n');
  expect(copy).not.toBe(grub);
  return copy;
}

const isoFile = (iso: string, path: string) => execFileSync('bsdtar', ['-xOf', iso, path], { maxBuffer: 64 << 20 }).toString('utf8');
function efibootFile(iso: string, path: string, image = 'boot/efiboot.img'): string {
  const img = join(dir, `efiboot-${Math.random().toString(36).slice(2)}.img`);
  writeFileSync(img, execFileSync('bsdtar', ['-xOf', iso, image], { maxBuffer: 64 << 20 }));
  try {
    return execFileSync('mtype', ['-i', img, `::${path}`], { encoding: 'utf8' });
  } finally {
    rmSync(img);
  }
}

/** The dom0 lines of `entries` end in the parameters (before the initrd on isolinux); every other line is the input's. */
function expectOnlyDom0LinesChanged(before: string, after: string, patchedCount: number, syntax: 'isolinux' | 'grub') {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  const changed = a.flatMap((l, i) => (l === b[i] ? [] : [i]));
  expect(changed.length).toBe(patchedCount);
  for (const i of changed) {
    expect(a[i]).not.toMatch(/bash-shell/);
    expect(b[i]).toBe(syntax === 'isolinux' ? a[i]!.replace(/ --- \/install\.img$/, `${ADDED} --- /install.img`) : `${a[i]}${ADDED}`);
  }
}

const SHELL = 'is a shell entry (bash-shell): the installer starts when the shell exits; name it to patch it';
const notXen = (boots: string) => `is not a Xen entry (${boots})`;

interface Case {
  name: string;
  isolinux: string | null;
  grub: string;
  isolinuxReport?: Omit<MenuReport, 'file'>;
  grubReport: Omit<MenuReport, 'file'>;
}

const XS_ISOLINUX: Omit<MenuReport, 'file'> = {
  patched: ['install', 'no-serial', 'safe', 'multipath', 'common-criteria-prep'],
  left: [
    { entry: 'shell', reason: SHELL },
    { entry: 'memtest', reason: notXen('KERNEL memtest') },
  ],
};
const XCP_ISOLINUX = (order: string[]): Omit<MenuReport, 'file'> => ({
  patched: order,
  left: [
    { entry: 'shell', reason: SHELL },
    { entry: 'memtest', reason: notXen('LINUX /boot/memtest.bin') },
  ],
});

const CASES: Case[] = [
  {
    name: "XenServer: host-installer's current grub.cfg (xen_hypervisor/xen_module, submenu) and its last isolinux.cfg",
    isolinux: 'xenserver-isolinux.cfg',
    grub: 'xenserver-grub-xen_boot.cfg',
    isolinuxReport: XS_ISOLINUX,
    grubReport: {
      patched: ['install', 'no-serial', 'advanced-options>common-criteria-prep'],
      left: [
        { entry: 'memtest', reason: notXen('linux /boot/memtest86+x64.efi') },
        { entry: 'shell', reason: SHELL },
      ],
    },
  },
  {
    name: 'XenServer UEFI only: the current grub.cfg without isolinux.cfg',
    isolinux: null,
    grub: 'xenserver-grub-xen_boot.cfg',
    grubReport: {
      patched: ['install', 'no-serial', 'advanced-options>common-criteria-prep'],
      left: [
        { entry: 'memtest', reason: notXen('linux /boot/memtest86+x64.efi') },
        { entry: 'shell', reason: SHELL },
      ],
    },
  },
  {
    name: "XenServer: host-installer's last multiboot2 grub.cfg (xen.efi)",
    isolinux: 'xenserver-isolinux.cfg',
    grub: 'xenserver-grub-multiboot2.cfg',
    isolinuxReport: XS_ISOLINUX,
    grubReport: {
      patched: ['install', 'no-serial', 'safe', 'multipath', 'advanced-options>common-criteria-prep'],
      left: [
        { entry: 'memtest', reason: notXen('linux /boot/memtest86+x64.efi') },
        { entry: 'shell', reason: SHELL },
      ],
    },
  },
  {
    name: "XenServer: host-installer's first grub.cfg (multiboot2 /boot/xen.gz)",
    isolinux: 'xenserver-isolinux.cfg',
    grub: 'xenserver-grub-multiboot2-xen.gz.cfg',
    isolinuxReport: XS_ISOLINUX,
    grubReport: { patched: ['install', 'no-serial', 'safe', 'multipath'], left: [{ entry: 'shell', reason: SHELL }] },
  },
  {
    name: 'XCP-ng 8.2 (create-install-image templates)',
    isolinux: 'xcp-ng-8.2-isolinux.cfg',
    grub: 'xcp-ng-8.2-grub.cfg',
    isolinuxReport: XCP_ISOLINUX(['install', 'install-alt', 'no-serial', 'safe', 'multipath']),
    grubReport: { patched: ['install', 'install with alternate kernel (kernel-alt)', 'no-serial', 'safe', 'multipath'], left: [{ entry: 'shell', reason: SHELL }] },
  },
  {
    name: 'XCP-ng 8.3 (create-install-image templates)',
    isolinux: 'xcp-ng-8.3-isolinux.cfg',
    grub: 'xcp-ng-8.3-grub.cfg',
    isolinuxReport: XCP_ISOLINUX(['install', 'no-serial', 'safe', 'multipath', 'install-alt']),
    grubReport: {
      patched: ['install', 'no-serial', 'safe', 'multipath', 'install with alternate/debug kernel (kernel-alt)'],
      left: [
        { entry: 'shell', reason: SHELL },
        { entry: 'memtest', reason: notXen('chainloader /boot/memtest.efi') },
      ],
    },
  },
];

describe.each(CASES)('$name', ({ name, isolinux, grub, isolinuxReport, grubReport }) => {
  const tag = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
  const isolinuxText = isolinux === null ? null : upstream(isolinux);
  const grubText = upstream(grub);
  let base: string;
  let out: string;
  let stdout: string;
  beforeAll(async () => {
    base = buildTestInstaller(join(dir, tag), {}, 'XenServer-8.4 install', { isolinuxCfg: isolinuxText, grubCfg: grubText, efibootGrubCfg: efibootCopy(grubText) });
    out = join(dir, `${tag}.iso`);
    const r = await cli([`--answerfile=${answerfile}`, `--output=${out}`, base]);
    stdout = r.printed;
    expect(r.code, stdout).toBe(0);
  });

  it('patches exactly the install entries of every menu, the copy in efiboot.img too; nothing else changes', () => {
    if (isolinuxText !== null) expectOnlyDom0LinesChanged(isolinuxText, isoFile(out, 'boot/isolinux/isolinux.cfg'), isolinuxReport!.patched.length, 'isolinux');
    expectOnlyDom0LinesChanged(grubText, isoFile(out, 'EFI/xenserver/grub.cfg'), grubReport.patched.length, 'grub');
    expectOnlyDom0LinesChanged(efibootCopy(grubText), efibootFile(out, 'EFI/xenserver/grub.cfg'), grubReport.patched.length, 'grub');
  });

  it('prints, for each menu, the entries patched and those left and why', () => {
    const reports: MenuReport[] = [
      ...(isolinuxReport ? [{ file: 'boot/isolinux/isolinux.cfg', ...isolinuxReport }] : []),
      { file: 'EFI/xenserver/grub.cfg', ...grubReport },
      { file: 'boot/efiboot.img:EFI/xenserver/grub.cfg', ...grubReport },
    ];
    const want = reports.flatMap((r) => [
      `${r.file}: answerfile parameters added to ${r.patched.map((e) => JSON.stringify(e)).join(', ')}`,
      ...r.left.map((l) => `${r.file}: left ${JSON.stringify(l.entry)}: ${l.reason}`),
    ]);
    expect(stdout).toBe(`${[...want, out].join('\n')}\n`);
  });

  it('inspect shows every entry with its hypervisor and dom0 lines; only the patched ones carry the parameters', async () => {
    const r = await inspectPack(out);
    if (r.format !== 'installer') throw new Error(r.format);
    const menus = [...(isolinuxReport ? [['boot/isolinux/isolinux.cfg', isolinuxReport] as const] : []), ['EFI/xenserver/grub.cfg', grubReport] as const];
    for (const [menu, report] of menus) {
      const entries = r.boot.filter((b) => b.menu === menu);
      expect(entries.map((b) => b.name).sort()).toEqual([...report.patched, ...report.left.map((l) => l.entry)].sort());
      for (const b of entries) {
        if (b.kind === 'other') {
          expect(b.hypervisor).toBeUndefined();
          expect(b.boots).toMatch(/memtest/);
          continue;
        }
        expect(b.hypervisor).toMatch(/^\/boot\/xen\.(gz|efi) dom0_max_vcpus=1-(2|16) /);
        expect(b.dom0).toMatch(/^\/boot\/(alt\/)?vmlinuz /);
        expect(b.dom0!.endsWith(ADDED)).toBe(report.patched.includes(b.name));
        expect(b.kind).toBe(report.patched.includes(b.name) ? 'install' : 'shell');
      }
    }
    expect(r.boot.filter((b) => b.menu === 'boot/efiboot.img:EFI/xenserver/grub.cfg').map((b) => [b.name, b.dom0])).toEqual(
      r.boot.filter((b) => b.menu === 'EFI/xenserver/grub.cfg').map((b) => [b.name, b.dom0]),
    );
    // `suppack inspect` prints each entry's kind and loader, then its hypervisor and dom0 lines.
    const printed = formatReport(r);
    const grubShell = r.boot.find((b) => b.menu === 'EFI/xenserver/grub.cfg' && b.name === 'shell')!;
    expect(printed).toContain(
      `  EFI/xenserver/grub.cfg: shell (Xen shell, ${grubShell.loader})\n    hypervisor: ${grubShell.hypervisor}\n    dom0:       ${grubShell.dom0}\n`,
    );
    expect(grubShell.loader).toBe(grub.includes('xen_boot') ? 'xen_hypervisor' : 'multiboot2');
    expect(printed).toContain(`  EFI/xenserver/grub.cfg: install (Xen install, ${grubShell.loader})\n`);
  });
});

describe('naming the entries', () => {
  let base: string;
  beforeAll(() => {
    const grub = upstream('xcp-ng-8.3-grub.cfg');
    base = buildTestInstaller(join(dir, 'named'), {}, 'XCP-ng 8.3', { isolinuxCfg: upstream('xcp-ng-8.3-isolinux.cfg'), grubCfg: grub, efibootGrubCfg: efibootCopy(grub) });
  });

  it('--entries patches exactly the entries named, in every menu that has them (a shell entry too)', async () => {
    const out = join(dir, 'named.iso');
    const r = await rebuildIso({ input: base, output: out, answerfile, bootEntries: ['install-alt', 'install with alternate/debug kernel (kernel-alt)', 'shell'], epoch: EPOCH });
    expect(r.menus.map((m) => [m.file, m.patched])).toEqual([
      ['boot/isolinux/isolinux.cfg', ['install-alt', 'shell']],
      ['EFI/xenserver/grub.cfg', ['install with alternate/debug kernel (kernel-alt)', 'shell']],
      ['boot/efiboot.img:EFI/xenserver/grub.cfg', ['install with alternate/debug kernel (kernel-alt)', 'shell']],
    ]);
    expect(r.menus[0]!.left.find((l) => l.entry === 'install')?.reason).toBe('is not named in the boot entries option');
    const isolinux = isoFile(out, 'boot/isolinux/isolinux.cfg');
    expect(isolinux.split('\n').filter((l) => l.includes(ADDED))).toEqual([
      '\tAPPEND /boot/xen.gz dom0_max_vcpus=1-16 dom0_mem=max:8192M com1=115200,8n1 console=com1,vga --- /boot/alt/vmlinuz console=hvc0 console=tty0 kernel-alt answerfile=file:///answerfile.xml install --- /install.img',
      '\tAPPEND /boot/xen.gz dom0_max_vcpus=1-16 dom0_mem=max:8192M com1=115200,8n1 console=com1,vga --- /boot/vmlinuz console=hvc0 console=tty0 bash-shell answerfile=file:///answerfile.xml install --- /install.img',
    ]);
    expect(efibootFile(out, 'EFI/xenserver/grub.cfg').split('\n').filter((l) => l.includes(ADDED))).toEqual([
      '    module2 /boot/alt/vmlinuz console=hvc0 console=tty0 kernel-alt answerfile=file:///answerfile.xml install',
      '    module2 /boot/vmlinuz console=hvc0 console=tty0 bash-shell answerfile=file:///answerfile.xml install',
    ]);
  });

  const attempt = async (o: Partial<Parameters<typeof rebuildIso>[0]>, message: string | RegExp) => {
    const output = join(dir, `bad-${Math.random().toString(36).slice(2)}.iso`);
    await expect(rebuildIso({ input: base, output, answerfile, epoch: EPOCH, ...o })).rejects.toThrow(message);
    expect(existsSync(output)).toBe(false);
  };

  it('a name no menu has, a non-Xen entry, a menu where none is named: one-line errors, no output', async () => {
    await attempt({ bootEntries: ['instal'] }, new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: boot entries: boot entry "instal" is in no boot menu; the menus have "install", "no-serial", `));
    await attempt({ bootEntries: ['memtest'] }, `${base}: boot/isolinux/isolinux.cfg: boot entry "memtest" is named to get the answerfile parameters, but is not a Xen entry (LINUX /boot/memtest.bin)`);
    await attempt(
      { bootEntries: ['install-alt'] },
      `${base}: EFI/xenserver/grub.cfg: no boot entry can get the answerfile parameters: "install" is not named in the boot entries option; "no-serial" is not named`,
    );
    await attempt({ bootEntries: [] }, /boot entries: expected at least one entry name/);
    await attempt({ bootEntries: ['install'], answerfile: undefined }, /boot entries: boot entries are named but there is no answerfile/);
  });

  it('the CLI: --entries splits on commas; without --answerfile it is a usage error', async () => {
    const out = join(dir, 'named-cli.iso');
    const { code, printed } = await cli([`--answerfile=${answerfile}`, '--entries=install,no-serial', `--output=${out}`, base]);
    expect(code, printed).toBe(0);
    expect(printed).toContain('boot/isolinux/isolinux.cfg: answerfile parameters added to "install", "no-serial"\n');
    expect(printed).toContain('boot/efiboot.img:EFI/xenserver/grub.cfg: answerfile parameters added to "install", "no-serial"\n');
    expect(printed).toContain('EFI/xenserver/grub.cfg: left "shell": is not named in the boot entries option\n');
    expect(await cli(['--entries=install', `--output=${join(dir, 'x.iso')}`, base])).toEqual({ code: 2, printed: '--entries: expected with --answerfile, whose parameters it directs' });
    expect(await cli([`--answerfile=${answerfile}`, '--entries=install,', `--output=${join(dir, 'x.iso')}`, base])).toEqual({
      code: 2,
      printed: '--entries: expected NAME,... without empty names, got "install,"',
    });
    expect(existsSync(join(dir, 'x.iso'))).toBe(false);
  });
});

describe('a menu of Xen entries that cannot be patched', () => {
  it('fails with the one-line error naming the ISO, the menu and the entry; nothing is written', async () => {
    const shellOnly = 'set timeout=5\nmenuentry "shell" {\n    multiboot2 /boot/xen.gz\n    module2 /boot/vmlinuz console=hvc0 bash-shell\n    module2 /install.img\n}\n';
    const base = buildTestInstaller(join(dir, 'shell-only'), {}, 'XenServer-8.4 install', { grubCfg: shellOnly, efibootGrubCfg: null });
    const output = join(dir, 'shell-only.iso');
    expect(await cli([`--answerfile=${answerfile}`, `--output=${output}`, base])).toEqual({
      code: 1,
      printed:
        `suppack: error: ${base}: EFI/xenserver/grub.cfg: no boot entry can get the answerfile parameters: "shell" ${SHELL}\n`,
    });
    expect(existsSync(output)).toBe(false);
  });
});

describe('a FAT image the El Torito catalog boots from elsewhere than boot/efiboot.img', () => {
  it('is found through the boot catalog and its grub.cfg patched too', async () => {
    const grub = upstream('xenserver-grub-xen_boot.cfg');
    const base = buildTestInstaller(join(dir, 'efi-elsewhere'), {}, 'XenServer-8.4 install', { grubCfg: grub, efibootGrubCfg: efibootCopy(grub), efiImage: 'EFI/images/efi.img' });
    const out = join(dir, 'efi-elsewhere.iso');
    const r = await rebuildIso({ input: base, output: out, answerfile, epoch: EPOCH });
    expect(r.menus.map((m) => [m.file, m.patched])).toEqual([
      ['boot/isolinux/isolinux.cfg', ['install']],
      ['EFI/xenserver/grub.cfg', ['install', 'no-serial', 'advanced-options>common-criteria-prep']],
      ['EFI/images/efi.img:EFI/xenserver/grub.cfg', ['install', 'no-serial', 'advanced-options>common-criteria-prep']],
    ]);
    expectOnlyDom0LinesChanged(efibootCopy(grub), efibootFile(out, 'EFI/xenserver/grub.cfg', 'EFI/images/efi.img'), 3, 'grub');
    // The image stays the El Torito EFI boot image, and isolinux.bin (no FAT) was not taken for one.
    expect(execFileSync('xorriso', ['-indev', out, '-report_el_torito', 'plain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toMatch(/El Torito img path : +2 +\/EFI\/images\/efi\.img/);
  });
});

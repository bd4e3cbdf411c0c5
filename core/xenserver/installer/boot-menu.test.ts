import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { answerfileParams, menuSyntaxOf, parseBootMenu, patchBootMenu, type MenuSyntax } from './boot-menu';

const AF = answerfileParams();
const ADDED = ' answerfile=file:///answerfile.xml install';

/**
 * The installers' own menus, verbatim: testing/fixtures/boot-menus/SOURCES.md names the repository
 * and commit of each (xenserver/host-installer bootloader/, xcp-ng/create-install-image templates/).
 */
const FIXTURES = join(__dirname, '..', '..', '..', 'testing', 'fixtures', 'boot-menus');
const upstream = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

const patchText = (text: string, syntax: MenuSyntax, names?: string[]) => patchBootMenu(parseBootMenu(text, syntax, 'menu.cfg'), AF, names);

describe('answerfileParams', () => {
  test('docs/formats/xenserver.md §4', () => {
    expect(AF).toEqual(['answerfile=file:///answerfile.xml', 'install']);
  });
});

describe('menuSyntaxOf', () => {
  test('isolinux, syslinux, extlinux and grub*.cfg', () => {
    expect(menuSyntaxOf('boot/isolinux/isolinux.cfg')).toBe('isolinux');
    expect(menuSyntaxOf('syslinux/SYSLINUX.CFG')).toBe('isolinux');
    expect(menuSyntaxOf('EFI/xenserver/grub-usb.cfg')).toBe('grub');
    expect(menuSyntaxOf('EFI/BOOT/BOOTX64.EFI')).toBeUndefined();
  });
});

/**
 * For each upstream menu: the exact entries patched by default and those left, and the exact
 * bytes: every line is the input's except the dom0 lines of the patched entries, which end in
 * the parameters (before ` --- /install.img` on isolinux).
 */
const UPSTREAM: Array<{ file: string; syntax: MenuSyntax; patched: string[]; shell: string[]; other: string[] }> = [
  {
    file: 'xenserver-grub-xen_boot.cfg',
    syntax: 'grub',
    patched: ['install', 'no-serial', 'advanced-options>common-criteria-prep'],
    shell: ['shell'],
    other: ['memtest'],
  },
  {
    file: 'xenserver-grub-multiboot2.cfg',
    syntax: 'grub',
    patched: ['install', 'no-serial', 'safe', 'multipath', 'advanced-options>common-criteria-prep'],
    shell: ['shell'],
    other: ['memtest'],
  },
  { file: 'xenserver-grub-multiboot2-xen.gz.cfg', syntax: 'grub', patched: ['install', 'no-serial', 'safe', 'multipath'], shell: ['shell'], other: [] },
  {
    file: 'xenserver-isolinux.cfg',
    syntax: 'isolinux',
    patched: ['install', 'no-serial', 'safe', 'multipath', 'common-criteria-prep'],
    shell: ['shell'],
    other: ['memtest'],
  },
  {
    file: 'xcp-ng-8.2-grub.cfg',
    syntax: 'grub',
    patched: ['install', 'install with alternate kernel (kernel-alt)', 'no-serial', 'safe', 'multipath'],
    shell: ['shell'],
    other: [],
  },
  { file: 'xcp-ng-8.2-isolinux.cfg', syntax: 'isolinux', patched: ['install', 'install-alt', 'no-serial', 'safe', 'multipath'], shell: ['shell'], other: ['memtest'] },
  {
    file: 'xcp-ng-8.3-grub.cfg',
    syntax: 'grub',
    patched: ['install', 'no-serial', 'safe', 'multipath', 'install with alternate/debug kernel (kernel-alt)'],
    shell: ['shell'],
    other: ['memtest'],
  },
  { file: 'xcp-ng-8.3-isolinux.cfg', syntax: 'isolinux', patched: ['install', 'no-serial', 'safe', 'multipath', 'install-alt'], shell: ['shell'], other: ['memtest'] },
];

describe.each(UPSTREAM)('upstream menu $file', ({ file, syntax, patched, shell, other }) => {
  const text = upstream(file);
  const menu = parseBootMenu(text, syntax, file);

  test('classified: install, shell and other entries', () => {
    expect(menu.entries.filter((e) => e.kind === 'install').map((e) => e.path)).toEqual(patched);
    expect(menu.entries.filter((e) => e.kind === 'shell').map((e) => e.path)).toEqual(shell);
    expect(menu.entries.filter((e) => e.kind === 'other').map((e) => e.path)).toEqual(other);
    for (const e of menu.entries.filter((x) => x.kind !== 'other')) {
      expect(e.hypervisor).toMatch(/^\/boot\/xen\.(gz|efi) dom0_max_vcpus=/);
      expect(e.dom0).toMatch(/^\/boot\/(alt\/)?vmlinuz /);
    }
  });

  test('default: the install entries get the parameters, every other byte is kept', () => {
    const r = patchBootMenu(menu, AF);
    expect(r.patched.map((e) => e.path)).toEqual(patched);
    expect(r.left.map((l) => l.entry.path)).toEqual(menu.entries.filter((e) => !patched.includes(e.path)).map((e) => e.path));
    for (const l of r.left) expect(l.reason).toMatch(l.entry.kind === 'shell' ? /^is a shell entry \(bash-shell\)/ : /^is not a Xen entry \((linux|chainloader|LINUX|KERNEL) /);
    const before = text.split('\n');
    const after = r.text.split('\n');
    expect(after.length).toBe(before.length);
    const changed = before.flatMap((l, i) => (l === after[i] ? [] : [i]));
    expect(changed.length).toBe(patched.length);
    for (const i of changed) {
      const want = syntax === 'isolinux' ? before[i]!.replace(/ --- \/install\.img$/, `${ADDED} --- /install.img`) : `${before[i]}${ADDED}`;
      expect(after[i]).toBe(want);
      expect(after[i]).not.toBe(before[i]);
      expect(before[i]).not.toMatch(/bash-shell/);
    }
  });

  test('idempotent: a second patch changes nothing and reports the same entries', () => {
    const once = patchBootMenu(menu, AF).text;
    const twice = patchText(once, syntax);
    expect(twice.text).toBe(once);
    expect(twice.patched.map((e) => e.path)).toEqual(patched);
  });

  test('the shell entry only when named; naming a non-Xen entry is an error', () => {
    const r = patchBootMenu(menu, AF, ['shell']);
    expect(r.patched.map((e) => e.path)).toEqual(['shell']);
    expect(r.text.split('\n').filter((l) => l.includes('answerfile=')).join('\n')).toMatch(/bash-shell answerfile=file:\/\/\/answerfile\.xml install/);
    if (other.length > 0) {
      expect(() => patchBootMenu(menu, AF, [other[0]!])).toThrow(`${file}: boot entry "${other[0]}" is named to get the answerfile parameters, but is not a Xen entry`);
    }
  });
});

describe('a menu whose Xen entries cannot be patched', () => {
  test('only a shell entry: one-line error naming the file and the entry', () => {
    const cfg = 'menuentry "shell" {\n  multiboot2 /boot/xen.gz\n  module2 /boot/vmlinuz console=hvc0 bash-shell\n  module2 /install.img\n}\nmenuentry memtest {\n linux /boot/memtest.bin\n}\n';
    const go = () => patchBootMenu(parseBootMenu(cfg, 'grub', 'EFI/xenserver/grub.cfg'), AF);
    expect(go).toThrow(SuppackError);
    expect(go).toThrow(
      /^EFI\/xenserver\/grub\.cfg: no boot entry can get the answerfile parameters: "shell" is a shell entry \(bash-shell\): the installer starts when the shell exits; name it to patch it$/,
    );
  });

  test('a hypervisor without a dom0 module (grub) or without "---" (isolinux)', () => {
    expect(() => patchText('menuentry x {\n xen_hypervisor /boot/xen.efi console=vga\n}\n', 'grub')).toThrow(
      /^menu\.cfg: no boot entry can get the answerfile parameters: "x" has no dom0 kernel after its hypervisor \(xen_hypervisor \/boot\/xen\.efi console=vga\)$/,
    );
    expect(() => patchText('LABEL x\n KERNEL mboot.c32\n APPEND /boot/xen.gz dom0_mem=1G\n', 'isolinux')).toThrow(
      /^menu\.cfg: no boot entry can get the answerfile parameters: "x" has no dom0 kernel after its hypervisor \(mboot\.c32 \/boot\/xen\.gz dom0_mem=1G\)$/,
    );
  });

  test('names that pick none of its Xen entries', () => {
    expect(() => patchText(upstream('xcp-ng-8.3-grub.cfg'), 'grub', ['install-alt'])).toThrow(/^menu\.cfg: no boot entry can get the answerfile parameters: "install" is not named in the boot entries option; "no-serial" is not named/);
  });

  test('a menu without Xen entries is left alone, no error', () => {
    const r = patchText('menuentry memtest {\n linux /boot/memtest.bin\n}\nconfigfile /EFI/xenserver/grub.cfg\n', 'grub');
    expect(r.patched).toEqual([]);
    expect(r.left.map((l) => [l.entry.name, l.reason])).toEqual([['memtest', 'is not a Xen entry (linux /boot/memtest.bin)']]);
  });
});

describe('GRUB syntax', () => {
  test('multiboot/module of older releases, --nounzip, quoted titles and arguments, ";" separators', () => {
    const cfg = [
      "menuentry 'XCP-ng (serial)' --class xen {",
      '  multiboot /boot/xen.gz console=com1; module --nounzip /boot/vmlinuz "root=LABEL=a b" ro ; module /install.img',
      '}',
      'menuentry "say \\"hi\\"" {',
      '  multiboot2 /boot/xen.gz',
      '  module2 /boot/vmlinuz',
      '}',
      '',
    ].join('\n');
    const r = patchText(cfg, 'grub');
    expect(r.patched.map((e) => e.name)).toEqual(['XCP-ng (serial)', 'say "hi"']);
    expect(r.patched[0]!.dom0).toBe('/boot/vmlinuz "root=LABEL=a b" ro');
    expect(r.text).toBe(cfg.replace('"root=LABEL=a b" ro ;', `"root=LABEL=a b" ro${ADDED} ;`).replace('  module2 /boot/vmlinuz\n', `  module2 /boot/vmlinuz${ADDED}\n`));
  });

  test('brace on the next line, nested submenus, if/fi and functions, comments with braces', () => {
    const cfg = [
      'function load_video {',
      '  insmod all_video',
      '}',
      '# a comment { menuentry "no" {',
      'submenu "a" {',
      '  submenu b {',
      "    menuentry 'deep'",
      '    {',
      '      if [ "$grub_platform" = efi ]; then',
      '        xen_hypervisor /boot/xen.efi',
      '        xen_module /boot/vmlinuz console=hvc0 # trailing { comment',
      '        xen_module /install.img',
      '      fi',
      '    }',
      '  }',
      '  menuentry "top-of-a" { multiboot2 /boot/xen.gz ; module2 /boot/vmlinuz ; }',
      '}',
      '',
    ].join('\n');
    const r = patchText(cfg, 'grub');
    expect(r.patched.map((e) => e.path)).toEqual(['a>b>deep', 'a>top-of-a']);
    expect(r.text).toContain(`        xen_module /boot/vmlinuz console=hvc0${ADDED} # trailing { comment\n`);
    expect(r.text).toContain(`module2 /boot/vmlinuz${ADDED} ; }`);
    // entries are named by their title or their path
    expect(patchText(cfg, 'grub', ['a>b>deep', 'top-of-a']).patched.map((e) => e.path)).toEqual(['a>b>deep', 'a>top-of-a']);
  });

  // GRUB's lexer (grub-core/script/yylex.l: CHAR excludes { and }) ends a word at a brace, so a
  // block may touch its title or its last argument.
  test('braces that touch words: `menuentry "x"{`, `}` after an argument', () => {
    const cfg = "menuentry \"install\"{\n  multiboot2 /boot/xen.gz\n  module2 /boot/vmlinuz}\nmenuentry 'b'{ multiboot2 /boot/xen.gz; module2 /boot/vmlinuz ro;}\n";
    const r = patchText(cfg, 'grub');
    expect(r.patched.map((e) => e.name)).toEqual(['install', 'b']);
    expect(r.patched[0]!.dom0).toBe('/boot/vmlinuz');
    expect(r.text).toBe(cfg.replace('module2 /boot/vmlinuz}', `module2 /boot/vmlinuz${ADDED}}`).replace('vmlinuz ro;}', `vmlinuz ro${ADDED};}`));
  });

  test('backslash continuations: the parameters go after the last argument, on its line', () => {
    const cfg = 'menuentry "install" {\n  multiboot2 /boot/xen.gz \\\n     dom0_mem=1G\n  module2 /boot/vmlinuz \\\n     console=hvc0\n  module2 /install.img\n}\n';
    const r = patchText(cfg, 'grub');
    expect(r.patched[0]!.hypervisor).toBe('/boot/xen.gz dom0_mem=1G');
    expect(r.patched[0]!.dom0).toBe('/boot/vmlinuz console=hvc0');
    expect(r.text).toBe(cfg.replace('     console=hvc0\n', `     console=hvc0${ADDED}\n`));
  });

  test('a multiboot2 kernel that is not Xen is another entry; CRLF and a missing final newline kept', () => {
    const cfg = 'menuentry "install" {\r\n  multiboot2 /boot/xen.gz\r\n  module2 /boot/vmlinuz   \r\n}\r\nmenuentry "not xen" {\r\n  multiboot2 /boot/other.efi\r\n  module2 /boot/vmlinuz\r\n}';
    const r = patchText(cfg, 'grub');
    expect(r.left.map((l) => l.reason)).toEqual(['is not a Xen entry (multiboot2 /boot/other.efi)']);
    expect(r.text).toBe(cfg.replace('module2 /boot/vmlinuz   \r\n', `module2 /boot/vmlinuz${ADDED}   \r\n`));
  });

  test('a key=value parameter replaces another value in place; other arguments untouched', () => {
    const cfg = 'menuentry x {\n multiboot2 /boot/xen.gz answerfile=x\n module2 /boot/vmlinuz answerfile=http://old/a.xml ro\n}\n';
    expect(patchText(cfg, 'grub').text).toBe('menuentry x {\n multiboot2 /boot/xen.gz answerfile=x\n module2 /boot/vmlinuz answerfile=file:///answerfile.xml ro install\n}\n');
  });
});

describe('isolinux syntax', () => {
  test('COM32 mboot.c32, TEXT HELP blocks, MENU BEGIN/END, extra modules, lower case keywords', () => {
    const cfg = [
      'DEFAULT install',
      'APPEND /boot/xen.gz --- /boot/vmlinuz --- /install.img',
      'MENU BEGIN advanced',
      'label install',
      '  com32 /boot/isolinux/mboot.c32',
      '  append /boot/xen.gz console=vga --- /boot/alt/bzImage quiet --- /install.img --- /extra.img',
      '  TEXT HELP',
      '  LABEL not-an-entry',
      '  ENDTEXT',
      'MENU END',
      'LABEL local',
      '  LOCALBOOT 0',
      'LABEL pxe-like',
      '  KERNEL vmlinuz',
      '  APPEND initrd=/install.img console=tty0',
      '',
    ].join('\n');
    const r = patchText(cfg, 'isolinux');
    expect(r.patched.map((e) => [e.name, e.loader, e.hypervisor, e.dom0])).toEqual([['install', 'mboot.c32', '/boot/xen.gz console=vga', '/boot/alt/bzImage quiet']]);
    expect(r.left.map((l) => [l.entry.name, l.reason])).toEqual([
      ['local', 'is not a Xen entry (LOCALBOOT 0)'],
      ['pxe-like', 'is not a Xen entry (KERNEL vmlinuz)'],
    ]);
    expect(r.text).toBe(cfg.replace('/boot/alt/bzImage quiet', `/boot/alt/bzImage quiet${ADDED}`));
  });

  test('backslash continuations of APPEND', () => {
    const cfg = 'LABEL install\n\tKERNEL mboot.c32\n\tAPPEND /boot/xen.gz dom0_mem=1G \\\n\t--- /boot/vmlinuz console=hvc0 \\\n\t--- /install.img\n';
    const r = patchText(cfg, 'isolinux');
    expect(r.patched[0]!.dom0).toBe('/boot/vmlinuz console=hvc0');
    expect(r.text).toBe(cfg.replace('console=hvc0 \\', `console=hvc0${ADDED} \\`));
  });

  test('CRLF kept; parameters with spaces or quotes refused', () => {
    const cfg = upstream('xenserver-isolinux.cfg');
    const crlf = cfg.replace(/\n/g, '\r\n');
    expect(patchText(crlf, 'isolinux').text).toBe(patchText(cfg, 'isolinux').text.replace(/\n/g, '\r\n'));
    const menu = parseBootMenu(cfg, 'isolinux', 'x.cfg');
    expect(() => patchBootMenu(menu, ['a b'])).toThrow(/^x\.cfg: kernel parameter "a b" must be non-empty, without spaces/);
    expect(() => patchBootMenu(menu, [''])).toThrow(SuppackError);
  });
});

import { describe, expect, test } from 'vitest';
import { SuppackError } from '../errors';
import { answerfileParams, patchGrubCfg, patchIsolinuxCfg } from './boot-config';

const AF = answerfileParams();
const XEN = '/boot/xen.gz dom0_max_vcpus=1-16 dom0_mem=max:8192M com1=115200,8n1 console=com1,vga';

/** formats.md 5: XCP-ng 8.3 style isolinux.cfg (default entry plus others). */
const ISOLINUX = [
  'SERIAL 0 115200',
  'DEFAULT install',
  'PROMPT 1',
  'TIMEOUT 50',
  '# a comment: APPEND /boot/xen.gz --- /boot/vmlinuz --- /install.img',
  '',
  'LABEL install',
  '\tKERNEL mboot.c32',
  `\tAPPEND ${XEN} --- /boot/vmlinuz console=hvc0 console=tty0 --- /install.img`,
  '',
  'LABEL no-serial',
  '\tKERNEL mboot.c32',
  '\tAPPEND /boot/xen.gz dom0_max_vcpus=1-16 dom0_mem=max:8192M console=vga --- /boot/vmlinuz console=tty0 --- /install.img',
  '',
  'label alt',
  '  kernel mboot.c32',
  '  append /boot/xen.gz console=vga --- /boot/alt/vmlinuz --- /install.img',
  '',
  'LABEL memtest',
  '\tKERNEL memtest.bin',
  '',
  'LABEL local',
  '\tLOCALBOOT 0',
  '',
  'LABEL pxe-like',
  '\tKERNEL vmlinuz',
  '\tAPPEND initrd=/install.img console=tty0',
  '',
].join('\n');

describe('answerfileParams', () => {
  test('formats.md 4', () => {
    expect(AF).toEqual(['answerfile=file:///answerfile.xml', 'install']);
  });
});

describe('patchIsolinuxCfg', () => {
  test('adds the params to the dom0 arguments of every mboot.c32 entry, nothing else changes', () => {
    const r = patchIsolinuxCfg(ISOLINUX, AF);
    expect(r.patched).toEqual(['install', 'no-serial', 'alt']);
    const expected = ISOLINUX.replace(
      '--- /boot/vmlinuz console=hvc0 console=tty0 --- /install.img',
      '--- /boot/vmlinuz console=hvc0 console=tty0 answerfile=file:///answerfile.xml install --- /install.img',
    )
      .replace('--- /boot/vmlinuz console=tty0 --- /install.img', '--- /boot/vmlinuz console=tty0 answerfile=file:///answerfile.xml install --- /install.img')
      .replace('--- /boot/alt/vmlinuz --- /install.img', '--- /boot/alt/vmlinuz answerfile=file:///answerfile.xml install --- /install.img');
    expect(r.text).toBe(expected);
    // the comment, the memtest, localboot and non-mboot entries are untouched
    expect(r.text).toContain('# a comment: APPEND /boot/xen.gz --- /boot/vmlinuz --- /install.img\n');
    expect(r.text).toContain('\tAPPEND initrd=/install.img console=tty0\n');
  });

  test('idempotent', () => {
    const once = patchIsolinuxCfg(ISOLINUX, AF).text;
    const twice = patchIsolinuxCfg(once, AF);
    expect(twice.text).toBe(once);
    expect(twice.patched).toEqual(['install', 'no-serial', 'alt']);
  });

  test('keeps CRLF and a missing final newline', () => {
    const crlf = ISOLINUX.replace(/\n/g, '\r\n').replace(/\r\n$/, '');
    const r = patchIsolinuxCfg(crlf, AF);
    expect(r.text).toBe(patchIsolinuxCfg(ISOLINUX, AF).text.replace(/\n/g, '\r\n').replace(/\r\n$/, ''));
    expect(r.text.split('\r\n').length).toBe(crlf.split('\r\n').length);
  });

  test('a key=value param replaces a different value in the dom0 arguments only', () => {
    const cfg = `LABEL install\n KERNEL mboot.c32\n APPEND /boot/xen.gz answerfile=x --- /boot/vmlinuz answerfile=http://old/a.xml --- /install.img\n`;
    expect(patchIsolinuxCfg(cfg, AF).text).toBe(
      `LABEL install\n KERNEL mboot.c32\n APPEND /boot/xen.gz answerfile=x --- /boot/vmlinuz answerfile=file:///answerfile.xml install --- /install.img\n`,
    );
  });

  test('extra modules after the initrd are kept', () => {
    const cfg = 'LABEL x\nKERNEL /boot/isolinux/mboot.c32\nAPPEND /boot/xen.gz --- /boot/vmlinuz ro --- /install.img --- /extra.img\n';
    expect(patchIsolinuxCfg(cfg, ['install']).text).toBe('LABEL x\nKERNEL /boot/isolinux/mboot.c32\nAPPEND /boot/xen.gz --- /boot/vmlinuz ro install --- /install.img --- /extra.img\n');
  });

  test('no install entry is an error naming the file', () => {
    const bad = 'DEFAULT x\nLABEL x\n KERNEL mboot.c32\n APPEND /boot/xen.gz --- /boot/vmlinuz\n';
    expect(() => patchIsolinuxCfg(bad, AF)).toThrow(SuppackError);
    expect(() => patchIsolinuxCfg(bad, AF)).toThrow(/^boot\/isolinux\/isolinux\.cfg: no installer boot entry found/);
    expect(() => patchIsolinuxCfg('', AF, 'x.cfg')).toThrow(/^x\.cfg: /);
  });

  test('refuses params with spaces', () => {
    expect(() => patchIsolinuxCfg(ISOLINUX, ['a b'])).toThrow(/must be non-empty, without spaces/);
    expect(() => patchIsolinuxCfg(ISOLINUX, [''])).toThrow(SuppackError);
  });
});

/** formats.md 5: the grub equivalent, XCP-ng style. */
const GRUB = [
  'serial --unit=0 --speed=115200',
  'terminal_input serial console',
  'terminal_output serial console',
  'set default=0',
  'set timeout=5',
  'menuentry "install" {',
  `    multiboot2 ${XEN}`,
  '    module2 /boot/vmlinuz console=hvc0 console=tty0',
  '    module2 /install.img',
  '}',
  "menuentry 'no-serial' {",
  '\tmultiboot2 /boot/xen.gz dom0_mem=max:8192M console=vga',
  '\tmodule2 /boot/vmlinuz console=tty0   ',
  '\tmodule2 /install.img',
  '}',
  'menuentry "multiboot1" {',
  '    multiboot /boot/xen.gz console=vga',
  '    module /boot/vmlinuz',
  '    module /install.img',
  '}',
  'menuentry "memtest86" {',
  '    linux /boot/memtest.bin',
  '}',
  'menuentry "not xen" {',
  '    multiboot2 /boot/other.efi',
  '    module2 /boot/vmlinuz console=tty0',
  '}',
  '',
].join('\n');

describe('patchGrubCfg', () => {
  test('adds the params to the first module after a Xen multiboot line, in every menuentry', () => {
    const r = patchGrubCfg(GRUB, AF);
    expect(r.patched).toEqual(['install', 'no-serial', 'multiboot1']);
    expect(r.text).toBe(
      GRUB.replace('module2 /boot/vmlinuz console=hvc0 console=tty0\n', 'module2 /boot/vmlinuz console=hvc0 console=tty0 answerfile=file:///answerfile.xml install\n')
        .replace('\tmodule2 /boot/vmlinuz console=tty0   \n', '\tmodule2 /boot/vmlinuz console=tty0 answerfile=file:///answerfile.xml install   \n')
        .replace('    module /boot/vmlinuz\n', '    module /boot/vmlinuz answerfile=file:///answerfile.xml install\n'),
    );
    expect(r.text).toContain('    module2 /install.img\n');
    expect(r.text).toContain('    multiboot2 /boot/other.efi\n    module2 /boot/vmlinuz console=tty0\n');
  });

  test('idempotent, CRLF kept', () => {
    const crlf = GRUB.replace(/\n/g, '\r\n');
    const once = patchGrubCfg(crlf, AF).text;
    expect(once).toBe(patchGrubCfg(GRUB, AF).text.replace(/\n/g, '\r\n'));
    expect(patchGrubCfg(once, AF).text).toBe(once);
  });

  test('menuentry with the brace on the next line and options', () => {
    const cfg = "menuentry 'XCP-ng (serial)' --class xen\n{\n  multiboot2 /boot/xen.gz\n  module2 /boot/vmlinuz\n  module2 /install.img\n}\n";
    const r = patchGrubCfg(cfg, ['install']);
    expect(r.patched).toEqual(['XCP-ng (serial)']);
    expect(r.text).toContain('  module2 /boot/vmlinuz install\n  module2 /install.img\n');
  });

  test('no install entry is an error naming the file', () => {
    expect(() => patchGrubCfg('menuentry "a" {\n linux /vmlinuz\n}\n', AF)).toThrow(/^EFI\/xenserver\/grub\.cfg: no installer boot entry found/);
    expect(() => patchGrubCfg('multiboot2 /boot/xen.gz\nmodule2 /boot/vmlinuz\n', AF, 'g.cfg')).toThrow(/^g\.cfg: no installer boot entry/);
  });
});

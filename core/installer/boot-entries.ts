/**
 * Reading the boot menus of an installer ISO back (formats.md 5), for `suppack inspect`: each
 * isolinux LABEL or grub menuentry with the dom0 kernel command line it boots.
 */
export interface BootEntry {
  /** The menu file, e.g. `boot/isolinux/isolinux.cfg`. */
  menu: string;
  /** isolinux label or grub menuentry title. */
  name: string;
  /** The dom0 kernel and its arguments (`/boot/vmlinuz console=hvc0 ...`), when the entry boots Xen. */
  dom0?: string;
}

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim());

export function isolinuxEntries(text: string, menu: string): BootEntry[] {
  const out: BootEntry[] = [];
  let current: BootEntry | undefined;
  for (const l of lines(text)) {
    const m = /^(\S+)\s*(.*)$/.exec(l);
    if (!m) continue;
    const kw = m[1]!.toLowerCase();
    if (kw === 'label') {
      current = { menu, name: m[2]! };
      out.push(current);
    } else if (kw === 'append' && current) {
      // mboot.c32: <xen> [args] --- <dom0 kernel> [args] --- <initrd>
      const parts = m[2]!.split(/\s+---\s+/);
      if (parts.length >= 3) current.dom0 = parts[1];
    }
  }
  return out;
}

export function grubEntries(text: string, menu: string): BootEntry[] {
  const out: BootEntry[] = [];
  let current: BootEntry | undefined;
  let afterXen = false;
  for (const l of lines(text)) {
    const title = /^menuentry\s+(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(l);
    if (title) {
      current = { menu, name: title[1] ?? title[2] ?? title[3] ?? '' };
      out.push(current);
      afterXen = false;
      continue;
    }
    const m = /^(multiboot2?|module2?)\s+(.*)$/.exec(l);
    if (!m || !current) continue;
    if (m[1]!.startsWith('multiboot')) afterXen = /xen/i.test(m[2]!);
    else if (afterXen && current.dom0 === undefined) current.dom0 = m[2];
  }
  return out;
}

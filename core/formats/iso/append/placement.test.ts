import { describe, expect, test } from 'vitest';
import { type PlacementInput, planPlacement } from './placement';

const K = 2048;
/** The bench's layout: boot files, grub.cfg, install.img (100 blocks), a big filler after it. */
const base = (over: Partial<PlacementInput> = {}): PlacementInput => ({
  files: [
    { path: 'boot/efiboot.img', lba: 39, size: 1440 * K },
    { path: 'boot/isolinux/isolinux.bin', lba: 1479, size: 19 * K },
    { path: 'boot/isolinux/isolinux.cfg', lba: 1498, size: 130 },
    { path: 'boot/vmlinuz', lba: 1499, size: 6 },
    { path: 'boot/xen.gz', lba: 1500, size: 3 },
    { path: 'EFI/xenserver/grub.cfg', lba: 1501, size: 110 },
    { path: 'install.img', lba: 1502, size: 100 * K },
    { path: 'Packages/filler.bin', lba: 1602, size: 5000 * K },
  ],
  fixed: [
    { lba: 0, blocks: 20 },
    { lba: 39, blocks: 1440 },
    { lba: 1479, blocks: 19 },
  ],
  keepEnd: 6602,
  released: [],
  replacements: [],
  extensions: [],
  ...over,
});

describe('planPlacement', () => {
  test('nothing changes: the session starts at keepEnd', () => {
    expect(planPlacement(base())).toEqual({ inPlace: new Map(), grown: new Map(), relocated: [], sessionStart: 6602 });
  });

  test('a replacement that fits in its old blocks is written over them; one that does not goes to the session', () => {
    const p = planPlacement(
      base({
        released: ['boot/isolinux/isolinux.cfg', 'EFI/xenserver/grub.cfg'],
        replacements: [
          { path: 'boot/isolinux/isolinux.cfg', size: 2048 },
          { path: 'EFI/xenserver/grub.cfg', size: 2049 },
        ],
      }),
    );
    expect(p.inPlace).toEqual(new Map([['boot/isolinux/isolinux.cfg', 1498]]));
  });

  test('a boot image is replaced in place only at the same size', () => {
    const same = planPlacement(base({ released: ['boot/efiboot.img'], replacements: [{ path: 'boot/efiboot.img', size: 1440 * K, bootImage: true }] }));
    expect(same.inPlace.get('boot/efiboot.img')).toBe(39);
    const smaller = planPlacement(base({ released: ['boot/efiboot.img'], replacements: [{ path: 'boot/efiboot.img', size: 1439 * K, bootImage: true }] }));
    expect(smaller.inPlace.size).toBe(0);
    // A file that is not a boot image but lies in a fixed range (a partition) stays where it is.
    const inPartition = planPlacement(base({ released: ['boot/isolinux/isolinux.bin'], replacements: [{ path: 'boot/isolinux/isolinux.bin', size: 100 }] }));
    expect(inPartition.inPlace.size).toBe(0);
  });

  test('a replacement whose blocks a kept file shares (a hard link) goes to the session', () => {
    const files = [...base().files, { path: 'boot/xen-copy.gz', lba: 1500, size: 3 }];
    const p = planPlacement(base({ files, released: ['boot/xen.gz'], replacements: [{ path: 'boot/xen.gz', size: 10 }] }));
    expect(p.inPlace.size).toBe(0);
  });

  test('growth that fits in the last block of the file costs nothing', () => {
    const files = base().files.map((f) => (f.path === 'install.img' ? { ...f, size: 100 * K - 1000 } : f));
    const p = planPlacement(base({ files, extensions: [{ path: 'install.img', tail: 1000 }] }));
    expect(p.grown.get('install.img')).toEqual({ at: 'end', lba: 1502 });
    expect(p.relocated).toEqual([]);
    expect(p.sessionStart).toBe(6602);
  });

  test('growth at the start takes the blocks of a replaced file; the big file after it stays', () => {
    const p = planPlacement(
      base({
        released: ['EFI/xenserver/grub.cfg'],
        replacements: [{ path: 'EFI/xenserver/grub.cfg', size: 120 }],
        extensions: [{ path: 'install.img', tail: 700, head: 600 }],
      }),
    );
    expect(p.grown.get('install.img')).toEqual({ at: 'start', lba: 1501, headBlocks: 1 });
    // grub.cfg's old block is taken: the new grub.cfg goes to the session.
    expect(p.inPlace.size).toBe(0);
    expect(p.relocated).toEqual([]);
  });

  test('without a head, growth moves the cheapest small files after the end to the session', () => {
    // install.img at 100..199, vmlinuz and xen.gz right after it, no boot images.
    const layout = base()
      .files.filter((f) => !f.path.startsWith('boot/isolinux') && f.path !== 'boot/efiboot.img')
      .map((f) => (f.path === 'install.img' ? { ...f, lba: 100 } : f.path === 'boot/vmlinuz' ? { ...f, lba: 200 } : f.path === 'boot/xen.gz' ? { ...f, lba: 201 } : f));
    const p = planPlacement({
      files: layout,
      fixed: [{ lba: 0, blocks: 20 }],
      keepEnd: 6602,
      released: [],
      replacements: [],
      extensions: [{ path: 'install.img', tail: 3000 }],
    });
    expect(p.grown.get('install.img')).toEqual({ at: 'end', lba: 100 });
    expect(p.relocated).toEqual(['boot/vmlinuz', 'boot/xen.gz']);
  });

  test('growth goes to the session when every place in the image costs more than the file', () => {
    const p = planPlacement(base({ extensions: [{ path: 'install.img', tail: 700 }] }));
    expect(p.grown.get('install.img')).toEqual({ at: 'session', form: 'tail' });
    expect(p.relocated).toEqual([]);
  });

  test('growth never takes fixed blocks or unknown gaps (directories), and a fixed file does not grow in place', () => {
    const gap = base().files.map((f) => (f.path === 'Packages/filler.bin' ? { ...f, lba: 1603 } : f));
    expect(planPlacement(base({ files: gap, keepEnd: 6603, extensions: [{ path: 'install.img', tail: 700 }] })).grown.get('install.img')).toEqual({
      at: 'session',
      form: 'tail',
    });
    // isolinux.bin at 1479 ends where isolinux.cfg (1498) starts; it is a boot image.
    const p = planPlacement(base({ released: ['boot/isolinux/isolinux.cfg'], extensions: [{ path: 'boot/isolinux/isolinux.bin', tail: 10, head: 10 }] }));
    expect(p.grown.get('boot/isolinux/isolinux.bin')).toEqual({ at: 'session', form: 'tail' });
    // The head of install.img would need block 1501 (kept grub.cfg, moved for 110 bytes) — cheaper than 100 blocks.
    const q = planPlacement(base({ extensions: [{ path: 'install.img', tail: 10, head: 600 }] }));
    expect(q.grown.get('install.img')).toEqual({ at: 'start', lba: 1501, headBlocks: 1 });
    expect(q.relocated).toEqual(['EFI/xenserver/grub.cfg']);
  });

  test('a head-only growth goes before the data or, with no room there, to the session in head form', () => {
    const p = planPlacement(base({ released: ['EFI/xenserver/grub.cfg'], extensions: [{ path: 'install.img', head: 600 }] }));
    expect(p.grown.get('install.img')).toEqual({ at: 'start', lba: 1501, headBlocks: 1 });
    const files = base().files.map((f) => (f.path === 'EFI/xenserver/grub.cfg' ? { ...f, path: 'boot/xen2.gz' } : f));
    const q = planPlacement(base({ files, fixed: [...base().fixed, { lba: 1501, blocks: 1 }], extensions: [{ path: 'install.img', head: 600 }] }));
    expect(q.grown.get('install.img')).toEqual({ at: 'session', form: 'head' });
  });

  test('a file sharing its extent with a longer file (a hard link to more data) does not grow at its end', () => {
    const files = base().files.map((f) => (f.path === 'install.img' ? { ...f, size: 100 * K - 1000 } : f));
    const p = planPlacement(base({ files: [...files, { path: 'install-long.img', lba: 1502, size: 100 * K }], extensions: [{ path: 'install.img', tail: 500 }] }));
    expect(p.grown.get('install.img')).toEqual({ at: 'session', form: 'tail' });
  });

  test('the last file grows past keepEnd: the session starts after it', () => {
    const files = base().files.filter((f) => f.path !== 'Packages/filler.bin');
    const p = planPlacement(base({ files, keepEnd: 1602, extensions: [{ path: 'install.img', tail: 5000 }] }));
    expect(p.grown.get('install.img')).toEqual({ at: 'end', lba: 1502 });
    expect(p.sessionStart).toBe(1605);
  });
});

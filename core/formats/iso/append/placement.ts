/**
 * Pure: where the changed files of an appended session go (docs/formats/containers.md §3). The input is copied
 * whole by the kernel, so bytes written over blocks that nothing needs any more cost (almost)
 * nothing, while every byte put in the new session is written once more. So:
 *  - a file that replaces an old one goes over the old one's blocks when it fits in them;
 *  - a file that only grows (an initrd with a member added) grows in place: at its end, or at its
 *    start when its reader takes the addition there too, over blocks that are free or whose files
 *    are cheaper to move to the new session than the grown file itself; otherwise the whole grown
 *    file goes to the new session.
 * Blocks are free when only replaced or removed files used them, or when they lie at or after
 * `keepEnd` (where the new session starts). Blocks of nothing known (directories, path tables,
 * gaps) and `fixed` ones (descriptors, boot catalog, boot images, partitions) are never taken.
 */
import { BLOCK } from '../encode';

export interface BlockRange {
  lba: number;
  blocks: number;
}

export interface PlacementInput {
  /** Files of the old tree with data (one extent each). */
  files: ReadonlyArray<{ path: string; lba: number; size: number }>;
  /** Blocks that must keep their bytes: system area and descriptors, catalog, boot images, partitions. */
  fixed: readonly BlockRange[];
  /** First block after everything of the input that must be kept. */
  keepEnd: number;
  /** Old files that the changes replace or remove: their blocks are free unless a kept file shares them. */
  released: readonly string[];
  /** Changes replacing an old file, with the new size; `bootImage`: only over itself and at the same size. */
  replacements: ReadonlyArray<{ path: string; size: number; bootImage?: boolean }>;
  /** Old files that grow: `tail` bytes after their data, or instead `head` bytes (block-padded) before it; one at least. */
  extensions: ReadonlyArray<{ path: string; tail?: number; head?: number }>;
}

/** Where a file grows; in the new session it takes the tail form when it has one. */
export type FileGrowth = { at: 'end'; lba: number } | { at: 'start'; lba: number; headBlocks: number } | { at: 'session'; form: 'tail' | 'head' };

export interface Placement {
  /** Replacement path → the LBA it is written at (its old extent). */
  inPlace: Map<string, number>;
  /** Extension path → where it grows. */
  grown: Map<string, FileGrowth>;
  /** Kept old files that move to the new session so that a file can grow over their blocks. */
  relocated: string[];
  /** First block of the new session: keepEnd, or after a file grown past it. */
  sessionStart: number;
}

export const blocksOf = (bytes: number): number => Math.ceil(bytes / BLOCK);

interface Group {
  lba: number;
  blocks: number;
  /** Bytes the group's data takes: what moving it to the new session costs. */
  size: number;
  paths: string[];
  /** Some path that stays in the tree uses it. */
  kept: boolean;
}

type Cost = { cost: number; relocate: Group[] } | undefined;

export function planPlacement(input: PlacementInput): Placement {
  const released = new Set(input.released);
  const byLba = new Map<number, Group>();
  for (const f of input.files) {
    if (f.size === 0) continue;
    const g = byLba.get(f.lba) ?? { lba: f.lba, blocks: 0, size: 0, paths: [], kept: false };
    g.blocks = Math.max(g.blocks, blocksOf(f.size));
    g.size = Math.max(g.size, f.size);
    g.paths.push(f.path);
    g.kept ||= !released.has(f.path);
    byLba.set(f.lba, g);
  }
  const groups = [...byLba.values()].sort((a, b) => a.lba - b.lba);
  const groupOf = new Map<string, Group>();
  for (const g of groups) for (const p of g.paths) groupOf.set(p, g);
  /** Ranges already given to a placement, and groups already moved out. */
  const taken: BlockRange[] = [];
  const moved = new Set<Group>();
  const overlaps = (a: BlockRange, b: BlockRange) => a.lba < b.lba + b.blocks && b.lba < a.lba + a.blocks;
  const isFixed = (r: BlockRange) => input.fixed.some((f) => f.blocks > 0 && overlaps(f, r));
  const isTaken = (r: BlockRange) => taken.some((t) => overlaps(t, r));

  /** What taking `r` for one file costs: undefined when it cannot be taken. */
  const costOf = (r: BlockRange, self: Group | undefined): Cost => {
    if (r.blocks === 0) return { cost: 0, relocate: [] };
    if (r.lba < 0 || isFixed(r) || isTaken(r)) return undefined;
    const relocate: Group[] = [];
    let cost = 0;
    // Walk the blocks of r below keepEnd; each must belong to a group (no unknown gaps).
    let at = r.lba;
    const end = Math.min(r.lba + r.blocks, input.keepEnd);
    while (at < end) {
      const g = groups.find((x) => x.lba <= at && at < x.lba + x.blocks && x !== self);
      if (!g) return undefined;
      if (g.kept && !moved.has(g)) {
        relocate.push(g);
        cost += g.size;
      }
      at = g.lba + g.blocks;
    }
    return { cost, relocate };
  };

  const inPlace = new Map<string, number>();
  const grown = new Map<string, FileGrowth>();
  let sessionStart = input.keepEnd;
  const take = (r: BlockRange, c: NonNullable<Cost>) => {
    taken.push(r);
    for (const g of c.relocate) moved.add(g);
    sessionStart = Math.max(sessionStart, r.lba + r.blocks);
  };

  for (const e of input.extensions) {
    const g = groupOf.get(e.path);
    const headBlocks = e.head !== undefined ? blocksOf(e.head) : 0;
    const session: FileGrowth = { at: 'session', form: e.tail !== undefined ? 'tail' : 'head' };
    // A boot image or partition does not move or grow here: its catalog entry would have to follow.
    if (!g || isFixed(g)) {
      grown.set(e.path, session);
      continue;
    }
    const size = input.files.find((f) => f.path === e.path)?.size ?? g.size;
    const sessionCost = size + (e.tail ?? headBlocks * BLOCK);
    const options: Array<{ growth: FileGrowth; range: BlockRange; cost: Cost }> = [];
    // At the end only when no other file shares the extent with more data after this one's.
    if (e.tail !== undefined && g.size === size) {
      const range = { lba: g.lba + blocksOf(size), blocks: blocksOf(size + e.tail) - blocksOf(size) };
      options.push({ growth: { at: 'end', lba: g.lba }, range, cost: costOf(range, g) });
    }
    if (e.head !== undefined) {
      const range = { lba: g.lba - headBlocks, blocks: headBlocks };
      options.push({ growth: { at: 'start', lba: range.lba, headBlocks }, range, cost: costOf(range, g) });
    }
    const best = options.filter((o) => o.cost !== undefined && o.cost.cost < sessionCost).sort((a, b) => a.cost!.cost - b.cost!.cost)[0];
    if (!best) {
      grown.set(e.path, session);
      continue;
    }
    // The grown file keeps its own blocks too: nothing else may be placed over them.
    take({ lba: g.lba, blocks: g.blocks }, { cost: 0, relocate: [] });
    take(best.range, best.cost!);
    grown.set(e.path, best.growth);
  }

  for (const r of input.replacements) {
    const g = groupOf.get(r.path);
    if (!g || g.kept || moved.has(g) || isTaken(g)) continue;
    const fits = r.bootImage ? r.size === g.size : r.size > 0 && blocksOf(r.size) <= g.blocks;
    if (!fits || (!r.bootImage && isFixed(g))) continue;
    taken.push({ lba: g.lba, blocks: g.blocks });
    inPlace.set(r.path, g.lba);
  }

  const relocated = groups.filter((g) => moved.has(g)).flatMap((g) => g.paths.filter((p) => !released.has(p)));
  return { inPlace, grown, relocated, sessionStart };
}

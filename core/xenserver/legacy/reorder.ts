/**
 * `--reorder` (docs/formats/xenserver.md §1.3): the DDK asked `rpm -ivv --test` for its install order. Here a
 * Requires → Provides topological sort gives the same guarantee (dependencies before
 * dependents); ties keep the input order, so the result is deterministic.
 */
import { basename } from 'node:path';
import { SuppackError } from '../../base/errors';
import { compareEvr, type Evr } from '../../formats/rpm/version';
import { RPMSENSE, type RpmDependency, type RpmInfo } from '../../formats/rpm/types';

/** Dependencies first, otherwise the input order (stable Kahn). A cycle is an error. */
export function reorderPackages(infos: RpmInfo[]): RpmInfo[] {
  const deps = dependencyGraph(infos);
  const placed = new Array<boolean>(infos.length).fill(false);
  const order: RpmInfo[] = [];
  while (order.length < infos.length) {
    const next = infos.findIndex((_, i) => !placed[i] && deps[i]!.every((d) => placed[d]));
    if (next < 0) throw cycleError(infos, deps, placed);
    placed[next] = true;
    order.push(infos[next]!);
  }
  return order;
}

/** For each package, the indexes of the other packages that satisfy one of its requires. */
export function dependencyGraph(infos: RpmInfo[]): number[][] {
  return infos.map((a, ai) => {
    const on = new Set<number>();
    for (const req of a.requires) {
      if (isRpmlib(req) || satisfiedBy(req, a)) continue; // self-provides need no ordering
      infos.forEach((b, bi) => {
        if (bi !== ai && satisfiedBy(req, b)) on.add(bi);
      });
    }
    return [...on].sort((x, y) => x - y);
  });
}

function isRpmlib(req: RpmDependency): boolean {
  return req.name.startsWith('rpmlib(') || (req.flags & RPMSENSE.RPMLIB) !== 0;
}

/** Does package `b` satisfy `req`, by a provide (the implicit `name = evr` included) or a file? */
export function satisfiedBy(req: RpmDependency, b: RpmInfo): boolean {
  const implicit: RpmDependency = { name: b.name, flags: RPMSENSE.EQUAL, version: evrString(b) };
  for (const p of [...b.provides, implicit]) {
    if (p.name === req.name && rangesOverlap(p, req)) return true;
  }
  return req.name.startsWith('/') && b.files.some((f) => f.path === req.name);
}

function evrString(b: RpmInfo): string {
  return `${b.epoch === undefined ? '' : `${b.epoch}:`}${b.version}-${b.release}`;
}

/** `[epoch:]version[-release]` of a dependency, as rpm splits it. */
export function parseDependencyEvr(s: string): Evr {
  let rest = s;
  let epoch: number | undefined;
  const colon = /^(\d+):/.exec(rest);
  if (colon) {
    epoch = Number(colon[1]);
    rest = rest.slice(colon[0].length);
  }
  const dash = rest.lastIndexOf('-');
  if (dash < 0) return { epoch, version: rest };
  return { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

/**
 * rpm's rpmdsCompare: do the version ranges of a provide and a require intersect? An
 * unversioned side matches anything; a release missing on either side is not compared.
 */
export function rangesOverlap(provide: RpmDependency, require: RpmDependency): boolean {
  const ps = provide.flags & RPMSENSE.SENSEMASK;
  const rs = require.flags & RPMSENSE.SENSEMASK;
  if (provide.version === '' || require.version === '' || ps === 0 || rs === 0) return true;
  const p = parseDependencyEvr(provide.version);
  const r = parseDependencyEvr(require.version);
  if (p.release === undefined || r.release === undefined || p.release === '' || r.release === '') {
    p.release = undefined;
    r.release = undefined;
  }
  const sense = compareEvr(p, r);
  const has = (flags: number, bit: number): boolean => (flags & bit) !== 0;
  if (sense < 0) return has(ps, RPMSENSE.GREATER) || has(rs, RPMSENSE.LESS);
  if (sense > 0) return has(ps, RPMSENSE.LESS) || has(rs, RPMSENSE.GREATER);
  return (
    (has(ps, RPMSENSE.EQUAL) && has(rs, RPMSENSE.EQUAL)) ||
    (has(ps, RPMSENSE.LESS) && has(rs, RPMSENSE.LESS)) ||
    (has(ps, RPMSENSE.GREATER) && has(rs, RPMSENSE.GREATER))
  );
}

// Name the packages of one cycle (a strongly connected component of the unplaced ones), in
// input order; packages merely waiting on a cycle are left out.
function cycleError(infos: RpmInfo[], deps: number[][], placed: boolean[]): SuppackError {
  const members = firstCycle(deps, placed);
  const names = members.map((i) => basename(infos[i]!.path));
  const list = names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return new SuppackError(
    `dependency cycle between ${list}: cyclic dependencies between RPMs are not supported ` +
      '(use --noreorder to keep the given order)',
  );
}

/** Tarjan's SCC over the unplaced nodes; the first component (by lowest index) with a cycle. */
function firstCycle(deps: number[][], placed: boolean[]): number[] {
  const n = deps.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const visit = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    for (const w of deps[v]!) {
      if (placed[w]) continue;
      if (index[w] === -1) {
        visit(w);
        low[v] = Math.min(low[v]!, low[w]!);
      } else if (onStack[w]) {
        low[v] = Math.min(low[v]!, index[w]!);
      }
    }
    if (low[v] === index[v]) {
      const comp: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        comp.push(w);
      } while (w !== v);
      components.push(comp.sort((x, y) => x - y));
    }
  };
  for (let v = 0; v < n; v++) if (!placed[v] && index[v] === -1) visit(v);
  const cyclic = components.filter((c) => c.length > 1).sort((x, y) => x[0]! - y[0]!);
  // Unplaced nodes always contain a cycle when Kahn stalls; self-loops are excluded upstream.
  return cyclic[0] ?? [];
}

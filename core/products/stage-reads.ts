/**
 * What each stage of a pack project reads of its `suppack.json`, as JSON paths (`pack.label`: that
 * field; `rpms`: the whole array), declared with each stage (core/products/stages.ts `reads`). The Nx plugin hashes exactly these parts of the manifest for the
 * stage's target (so editing `pack.text` re-runs the metadata, ISO and bundle, never rpmbuild), and
 * the executors hand each stage a manifest on which reading anything else throws
 * (`guardManifest`): a stage cannot read a field its cache key does not cover. docs/nx/caching.md.
 */
import { SuppackError } from '../base/errors';
import { MANIFEST_READS, type PackStageName } from './stages';

export { MANIFEST_READS, type PackStageName };

/** The allowed keys below `prefix` ('' = the top): a key maps to true (all of it) or to its own allowed keys. */
type Allowed = Map<string, Allowed | true>;

function allowedTree(paths: readonly string[]): Allowed {
  const root: Allowed = new Map();
  for (const path of paths) {
    let node = root;
    const parts = path.split('.');
    for (const [i, part] of parts.entries()) {
      const here = node.get(part);
      if (here === true) break; // a whole subtree is allowed already
      if (i === parts.length - 1) {
        node.set(part, true);
        break;
      }
      const next: Allowed = here ?? new Map();
      node.set(part, next);
      node = next;
    }
  }
  return root;
}

/**
 * `manifest` as stage `stage` may read it: reading a field outside MANIFEST_READS[stage] throws
 * (a bug: the target's cache key would miss it); spreading or listing keys shows only the allowed
 * ones.
 */
/** The allowed-key tree of `paths` (exported for its test). */
export const allowedTreeOf = (paths: readonly string[]) => allowedTree(paths);

export function guardManifest<M extends object>(manifest: M, stage: PackStageName): M {
  return guard(manifest, allowedTree(MANIFEST_READS[stage]), stage, '');
}

function guard<T extends object>(value: T, allowed: Allowed, stage: string, at: string): T {
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key === 'toJSON' || key === 'then') return Reflect.get(target, key, receiver);
      const rule = allowed.get(key);
      if (rule === undefined) {
        if (!Object.prototype.hasOwnProperty.call(target, key)) return undefined;
        throw new SuppackError(`internal error: the ${stage} stage read ${at}${key} of suppack.json, which its target does not hash (core/products/stage-reads.ts); please report it`);
      }
      const v = Reflect.get(target, key, receiver) as unknown;
      return rule === true || v === null || typeof v !== 'object' ? v : guard(v, rule, stage, `${at}${key}.`);
    },
    ownKeys(target) {
      return Reflect.ownKeys(target).filter((k) => typeof k === 'symbol' || allowed.has(k));
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === 'string' && !allowed.has(key)) return undefined;
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
}

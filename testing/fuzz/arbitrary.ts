/**
 * Test-only: documents drawn from a zod schema (docs/security.md "Fuzzing"). Mutating a seed
 * manifest mostly makes one the schema refuses; drawing from the schema itself makes documents it
 * accepts, with odd but valid values (hostile strings where a field takes any text, edge numbers,
 * empty and long arrays, optional fields present or not), so the fuzz cases reach what trusts the
 * schema: the Nx plugin's target inference.
 *
 * It reads zod's schema definitions (`schema._zod.def`, zod 4). Each leaf value is drawn until the
 * leaf's own schema takes it (its regexes and refinements); the whole document is then checked,
 * and the values at the paths it refuses are drawn again (cross-field rules). A document that
 * still fails is kept: a refusal is a case too.
 */
import type { z } from 'zod';
import type { Random } from '../random';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The parts of zod 4's schema definitions read here. */
interface Def {
  type: string;
  checks?: Array<{ _zod: { def: { check: string; minimum?: number; maximum?: number; value?: number } } }>;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  innerType?: Schema;
  options?: Schema[];
  in?: Schema;
  out?: Schema;
  getter?: () => Schema;
  keyType?: Schema;
  valueType?: Schema;
  entries?: Record<string, string | number>;
  values?: Array<string | number | boolean | null>;
}
type Schema = z.ZodType & { _zod: { def: Def } };

/** Values seen in the seed documents, by the key they sat under (and all of them under ""). */
export type ValuePool = Map<string, Json[]>;

export function valuePool(docs: readonly Buffer[]): ValuePool {
  const pool: ValuePool = new Map([['', []]]);
  const add = (key: string, v: Json) => {
    if (!pool.has(key)) pool.set(key, []);
    pool.get(key)!.push(v);
    pool.get('')!.push(v);
  };
  const walk = (key: string, v: Json) => {
    if (Array.isArray(v)) v.forEach((x) => walk(key, x));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(k, x);
    else add(key, v);
  };
  for (const d of docs) {
    try {
      walk('', JSON.parse(d.toString('utf8')) as Json);
    } catch {
      // a seed that is not JSON gives no values
    }
  }
  return pool;
}

/**
 * Strings a field taking text may hold: shell and quoting metacharacters (each injection would
 * create a file named `pwned`: the probe looks for it), separators, "..", non-ASCII, control
 * characters, Nx's own tokens, and long ones.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '$(touch pwned)', '`touch pwned`', "'; touch pwned; '", '"; touch pwned; "', '; touch pwned', '| touch pwned', '&& touch pwned',
  '%PATH%', '!x!', '^&', 'a b', ' ', '\t', 'a\nb', '\r', '\u0000', 'é', '\u202e', '😀', '\ud83d', 'a\udc00b', '\uffff',
  '.', '..', '../x', 'x/..', 'x\\..\\..', '..\\x', 'a\\..\\..\\x', '.\\..', 'C:/x', 'C:\\x', 'c:x', '\\\\server\\share', '/', '//', '/etc/passwd', '~', '~root', '-rf', '--help',
  '{projectRoot}', '{workspaceRoot}/x', '^build-iso', '*', '**', '!x', '{a,b}', '[x]', '?', '#', '%{_topdir}', '%(echo x)',
  '__proto__', 'constructor', 'a'.repeat(300), 'x/'.repeat(200),
];

/** Numbers on the edges. */
const EDGE_NUMBERS: readonly number[] = [0, 1, -1, 2, 7, 255, 256, 4096, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, 0.5, -0.0];

const TRIES = 24;
const MAX_DEPTH = 10;

/** A document drawn from `schema`, with the ops that say how it was made. */
export function arbitraryDocument(schema: z.ZodType, rand: Random, pool: ValuePool): { value: unknown; ops: string[] } {
  const root = schema as Schema;
  const ops = ['drawn from the schema'];
  let doc: unknown = draw(root, '', rand, pool, 0);
  // cross-field rules: the values at the paths the schema refuses are drawn again
  for (let round = 0; round < 12; round++) {
    const result = root.safeParse(doc);
    if (result.success) return { value: doc, ops };
    const issue = rand.pick(result.error.issues);
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    ops.push(`redraw ${path.join('.') || '(root)'}`);
    doc = redraw(root, doc, path, rand, pool);
  }
  ops.push('(the schema still refuses it)');
  return { value: doc, ops };
}

/** `doc` with the value at `path` drawn again (or removed, where the field may be absent). */
function redraw(root: Schema, doc: unknown, path: Array<string | number>, rand: Random, pool: ValuePool): unknown {
  if (path.length === 0) return draw(root, '', rand, pool, 0);
  // the innermost object or array on the path whose schema is known
  let schema: Schema | undefined = root;
  let value: unknown = doc;
  const trail: Array<{ container: Record<string | number, unknown>; key: string | number; schema: Schema }> = [];
  for (const key of path) {
    if (value === null || typeof value !== 'object' || schema === undefined) break;
    const child = childSchema(schema, key, value);
    trail.push({ container: value as Record<string | number, unknown>, key, schema: child ?? schema });
    schema = child;
    value = (value as Record<string | number, unknown>)[key];
  }
  const last = trail[trail.length - 1];
  if (last === undefined) return draw(root, '', rand, pool, 0);
  const { container, key } = last;
  const s = last.schema;
  if (!Array.isArray(container) && mayBeAbsent(s) && rand.chance(0.5)) delete container[key];
  else if (Array.isArray(container) && rand.chance(0.3)) container.splice(key as number, 1);
  else container[key] = draw(s, String(key), rand, pool, trail.length);
  return doc;
}

/** The schema of `value[key]` under `schema` (through wrappers; a union by the option that fits best). */
function childSchema(schema: Schema, key: string | number, value: unknown): Schema | undefined {
  const s = unwrap(schema, value);
  const d = s._zod.def;
  if (d.type === 'object') return d.shape?.[key as string] ?? d.catchall;
  if (d.type === 'array') return d.element;
  if (d.type === 'record') return d.valueType;
  return undefined;
}

/** Through optional, default, pipe (its input side) and lazy; a union to its option that fits `value` best. */
function unwrap(schema: Schema, value: unknown): Schema {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const d = s._zod.def;
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else if (d.type === 'union' && d.options) {
      // the options whose literal fields (kind, format) the value does not contradict, then the one it breaks least
      const fitting = d.options.filter((o) => literalsFit(o as Schema, value));
      const scored = (fitting.length > 0 ? fitting : d.options).map((o) => {
        const r = o.safeParse(value);
        return { o: o as Schema, n: r.success ? 0 : r.error.issues.length };
      });
      s = scored.reduce((a, b) => (b.n < a.n ? b : a)).o;
    } else return s;
  }
  return s;
}

/** Whether `value` has no field contradicting a literal field of `option` (an object schema, possibly wrapped). */
function literalsFit(option: Schema, value: unknown): boolean {
  let s = option;
  while (s._zod.def.innerType) s = s._zod.def.innerType;
  const shape = s._zod.def.shape;
  if (s._zod.def.type !== 'object' || shape === undefined || value === null || typeof value !== 'object') return true;
  for (const [k, field] of Object.entries(shape)) {
    let f = field;
    while (f._zod.def.innerType) f = f._zod.def.innerType;
    if (f._zod.def.type !== 'literal') continue;
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined ? !mayBeAbsent(field) : !f._zod.def.values!.includes(v as string)) return false;
  }
  return true;
}

function mayBeAbsent(schema: Schema): boolean {
  const t = schema._zod.def.type;
  return t === 'optional' || t === 'default' || t === 'prefault';
}

function checkOf(schema: Schema, name: string): number | undefined {
  for (const c of schema._zod.def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === name) return d.minimum ?? d.maximum ?? d.value;
  }
  return undefined;
}

/** A value drawn for `schema`, found under `key` (the pool's values of that key are tried first). */
function draw(schema: Schema, key: string, rand: Random, pool: ValuePool, depth: number): Json {
  const d = schema._zod.def;
  switch (d.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return draw(d.innerType!, key, rand, pool, depth);
    case 'nullable':
      return rand.chance(0.1) ? null : draw(d.innerType!, key, rand, pool, depth);
    case 'lazy':
      return draw(d.getter!(), key, rand, pool, depth);
    case 'pipe':
      return leaf(schema, () => draw(d.in!, key, rand, pool, depth));
    case 'union':
      return draw(rand.pick(d.options!) as Schema, key, rand, pool, depth);
    case 'literal':
      return rand.pick(d.values!) as Json;
    case 'enum':
      return rand.pick(Object.values(d.entries!));
    case 'boolean':
      return rand.chance(0.5);
    case 'number':
      return leaf(schema, () => (rand.chance(0.5) ? fromPool(pool, key, 'number', rand) ?? rand.pick(EDGE_NUMBERS) : rand.pick(EDGE_NUMBERS)));
    case 'string':
      return leaf(schema, () => aString(key, rand, pool), pool);
    case 'object': {
      const out: Record<string, Json> = {};
      for (const [k, s] of Object.entries(d.shape ?? {})) {
        if (mayBeAbsent(s) && (depth >= MAX_DEPTH || rand.chance(0.4))) continue;
        const v = draw(s, k, rand, pool, depth + 1);
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array': {
      const min = checkOf(schema, 'min_length') ?? 0;
      const max = checkOf(schema, 'max_length') ?? Infinity;
      const wanted = depth >= MAX_DEPTH ? min : rand.pick([0, 1, 1, 2, 3, 5, 12]);
      const n = Math.max(min, Math.min(max, wanted));
      // sometimes one item repeated (duplicates are what some rules refuse)
      if (n > 1 && rand.chance(0.15)) {
        const item = draw(d.element!, key, rand, pool, depth + 1);
        return Array.from({ length: n }, () => JSON.parse(JSON.stringify(item)) as Json);
      }
      return Array.from({ length: n }, () => draw(d.element!, key, rand, pool, depth + 1));
    }
    case 'record': {
      const out: Record<string, Json> = {};
      const n = depth >= MAX_DEPTH ? 0 : rand.pick([0, 1, 2, 3]);
      for (let i = 0; i < n; i++) {
        const k = draw(d.keyType!, key, rand, pool, depth + 1);
        if (typeof k === 'string') Object.defineProperty(out, k, { value: draw(d.valueType!, k, rand, pool, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      // any, unknown, never, transform...: some value from the seeds
      return rand.pick(pool.get('')!.length > 0 ? pool.get('')! : ['x']);
  }
}

/** A value `make` draws until `schema` takes it (at most TRIES draws; then the last one). */
function leaf(schema: Schema, make: () => Json, pool?: ValuePool): Json {
  let v = make();
  for (let i = 1; i < TRIES && !schema.safeParse(v).success; i++) v = make();
  // none fitted: a seed's value that does, if any (rare formats: UUIDs, project names)
  if (pool !== undefined && !schema.safeParse(v).success) return pool.get('')!.find((x) => typeof x === 'string' && schema.safeParse(x).success) ?? v;
  return v;
}

function fromPool(pool: ValuePool, key: string, type: 'string' | 'number', rand: Random): Json | undefined {
  const values = (pool.get(key) ?? []).filter((v) => typeof v === type);
  return values.length > 0 ? rand.pick(values) : undefined;
}

/** A string for a field named `key`: a seed's value of that key, edited, a hostile one, or a path of odd segments. */
function aString(key: string, rand: Random, pool: ValuePool): string {
  const seen = fromPool(pool, key, 'string', rand) as string | undefined;
  const r = rand.int(10);
  if (seen !== undefined && r < 4) return seen;
  if (seen !== undefined && r < 7) {
    const token = rand.pick(HOSTILE_STRINGS);
    const at = rand.int(seen.length + 1);
    return seen.slice(0, at) + token + seen.slice(at);
  }
  if (r < 8) {
    const segments = ['a', 'x.spec', '..', '..', '.', '', 'dir name', '$(touch pwned)', "it's", '*', 'é', 'a\\b', '~', 'C:'];
    return Array.from({ length: 1 + rand.int(4) }, () => rand.pick(segments)).join(rand.chance(0.7) ? '/' : '\\');
  }
  return rand.pick(HOSTILE_STRINGS);
}

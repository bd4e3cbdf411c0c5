/**
 * Where a value (and its key) of a JSON text starts, by JSON path, so a schema error points at the
 * place to fix: `suppack.json: line 7, column 16: pack.version: ...`. The text must already be
 * valid JSON (JSON.parse accepted it). One lookup is one pass over the text with a stack of small
 * frames: linear time, memory linear in the nesting depth, no recursion, whatever the input.
 */

/** Line and column (both 1-based) of the start of a value, and of its key inside an object. */
export interface JsonPosition {
  value: { line: number; column: number };
  key?: { line: number; column: number };
}

/** A JSON path as zod reports it: object keys and array indexes. */
export type JsonPath = ReadonlyArray<PropertyKey>;

interface Frame {
  kind: 'object' | 'array';
  /** Every ancestor, and this container, lie on the path looked for. */
  onPath: boolean;
  index: number;
  /** Object: the key just read, waiting for its value, and where it starts. */
  key?: string;
  keyAt?: { line: number; column: number };
}

/** The position of the value at `path` in `text` (and of its key), or undefined when there is none. */
export function jsonPosition(text: string, path: JsonPath): JsonPosition | undefined {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i;
  const here = () => ({ line, column: i - lineStart + 1 });
  const stack: Frame[] = [];
  const skipSpace = () => {
    for (;;) {
      const c = text[i];
      if (c === '\n') {
        line++;
        lineStart = ++i;
      } else if (c === ' ' || c === '\t' || c === '\r') i++;
      else return;
    }
  };
  /** The string starting at i (a '"'); leaves i after its closing quote. */
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  skipSpace();
  for (;;) {
    if (i >= text.length) return undefined;
    // a value starts at i: is it the one looked for, or on the way to it?
    const top = stack.at(-1);
    const depth = stack.length;
    const step = top === undefined ? undefined : top.kind === 'array' ? top.index : top.key;
    const onPath = top === undefined || (top.onPath && depth <= path.length && (typeof step === 'number' ? path[depth - 1] === step : path[depth - 1] === step));
    if (onPath && depth === path.length) return { value: here(), ...(top?.kind === 'object' ? { key: top.keyAt } : {}) };
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      stack.push({ kind: c === '{' ? 'object' : 'array', onPath, index: 0 });
    } else if (c === '"') {
      readString();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    }
    // after a value or an opening bracket: closing brackets, commas and keys up to the next value
    for (;;) {
      skipSpace();
      const frame = stack.at(-1);
      if (!frame) return undefined;
      const d = text[i];
      if (d === '}' || d === ']') {
        i++;
        stack.pop();
        continue;
      }
      if (d === ',') {
        i++;
        skipSpace();
        if (frame.kind === 'array') {
          frame.index++;
          break;
        }
      }
      if (frame.kind === 'object') {
        if (text[i] !== '"') return undefined;
        frame.keyAt = here();
        frame.key = readString();
        skipSpace();
        i++; // ':'
        skipSpace();
        break;
      }
      break;
    }
  }
}

/**
 * Text from an input (a name in an RPM, a boot entry's title, a key of a manifest) made safe to
 * print on a terminal: control characters are shown as escapes, so that no input can move the
 * cursor, recolour or retitle the terminal, or start a line of its own in a message
 * (docs/security.md, "What suppack prints"). Linear in the length of the text.
 */

/** C0 controls but the tab, DEL, C1 controls, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;
/** The same, but for the newline: a block of lines (an answerfile shown whole). */
const CONTROL_BUT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

function escape(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line: every control character (a newline too) as an escape such as `\x1b` or `\n`. */
export function printableLine(s: string): string {
  return s.replace(CONTROL, escape);
}

/** Lines: the newlines kept, every other control character as an escape. */
export function printableText(s: string): string {
  return s.replace(CONTROL_BUT_NEWLINE, escape);
}

/**
 * Whitespace around newlines collapsed to one space, the ends trimmed: a message written over
 * several lines in the code becomes one. Linear: a regular expression such as /\s*\n\s*\/ tries
 * every start in a long run of spaces again (a manifest key of 100,000 spaces took seconds).
 */
export function joinLines(s: string): string {
  if (!s.includes('\n')) return s.trim();
  return s
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/**
 * A copy of a report (plain data, as JSON has it) with every string made printable: one line
 * each, but the strings under a key named in `blocks` keep their newlines (an answerfile).
 */
export function printableStrings<T>(value: T, blocks: ReadonlySet<string> = new Set()): T {
  const walk = (v: unknown, block: boolean): unknown => {
    if (typeof v === 'string') return block ? printableText(v) : printableLine(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, blocks.has(k))]));
    }
    return v;
  };
  return walk(value, false) as T;
}

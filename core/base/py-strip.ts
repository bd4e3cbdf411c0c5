/**
 * Python's `str.strip()` with no argument on the text the installer, xapi and the DDK scripts
 * read: ASCII whitespace (space, \t, \n, \r, \v, \f) off both ends; JS `trim()` strips more.
 * Linear in the length: a regular expression such as `/[ \t]+$/` backtracks quadratically on a
 * long run of whitespace followed by anything else (100 KB took 10 s), so hostile text is
 * scanned by index instead (docs/security.md, "Bounded work on small hostile inputs").
 */
const PY_WHITESPACE = ' \t\n\r\v\f';

export function pyStrip(s: string, chars: string = PY_WHITESPACE): string {
  let start = 0;
  let end = s.length;
  while (start < end && chars.includes(s[start]!)) start++;
  while (end > start && chars.includes(s[end - 1]!)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

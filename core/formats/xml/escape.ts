/** XML escaping (XML 1.0 §2.4 character data, §3.3.3 attribute values): the one escaper every XML writer uses. */

/**
 * XML 1.0 character data: `&`, `<`, `>` escaped, and a carriage return as a character reference:
 * a parser reads a literal one back as a newline (§2.11 end-of-line handling), as libxml2 writes it.
 */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Attribute values in double quotes; tabs and line ends as character references so a parser keeps them. */
export function escapeAttribute(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

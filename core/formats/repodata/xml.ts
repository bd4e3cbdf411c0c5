/**
 * The few XML pieces every repodata file is made of, laid out as createrepo_c (libxml2) writes
 * them: double-quoted attributes in a fixed order, `<x/>` for empty elements without text,
 * `\n` line ends. Escaping is core/formats/xml/escape.ts's (one escaper in the codebase).
 */
import { escapeAttribute, escapeText } from '../xml/escape';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Attributes whose value is undefined are left out. */
export type Attrs = Array<[string, string | number | undefined]>;

export function attrs(list: Attrs): string {
  return list
    .filter((a): a is [string, string | number] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${asciiAttribute(String(v))}"`)
    .join('');
}

/**
 * An attribute value as libxml2 serialises one in a node without a document encoding, as
 * createrepo_c dumps its packages: every character beyond ASCII as an uppercase hexadecimal
 * reference (`Jörg` → `J&#xF6;rg`); element text keeps its UTF-8 (docs/formats/containers.md §5).
 */
function asciiAttribute(s: string): string {
  return escapeAttribute(s).replace(/[^\x00-\x7f]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`);
}

/** `<tag a="…"/>`. */
export function empty(tag: string, list: Attrs = []): string {
  return `<${tag}${attrs(list)}/>`;
}

/** `<tag a="…">text</tag>`; an empty text still gives an open and a close tag. */
export function element(tag: string, text: string, list: Attrs = []): string {
  return `<${tag}${attrs(list)}>${escapeText(text)}</${tag}>`;
}

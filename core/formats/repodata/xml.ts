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
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join('');
}

/** `<tag a="…"/>`. */
export function empty(tag: string, list: Attrs = []): string {
  return `<${tag}${attrs(list)}/>`;
}

/** `<tag a="…">text</tag>`; an empty text still gives an open and a close tag. */
export function element(tag: string, text: string, list: Attrs = []): string {
  return `<${tag}${attrs(list)}>${escapeText(text)}</${tag}>`;
}

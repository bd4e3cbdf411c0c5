/**
 * The exact bytes supp-pack-build wrote for XS-REPOSITORY and XS-PACKAGES (docs/formats/xenserver.md §1.4):
 * Python 2.7 `xml.dom.minidom` `Element.toprettyxml(indent='  ')`, then `_compat_xml`, a line
 * post-processor that folds text nodes back onto their element's line.
 *
 * Both steps are modelled literally (not "pretty printing in general") so that odd inputs, such
 * as text with a newline in it, give the same bytes as the DDK did. The metadata md5 (1.6) and
 * the installer's Verify hash depend on these bytes.
 */

import { pyStrip } from '../../base/py-strip';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** A text node. `''` is still a (empty) text node: `<a></a>`; undefined means none: `<a/>`. */
  text?: string;
  /** Child elements, written after the text node (if any). */
  children?: XmlElement[];
}

/** The DDK's serialisation of `root`: no XML declaration, exactly one trailing newline. */
export function serializeMinidom(root: XmlElement): string {
  return compatXml(toPrettyXml(root));
}

// Python 2.7 minidom `_write_data`: these four, in this order; apostrophes are left alone.
export function escapeMinidom(data: string): string {
  return data.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/>/g, '&gt;');
}

/** Python 2.7.18 `Element.toprettyxml(indent='  ', newl='\n')` on an element (no declaration). */
export function toPrettyXml(root: XmlElement, addindent = '  ', newl = '\n'): string {
  return writeXml(root, '', addindent, newl);
}

/** Python 2.7.18 `Element.writexml(writer, indent, addindent, newl)` (build-update writes update.xml this way). */
export function writeXml(root: XmlElement, indent: string, addindent: string, newl: string): string {
  const out: string[] = [];
  writeElement(root, indent, addindent, newl, out);
  return out.join('');
}

// Python 2.7.18 minidom Element.writexml: attributes sorted by name; an element whose only
// child is a text node is written on one line; otherwise each child on its own indented line.
function writeElement(el: XmlElement, indent: string, addindent: string, newl: string, out: string[]): void {
  out.push(`${indent}<${el.name}`);
  for (const name of Object.keys(el.attrs).sort(compareCodeUnits)) {
    out.push(` ${name}="${escapeMinidom(el.attrs[name] ?? '')}"`);
  }
  const children = el.children ?? [];
  const hasText = el.text !== undefined;
  if (!hasText && children.length === 0) {
    out.push(`/>${newl}`);
    return;
  }
  out.push('>');
  if (hasText && children.length === 0) {
    // Text.writexml(writer, '', '', '')
    out.push(escapeMinidom(el.text ?? ''));
  } else {
    out.push(newl);
    // Text.writexml(writer, indent + addindent, addindent, newl): the indent goes through _write_data too.
    if (hasText) out.push(escapeMinidom(`${indent}${addindent}${el.text ?? ''}${newl}`));
    for (const child of children) writeElement(child, indent + addindent, addindent, newl, out);
    out.push(indent);
  }
  out.push(`</${el.name}>${newl}`);
}

/**
 * supp-pack-build `_compat_xml`: for each line of the pretty XML (the part after the last '\n'
 * dropped): a line without '<' is stripped and so is the line after it; a newline is only
 * written after a line that does not start with a space or that contains '</' or '/>'.
 * (So an indented element that has child elements is joined with its first child's line;
 * the DDK's own documents never nest that deep.)
 */
export function compatXml(pretty: string): string {
  let out = '';
  let stripNext = false;
  for (const line of pretty.split('\n').slice(0, -1)) {
    let l = line;
    if (stripNext) l = pyStrip(line);
    stripNext = false;
    if (!line.includes('<')) {
      l = pyStrip(line);
      stripNext = true;
    }
    out += l;
    if (!line.startsWith(' ') || line.includes('</') || line.includes('/>')) out += '\n';
  }
  return out;
}


// Python 2 `list.sort()` on byte strings; for the ASCII names used here, code-unit order.
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

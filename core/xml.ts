/**
 * Well-formed XML → a small element tree (saxes, namespaces off: names as written). One reader
 * for every XML document suppack reads back: XS-REPOSITORY / XS-PACKAGES, update.xml, repodata,
 * comps and answerfiles.
 */
import { SaxesParser } from 'saxes';
import { SuppackError } from './errors';

export interface ParsedElement {
  name: string;
  attrs: Record<string, string>;
  /** Concatenated direct text of the element (CDATA too, unless `cdata: false`). */
  text: string;
  children: ParsedElement[];
  line: number;
}

export interface ParseXmlOptions {
  /** Count CDATA sections as text (default true; the installer's getText reads text nodes only). */
  cdata?: boolean;
  /** Name the column of a syntax error as well as its line (default false). */
  column?: boolean;
}

/**
 * How deep elements may nest. No document suppack reads nests beyond a handful of levels; the
 * limit keeps every consumer that walks the tree recursively far from the stack's end.
 */
export const MAX_XML_DEPTH = 64;

/** Throws a one-line SuppackError naming `file` and the line (and column) of the first mistake. */
export function parseXml(xml: string, file: string, options: ParseXmlOptions = {}): ParsedElement {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  const stack: ParsedElement[] = [];
  let root: ParsedElement | undefined;
  let failure: SuppackError | undefined;
  parser.on('error', (e: Error) => {
    if (failure !== undefined) return;
    const what = e.message.replace(/^[^:]*:\d+:\d+: /, '');
    const where = options.column ? `line ${parser.line}, column ${parser.column + 1}` : `line ${parser.line}`;
    failure = new SuppackError(`not well-formed XML: ${what}`, { file, field: where });
  });
  parser.on('opentag', (tag) => {
    if (failure !== undefined) return;
    if (stack.length >= MAX_XML_DEPTH) {
      failure = new SuppackError(`elements nest more than ${MAX_XML_DEPTH} deep (<${tag.name.slice(0, 40)}>): not a document suppack reads`, {
        file,
        field: `line ${parser.line}`,
      });
      return;
    }
    const el: ParsedElement = { name: tag.name, attrs: { ...tag.attributes }, text: '', children: [], line: parser.line };
    const parent = stack.at(-1);
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    if (failure === undefined) stack.pop();
  });
  const addText = (t: string): void => {
    const top = stack.at(-1);
    if (top) top.text += t;
  };
  parser.on('text', addText);
  if (options.cdata !== false) parser.on('cdata', addText);
  parser.write(xml).close();
  if (failure !== undefined) throw failure;
  if (root === undefined) throw new SuppackError('not well-formed XML: no root element', { file });
  return root;
}

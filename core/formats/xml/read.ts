/**
 * Well-formed XML → a small element tree (saxes, namespaces off: names as written). One reader
 * for every XML document suppack reads back: XS-REPOSITORY / XS-PACKAGES, update.xml, repodata,
 * comps and answerfiles.
 */
import { SaxesParser } from 'saxes';
import { SuppackError } from '../../base/errors';

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
  /**
   * Take the internal DTD subset's plain-text general entities (`<!ENTITY name "text">`), as expat
   * does (default false). An entity whose text holds markup or references stays undefined (an error).
   */
  internalEntities?: boolean;
}

/**
 * How deep elements may nest. No document suppack reads nests beyond a handful of levels; the
 * limit keeps every consumer that walks the tree recursively far from the stack's end.
 */
export const MAX_XML_DEPTH = 64;

/** Thrown from the parser's handlers to stop it at the first problem; never leaves this module. */
const STOP: unique symbol = Symbol('stop parsing');

/** Throws a one-line SuppackError naming `file` and the line (and column) of the first mistake. */
export function parseXml(xml: string, file: string, options: ParseXmlOptions = {}): ParsedElement {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  const stack: ParsedElement[] = [];
  let root: ParsedElement | undefined;
  let failure: SuppackError | undefined;
  parser.on('error', (e: Error) => {
    if (failure !== undefined) throw STOP;
    const what = e.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '');
    const where = options.column ? `line ${parser.line}, column ${parser.column + 1}` : `line ${parser.line}`;
    failure = new SuppackError(`not well-formed XML: ${what}`, { file, field: where });
    // The first mistake is the one reported: stop there (going on costs time on every later byte of a hostile input).
    throw STOP;
  });
  if (options.internalEntities) {
    parser.on('doctype', (doctype) => {
      // from the first `[` to the last `]` (as /\[([\s\S]*)\]/, which retries from every `[`)
      const open = doctype.indexOf('[');
      const close = doctype.lastIndexOf(']');
      const subset = open >= 0 && close > open ? doctype.slice(open + 1, close) : '';
      for (const m of subset.matchAll(/<!ENTITY\s+([^\s%"'<>]+)\s+(?:"([^"]*)"|'([^']*)')\s*>/g)) {
        const value = m[2] ?? m[3] ?? '';
        if (!/[<&]/.test(value) && !(m[1] in parser.ENTITIES && Object.prototype.hasOwnProperty.call(parser.ENTITIES, m[1]))) parser.ENTITIES[m[1]] = value;
      }
    });
  }
  parser.on('opentag', (tag) => {
    if (failure !== undefined) return;
    if (stack.length >= MAX_XML_DEPTH) {
      failure = new SuppackError(`elements nest more than ${MAX_XML_DEPTH} deep (<${tag.name.slice(0, 40)}>): not a document suppack reads`, {
        file,
        field: `line ${parser.line}`,
      });
      throw STOP;
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
  try {
    parser.write(xml).close();
  } catch (e) {
    if (e !== STOP) throw e;
  }
  if (failure !== undefined) throw failure;
  if (root === undefined) throw new SuppackError('not well-formed XML: no root element', { file });
  return root;
}

/**
 * Streams a large document (repodata's primary.xml) through the parser and hands each element
 * named `name` directly under the root, as a tree, to `onElement`; nothing else is kept, so
 * memory stays flat whatever the document's size. Returns the root element's name. Errors are
 * one-line SuppackErrors naming `file` and the line, as parseXml's.
 */
export async function streamXmlChildren(
  source: AsyncIterable<Buffer>,
  file: string,
  name: string,
  onElement: (el: ParsedElement, index: number) => void,
): Promise<string> {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  let depth = 0;
  let rootName: string | undefined;
  let count = 0;
  /** The subtree being collected (inside a wanted child), innermost last. */
  const stack: ParsedElement[] = [];
  let failure: unknown;
  const fail = (what: string): never => {
    failure ??= new SuppackError(what, { file, field: `line ${parser.line}` });
    throw STOP;
  };
  parser.on('error', (e: Error) => fail(`not well-formed XML: ${e.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '')}`));
  parser.on('opentag', (tag) => {
    if (failure !== undefined) return;
    depth++;
    if (depth > MAX_XML_DEPTH) return fail(`elements nest more than ${MAX_XML_DEPTH} deep (<${tag.name.slice(0, 40)}>): not a document suppack reads`);
    if (depth === 1) rootName = tag.name;
    if (stack.length === 0 && !(depth === 2 && tag.name === name)) return;
    const el: ParsedElement = { name: tag.name, attrs: { ...tag.attributes }, text: '', children: [], line: parser.line };
    stack.at(-1)?.children.push(el);
    stack.push(el);
  });
  parser.on('closetag', () => {
    if (failure !== undefined) return;
    depth--;
    const el = stack.pop();
    if (el !== undefined && stack.length === 0) {
      try {
        onElement(el, count++);
      } catch (e) {
        failure ??= e;
        throw STOP;
      }
    }
  });
  const addText = (t: string): void => {
    const top = stack.at(-1);
    if (top) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  const decoder = new TextDecoder('utf-8');
  const write = (text: string, end = false) => {
    try {
      parser.write(text);
      if (end) parser.close();
    } catch (e) {
      if (e !== STOP) throw e;
    }
    if (failure !== undefined) throw failure;
  };
  for await (const chunk of source) write(decoder.decode(chunk, { stream: true }));
  write(decoder.decode(), true);
  if (rootName === undefined) throw new SuppackError('not well-formed XML: no root element', { file });
  return rootName;
}

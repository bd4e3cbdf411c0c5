/**
 * Reading an installer answerfile (docs/formats/xenserver.md §6) before it is injected into install.img as
 * `/answerfile.xml` (docs/formats/xenserver.md §4). The bytes are kept verbatim; the model is only for checking
 * and for `inspect`.
 */
import { parseXml, type ParsedElement } from '../../formats/xml/read';
import { SuppackError } from '../../base/errors';
import { decodeXmlBytes } from '../../formats/xml/encoding';
import { answerfileSchema, type AnswerfileElement, type AnswerfileModel } from '../../../schemas/answerfile';
import { MAX_PROBLEMS } from '../../../schemas/parse';

export interface Answerfile {
  /** The validated model; `model.warnings` lists what the installer would ignore. */
  model: AnswerfileModel;
  /** The file exactly as given: this is what goes into the ISO. */
  bytes: Buffer;
}

/** Parse and validate; throws one SuppackError (file = `source`) listing every problem. */
export function parseAnswerfile(xml: string | Buffer, source: string): Answerfile {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : Buffer.from(xml);
  const root = parseAnswerfileXml(bytes, source);
  const result = answerfileSchema.safeParse(root);
  if (!result.success) {
    const issues = result.error.issues;
    const shown = issues.slice(0, MAX_PROBLEMS).map((i) => `${i.path.map(String).join('')}: ${i.message}`);
    if (issues.length > MAX_PROBLEMS) shown.push(`and ${issues.length - MAX_PROBLEMS} more problems`);
    throw new SuppackError(`invalid answerfile: ${shown.join('; ')}`, { file: source });
  }
  return { model: result.data, bytes };
}

/**
 * Well-formed XML (in any encoding the installer's parser takes) → element tree (namespaces off: tag names as written, like minidom's nodeName).
 * Text is the concatenated direct character data; CDATA sections are left out, because the
 * installer's getText only reads text nodes.
 */
export function parseAnswerfileXml(bytes: Buffer, source: string): AnswerfileElement {
  // Any encoding the installer's parser takes (docs/answerfile.md); the bytes stay as given.
  const xml = decodeXmlBytes(bytes, source).text;
  const toAnswerfile = (el: ParsedElement): AnswerfileElement => ({
    name: el.name,
    attributes: el.attrs,
    children: el.children.map(toAnswerfile),
    text: el.text,
  });
  return toAnswerfile(parseXml(xml, source, { cdata: false, column: true, internalEntities: true }));
}

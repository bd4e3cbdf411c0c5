/**
 * Server Status Report (xen-bugtool) files a pack ships (docs/formats/xenserver.md §7; DDK guide 6.5):
 *   - a new category `<name>`: `/etc/xensource/bugtool/<name>.xml` holding one `<capability/>`
 *     plus `/etc/xensource/bugtool/<name>/stuff.xml` holding its `<collect>`;
 *   - an extension of an existing category: `/etc/xensource/bugtool/<category>/<pack label>.xml`
 *     holding a `<collect>` (named after the pack so that two packs never overwrite each other).
 * The XML is written byte for byte the same for the same input: attributes in a fixed order,
 * two-space indentation, `\n` line ends, one trailing newline, no XML declaration (the DDK's
 * examples have none; UTF-8 is XML's default).
 */
import { SuppackError } from '../base/errors';
import type { CollectItem, NewCategory, StatusReport } from '../../schemas/status-report';
import { escapeAttribute, escapeText } from '../formats/xml/escape';

/** Where bugtool looks for capabilities (xen-bugtool PLUGIN_DIR), relative to the root. */
export const BUGTOOL_DIR = 'etc/xensource/bugtool';

export interface StatusReportFile {
  /** Path relative to the filesystem root, e.g. `etc/xensource/bugtool/acme.xml`. */
  path: string;
  content: string;
}

// docs/formats/xenserver.md §7: `<capability>` attributes and their defaults (sizes and times -1).
export function capabilityXml(c: NewCategory): string {
  const attrs: Array<[string, string]> = [
    ['pii', c.pii],
    ['min_size', String(c.minSize ?? -1)],
    ['max_size', String(c.maxSize ?? -1)],
    ['min_time', String(c.minTime ?? -1)],
    ['max_time', String(c.maxTime ?? -1)],
    ['mime', c.mime],
    ['checked', String(c.checked)],
    ['hidden', String(c.hidden)],
  ];
  return `<capability${attributes(attrs)}/>\n`;
}

// docs/formats/xenserver.md §7 / DDK 6.5.1: `<collect>` with <files>, <list>, <directory>, <command>.
export function collectXml(items: CollectItem[]): string {
  const lines = items.map((item) => `  ${collectElement(item)}`);
  return `<collect>\n${lines.join('\n')}\n</collect>\n`;
}

function collectElement(item: CollectItem): string {
  switch (item.kind) {
    case 'files':
      return element('files', [], item.paths.join(' '));
    case 'list':
      return element('list', [['recursive', String(item.recursive)]], item.directories.join(' '));
    case 'directory': {
      const attrs: Array<[string, string]> = item.pattern !== undefined ? [['pattern', item.pattern]] : [];
      attrs.push(['negate', String(item.negate)]);
      return element('directory', attrs, item.path);
    }
    case 'command':
      return element('command', item.label !== undefined ? [['label', item.label]] : [], item.command);
  }
}

function element(tag: string, attrs: Array<[string, string]>, text: string): string {
  return `<${tag}${attributes(attrs)}>${escapeText(text)}</${tag}>`;
}

function attributes(attrs: Array<[string, string]>): string {
  return attrs.map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join('');
}

export { escapeAttribute, escapeText };

// XML 1.0 2.2 Char: no C0 controls other than tab, LF, CR; no lone surrogates, U+FFFE or U+FFFF.
// With the u flag a surrogate pair is one code point, so the surrogate range only matches lone halves.
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/u;

/**
 * Every file the status report adds, sorted by path. `file` names the manifest in errors
 * (fields such as `statusReport.extend[1].collect[0].command`).
 */
export function statusReportFiles(report: StatusReport, packLabel: string, file = 'suppack.json'): StatusReportFile[] {
  const collects = new Map<string, CollectItem[]>();
  const out: StatusReportFile[] = [];
  const names = new Set<string>();
  report.categories.forEach((c, i) => {
    if (names.has(c.name)) {
      throw new SuppackError(`the category ${c.name} is defined twice`, { file, field: `statusReport.categories[${i}].name` });
    }
    names.add(c.name);
    checkItems(c.collect, file, `statusReport.categories[${i}].collect`);
    out.push({ path: `${BUGTOOL_DIR}/${c.name}.xml`, content: capabilityXml(c) });
    addItems(collects, `${BUGTOOL_DIR}/${c.name}/stuff.xml`, c.collect);
  });
  report.extend.forEach((e, i) => {
    checkItems(e.collect, file, `statusReport.extend[${i}].collect`);
    addItems(collects, `${BUGTOOL_DIR}/${e.category}/${packLabel}.xml`, e.collect);
  });
  for (const [path, items] of collects) out.push({ path, content: collectXml(items) });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function addItems(map: Map<string, CollectItem[]>, path: string, items: CollectItem[]): void {
  const list = map.get(path) ?? [];
  list.push(...items);
  map.set(path, list);
}

function checkItems(items: CollectItem[], file: string, field: string): void {
  items.forEach((item, j) => {
    const texts: Array<[string, string]> =
      item.kind === 'files'
        ? item.paths.map((p, k) => [`paths[${k}]`, p])
        : item.kind === 'list'
          ? item.directories.map((d, k) => [`directories[${k}]`, d])
          : item.kind === 'directory'
            ? [['path', item.path], ['pattern', item.pattern ?? '']]
            : [['command', item.command], ['label', item.label ?? '']];
    for (const [name, text] of texts) {
      if (NOT_XML_CHAR.test(text)) {
        throw new SuppackError('contains a control character that XML cannot carry', { file, field: `${field}[${j}].${name}` });
      }
    }
  });
}

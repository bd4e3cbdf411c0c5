/**
 * An installer's boot menus as a parsed model (docs/cli/rebuild-iso.md, "Boot menus"; docs/formats/xenserver.md
 * 4 and 5): isolinux/syslinux `isolinux.cfg` (`KERNEL mboot.c32`, `APPEND <xen> [args] --- <dom0
 * kernel> [args] --- <initrd> ...`) and GRUB `grub*.cfg` (`multiboot2`/`module2`,
 * `xen_hypervisor`/`xen_module`, `multiboot`/`module`, `submenu` nesting, quoting, `\`
 * continuations). Every entry is classified: a Xen install entry (the dom0 kernel is the first
 * module after the hypervisor, whatever its file name), a shell entry (`bash-shell` on the dom0
 * line) or another entry (memtest, local boot, chainload, a plain Linux kernel).
 *
 * Pure: parsing keeps the text, patching edits only the dom0 arguments of the chosen entries, so
 * every other byte (tabs, CRLF, comments, other entries) stays as it was.
 */
import { SuppackError } from '../../base/errors';

export type MenuSyntax = 'isolinux' | 'grub';

/** install: boots Xen to run the installer; shell: boots Xen to a rescue shell; other: no Xen. */
export type EntryKind = 'install' | 'shell' | 'other';

export interface MenuEntry {
  /** isolinux LABEL or GRUB menuentry title (unquoted). */
  name: string;
  /** The name with the GRUB submenus it sits in, `>`-separated as GRUB's `default` takes it. */
  path: string;
  kind: EntryKind;
  /** The command that loads the first image: `mboot.c32`, `multiboot2`, `xen_hypervisor`, `linux`, `LOCALBOOT`... */
  loader?: string;
  /** Xen entries: the hypervisor and its arguments, as written. */
  hypervisor?: string;
  /** Xen entries: the dom0 kernel and its arguments, as written; absent when there is none. */
  dom0?: string;
  /** Other entries: what it boots instead (`linux /boot/memtest86+x64.efi`, `LOCALBOOT 0`). */
  boots?: string;
  /** @internal the dom0 arguments' tokens (values and spans in the text) and where new ones go. */
  dom0Args?: Token[];
  /** @internal */
  insertAt?: number;
}

export interface BootMenu {
  syntax: MenuSyntax;
  /** The menu as errors name it. */
  file: string;
  text: string;
  entries: MenuEntry[];
}

export interface Token {
  /** The word as the loader reads it (quotes and escapes removed). */
  value: string;
  start: number;
  end: number;
}

/** docs/formats/xenserver.md §4: the parameters that make the installer read `/answerfile.xml` from its ramdisk. */
export function answerfileParams(path = '/answerfile.xml'): string[] {
  return [`answerfile=file://${path}`, 'install'];
}

/** `isolinux` for isolinux.cfg / syslinux.cfg / extlinux.conf, `grub` for grub*.cfg. */
export function menuSyntaxOf(path: string): MenuSyntax | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (/^(isolinux|syslinux|extlinux)\.(cfg|conf)$/.test(base)) return 'isolinux';
  if (/^grub[^/]*\.cfg$/.test(base)) return 'grub';
  return undefined;
}

export function parseBootMenu(text: string, syntax: MenuSyntax, file: string): BootMenu {
  return { syntax, file, text, entries: syntax === 'isolinux' ? parseIsolinux(text) : parseGrub(text) };
}

/** Why an entry was left alone. */
export interface LeftEntry {
  entry: MenuEntry;
  reason: string;
}

export interface PatchedMenu {
  file: string;
  text: string;
  /** Entries that now carry every parameter (also when they already did). */
  patched: MenuEntry[];
  left: LeftEntry[];
}

/**
 * Add `params` to the dom0 arguments of the chosen entries: by default every install entry;
 * with `names`, exactly the entries whose name or path is listed (a shell entry too, when named).
 * A menu with Xen entries of which none is patched is an error naming the file and each entry;
 * so is a named entry that cannot be patched. A `key=value` parameter replaces an argument with
 * the same key in place; one already there is left, so a second run changes nothing.
 */
export function patchBootMenu(menu: BootMenu, params: string[], names?: readonly string[]): PatchedMenu {
  checkParams(params, menu.file);
  const named = (e: MenuEntry) => names !== undefined && (names.includes(e.path) || names.includes(e.name));
  const patched: MenuEntry[] = [];
  const left: LeftEntry[] = [];
  const edits: Edit[] = [];
  for (const e of menu.entries) {
    const reason = leaveReason(e, names, named(e));
    if (reason !== undefined) {
      if (named(e)) throw new SuppackError(`boot entry ${JSON.stringify(e.path)} is named to get the answerfile parameters, but ${reason}`, { file: menu.file });
      left.push({ entry: e, reason });
      continue;
    }
    edits.push(...argumentEdits(e.dom0Args!, e.insertAt!, params));
    patched.push(e);
  }
  const xen = menu.entries.filter((e) => e.kind !== 'other');
  if (patched.length === 0 && xen.length > 0) {
    const why = left.filter((l) => l.entry.kind !== 'other').map((l) => `${JSON.stringify(l.entry.path)} ${l.reason}`);
    throw new SuppackError(`no boot entry can get the answerfile parameters: ${why.join('; ')}`, { file: menu.file });
  }
  return { file: menu.file, text: applyEdits(menu.text, edits), patched, left };
}

function leaveReason(e: MenuEntry, names: readonly string[] | undefined, named: boolean): string | undefined {
  if (e.kind === 'other') return `is not a Xen entry (${e.boots ?? 'it loads no kernel'})`;
  if (e.dom0 === undefined) return `has no dom0 kernel after its hypervisor (${e.loader} ${e.hypervisor ?? ''})`.replace(' )', ')');
  if (names !== undefined) return named ? undefined : 'is not named in the boot entries option';
  if (e.kind === 'shell') return 'is a shell entry (bash-shell): the installer starts when the shell exits; name it to patch it';
  return undefined;
}

// ---- isolinux / syslinux ----------------------------------------------------------------------

/** Logical lines (a `\` at the end of a physical line continues it) as tokens with their spans. */
function isolinuxLines(text: string): Token[][] {
  const lines: Token[][] = [];
  let line: Token[] = [];
  let word: Token | undefined;
  const endWord = () => {
    if (word) line.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\r' ? 2 : 1;
      continue;
    }
    if (c === '\n') {
      endWord();
      lines.push(line);
      line = [];
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      endWord();
    } else if (word) {
      word.value += c;
      word.end = i + 1;
    } else {
      word = { value: c, start: i, end: i + 1 };
    }
  }
  endWord();
  lines.push(line);
  return lines.filter((l) => l.length > 0 && !l[0]!.value.startsWith('#'));
}

const ISOLINUX_LOADERS = new Set(['kernel', 'linux', 'com32', 'boot', 'bss', 'pxe', 'fdimage', 'comboot', 'config', 'localboot']);

function parseIsolinux(text: string): MenuEntry[] {
  const entries: MenuEntry[] = [];
  let current: { name: string; loader?: Token[]; append?: Token[] } | undefined;
  const finish = () => {
    if (current) entries.push(isolinuxEntry(text, current.name, current.loader, current.append));
    current = undefined;
  };
  let inText = false;
  for (const l of isolinuxLines(text)) {
    const kw = l[0]!.value.toLowerCase();
    if (inText) {
      if (kw === 'endtext') inText = false;
      continue;
    }
    if (kw === 'text' && l[1]?.value.toLowerCase() === 'help') {
      inText = true;
    } else if (kw === 'label') {
      finish();
      current = { name: l.slice(1).map((t) => t.value).join(' ') };
    } else if (kw === 'menu' && /^(begin|end)$/i.test(l[1]?.value ?? '')) {
      finish();
    } else if (current && ISOLINUX_LOADERS.has(kw)) {
      current.loader ??= l;
    } else if (current && kw === 'append') {
      current.append ??= l.slice(1);
    }
  }
  finish();
  return entries;
}

/** Tokens as written, from the first to the last: continuations removed, blanks collapsed. */
function rawOf(text: string, toks: Token[]): string {
  if (toks.length === 0) return '';
  return text
    .slice(toks[0]!.start, toks[toks.length - 1]!.end)
    .replace(/\\\r?\n/g, '')
    .replace(/\s+/g, ' ');
}
/** `xen` in the last part of the path (as /xen[^/]*$/i, which retries from every `xen` to the end). */
const isXenImage = (path: string) => /xen/i.test(path.slice(path.lastIndexOf('/') + 1));

function isolinuxEntry(text: string, name: string, loader: Token[] | undefined, append: Token[] | undefined): MenuEntry {
  const entry: MenuEntry = { name, path: name, kind: 'other' };
  if (!loader) return { ...entry, ...(append ? { boots: `APPEND ${rawOf(text, append)}` } : {}) };
  const kernel = loader[1]?.value ?? '';
  entry.loader = loader[0]!.value;
  const boots = rawOf(text, loader);
  if (!/(^|\/)mboot\.c32$/i.test(kernel) || !/^(kernel|com32)$/i.test(entry.loader)) return { ...entry, boots };
  entry.loader = 'mboot.c32';
  // mboot.c32: <hypervisor> [args] --- <module> [args] --- <module> ...
  const segments: Token[][] = [[]];
  for (const t of append ?? []) {
    if (t.value === '---') segments.push([]);
    else segments[segments.length - 1]!.push(t);
  }
  const [hv, dom0] = segments;
  if (!hv || hv.length === 0 || !isXenImage(hv[0]!.value)) return { ...entry, boots: `${boots} ${rawOf(text, hv ?? [])}`.trim() };
  entry.hypervisor = rawOf(text, hv);
  if (dom0 && dom0.length > 0) {
    entry.dom0 = rawOf(text, dom0);
    entry.dom0Args = dom0.slice(1);
    entry.insertAt = dom0[dom0.length - 1]!.end;
  }
  entry.kind = classify(entry.dom0Args);
  return entry;
}

function classify(dom0Args: Token[] | undefined): EntryKind {
  return dom0Args?.some((t) => t.value === 'bash-shell') ? 'shell' : 'install';
}

// ---- GRUB -------------------------------------------------------------------------------------

type GrubItem = { kind: 'word'; tok: Token } | { kind: 'end' } | { kind: 'open' } | { kind: 'close' };

/**
 * GRUB's lexer, enough for menus: words with '...' (literal), "..." (\\ \" \$ escapes) and \x
 * quoting, ${...} variables, `#` comments at a word's start, `;` and newlines ending commands,
 * `{` and `}` as their own tokens (also where a word touches them), backslash-newline removed.
 */
function grubItems(text: string): GrubItem[] {
  const out: GrubItem[] = [];
  let word: Token | undefined;
  const endWord = () => {
    if (word) out.push({ kind: 'word', tok: word });
    word = undefined;
  };
  const add = (s: string, at: number, to: number) => {
    if (word) {
      word.value += s;
      word.end = to;
    } else word = { value: s, start: at, end: to };
  };
  const lineEnd = (i: number) => text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n');
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && lineEnd(i + 1)) {
      i += text[i + 1] === '\r' ? 3 : 2;
    } else if (c === '\n' || c === ';') {
      endWord();
      out.push({ kind: 'end' });
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '#' && !word) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}') {
      // Outside quotes and ${...}, GRUB's lexer never puts a brace in a word (CHAR excludes both,
      // docs/formats/xenserver.md §5): `menuentry "x"{` is a title and a block.
      endWord();
      out.push({ kind: c === '{' ? 'open' : 'close' });
      i++;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const to = close < 0 ? text.length : close + 1;
      add(text.slice(i + 1, close < 0 ? text.length : close), i, to);
      i = to;
    } else if (c === '"') {
      let v = '';
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && lineEnd(j + 1)) j += text[j + 1] === '\r' ? 3 : 2;
        else if (text[j] === '\\' && /["\\$]/.test(text[j + 1] ?? '')) {
          v += text[j + 1];
          j += 2;
        } else {
          v += text[j];
          j++;
        }
      }
      add(v, i, Math.min(j + 1, text.length));
      i = j + 1;
    } else if (c === '\\') {
      add(text[i + 1] ?? '', i, Math.min(i + 2, text.length));
      i += 2;
    } else if (c === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i);
      const to = close < 0 ? text.length : close + 1;
      add(text.slice(i, to), i, to);
      i = to;
    } else {
      add(c, i, i + 1);
      i++;
    }
  }
  endWord();
  return out;
}

interface GrubCommand {
  words: Token[];
}

interface GrubBlock {
  /** menuentry / submenu / something else with braces (function, a bare block). */
  kind: 'menuentry' | 'submenu' | 'other';
  title: string;
  commands: GrubCommand[];
}

function parseGrub(text: string): MenuEntry[] {
  const entries: MenuEntry[] = [];
  // The open blocks; the innermost menuentry collects every command inside it (nested if/fi too).
  const stack: GrubBlock[] = [];
  let words: Token[] = [];
  /** A menuentry/submenu/function header seen, waiting for its `{`. */
  let pending: GrubBlock | undefined;
  const entryOf = () => [...stack].reverse().find((b) => b.kind === 'menuentry');
  const flush = () => {
    if (words.length === 0) return;
    const kw = words[0]!.value;
    if (kw === 'menuentry' || kw === 'submenu') pending = { kind: kw, title: words[1]?.value ?? '', commands: [] };
    else if (kw === 'function') pending = { kind: 'other', title: '', commands: [] };
    else entryOf()?.commands.push({ words });
    words = [];
  };
  for (const item of grubItems(text)) {
    if (item.kind === 'word') {
      words.push(item.tok);
    } else if (item.kind === 'end') {
      flush();
    } else if (item.kind === 'open') {
      flush();
      stack.push(pending ?? { kind: 'other', title: '', commands: [] });
      pending = undefined;
    } else {
      flush();
      const block = stack.pop();
      if (block?.kind === 'menuentry') {
        const path = [...stack.filter((b) => b.kind === 'submenu').map((b) => b.title), block.title].join('>');
        entries.push(grubEntry(text, block.title, path, block.commands));
      }
    }
  }
  return entries;
}

/** The image a GRUB load command names: its first word that is no `--option`. */
function imageIndex(words: Token[]): number {
  let i = 1;
  while (i < words.length && words[i]!.value.startsWith('--')) i++;
  return i;
}

const GRUB_MODULE_OF = new Map([
  ['multiboot2', 'module2'],
  ['multiboot', 'module'],
  ['xen_hypervisor', 'xen_module'],
]);
const GRUB_LOADERS = /^(linux|linux16|linuxefi|kernel|chainloader|appleloader|knetbsd|kfreebsd|kopenbsd|legacy_kernel|configfile|normal|reboot|halt|exit|fwsetup)$/;

function grubEntry(text: string, name: string, path: string, commands: GrubCommand[]): MenuEntry {
  const entry: MenuEntry = { name, path, kind: 'other' };
  const hv = commands.findIndex((c) => {
    const kw = c.words[0]!.value;
    if (kw === 'xen_hypervisor') return true;
    return (kw === 'multiboot2' || kw === 'multiboot') && isXenImage(c.words[imageIndex(c.words)]?.value ?? '');
  });
  if (hv < 0) {
    const loader = commands.find((c) => GRUB_MODULE_OF.has(c.words[0]!.value) || GRUB_LOADERS.test(c.words[0]!.value));
    if (loader) {
      entry.loader = loader.words[0]!.value;
      entry.boots = rawOf(text, loader.words);
    }
    return entry;
  }
  const hvWords = commands[hv]!.words;
  entry.loader = hvWords[0]!.value;
  entry.hypervisor = rawOf(text, hvWords.slice(imageIndex(hvWords)));
  const moduleKw = GRUB_MODULE_OF.get(entry.loader)!;
  const mod = commands.slice(hv + 1).find((c) => c.words[0]!.value === moduleKw);
  if (mod && imageIndex(mod.words) < mod.words.length) {
    const dom0 = mod.words.slice(imageIndex(mod.words));
    entry.dom0 = rawOf(text, dom0);
    entry.dom0Args = dom0.slice(1);
    entry.insertAt = dom0[dom0.length - 1]!.end;
  }
  entry.kind = classify(entry.dom0Args);
  return entry;
}

// ---- editing ----------------------------------------------------------------------------------

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * The edits that give the dom0 arguments `args` every parameter: one with the same `key=` and
 * another value is replaced in place, missing ones go at `insertAt` (after the last argument).
 */
function argumentEdits(args: Token[], insertAt: number, params: string[]): Edit[] {
  const edits: Edit[] = [];
  const add: string[] = [];
  for (const p of params) {
    if (args.some((a) => a.value === p)) continue;
    const eq = p.indexOf('=');
    const key = eq > 0 ? p.slice(0, eq + 1) : undefined;
    const other = key !== undefined ? args.find((a) => a.value.startsWith(key)) : undefined;
    if (other) edits.push({ start: other.start, end: other.end, text: p });
    else add.push(p);
  }
  if (add.length > 0) edits.push({ start: insertAt, end: insertAt, text: add.map((p) => ` ${p}`).join('') });
  return edits;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function checkParams(params: string[], file: string): void {
  for (const p of params) {
    if (!/^[^\s"'\\{};#$]+$/.test(p)) {
      throw new SuppackError(`kernel parameter ${JSON.stringify(p)} must be non-empty, without spaces, quotes, braces, "$", ";" or "#"`, { file });
    }
  }
}

/**
 * Adding dom0 kernel parameters to an installer ISO's boot menus (formats.md 4 and 5):
 * `boot/isolinux/isolinux.cfg` (BIOS, syslinux `mboot.c32`) and `EFI/<vendor>/grub*.cfg` (UEFI,
 * GRUB multiboot2). Pure text transforms: every byte outside the edited argument lists is kept
 * (tabs, CRLF, comments, other entries).
 */
import { SuppackError } from '../errors';

export interface PatchedConfig {
  text: string;
  /** Labels (isolinux) or titles (grub) of the entries that now carry every parameter. */
  patched: string[];
}

/** formats.md 4: the parameters that make the installer read `/answerfile.xml` from its ramdisk. */
export function answerfileParams(path = '/answerfile.xml'): string[] {
  return [`answerfile=file://${path}`, 'install'];
}

/**
 * isolinux.cfg: in each `LABEL` entry whose kernel is `mboot.c32` and whose `APPEND` reads
 * `<xen> [args] --- <dom0 kernel> [args] --- <initrd> ...`, add `params` after the dom0 arguments.
 */
export function patchIsolinuxCfg(text: string, params: string[], file = 'boot/isolinux/isolinux.cfg'): PatchedConfig {
  checkParams(params, file);
  const lines = splitLines(text);
  const patched: string[] = [];
  let start = -1;
  const finish = (end: number): void => {
    if (start < 0) return;
    const label = keywordArg(lines[start].body) ?? '';
    const entry = lines.slice(start + 1, end);
    const kernel = entry.find((l) => /^(kernel|com32)$/i.test(keyword(l.body)));
    const append = entry.find((l) => /^append$/i.test(keyword(l.body)));
    if (kernel && append && /(^|\/)mboot\.c32$/i.test(keywordArg(kernel.body) ?? '')) {
      const body = patchIsolinuxAppend(append.body, params);
      if (body !== undefined) {
        append.body = body;
        patched.push(label);
      }
    }
  };
  lines.forEach((l, i) => {
    if (/^label$/i.test(keyword(l.body))) {
      finish(i);
      start = i;
    }
  });
  finish(lines.length);
  if (patched.length === 0) {
    throw new SuppackError(
      'no installer boot entry found: expected a LABEL with "KERNEL mboot.c32" and "APPEND <xen> [args] --- <dom0 kernel> [args] --- <initrd>"',
      { file },
    );
  }
  return { text: joinLines(lines), patched };
}

/**
 * grub.cfg: in each `menuentry`, the first `module2` (or multiboot1 `module`) line after a
 * `multiboot2`/`multiboot` line loading Xen is the dom0 kernel; add `params` at its end.
 */
export function patchGrubCfg(text: string, params: string[], file = 'EFI/xenserver/grub.cfg'): PatchedConfig {
  checkParams(params, file);
  const lines = splitLines(text);
  const patched: string[] = [];
  let title: string | undefined;
  let depth = 0;
  let afterXen = false;
  for (const l of lines) {
    const kw = keyword(l.body);
    if (kw === 'menuentry' && title === undefined) {
      title = menuentryTitle(l.body);
      depth = 0;
      afterXen = false;
    }
    if (title !== undefined) {
      if ((kw === 'multiboot2' || kw === 'multiboot') && /xen/i.test(keywordArg(l.body) ?? '')) afterXen = true;
      else if ((kw === 'module2' || kw === 'module') && afterXen) {
        afterXen = false;
        const path = /^\s*\S+\s+\S+/.exec(l.body);
        l.body = appendTokens(l.body, path?.[0].length ?? 0, l.body.replace(/\s+$/, '').length, params);
        patched.push(title);
      }
      depth += braces(l.body);
      if (depth <= 0 && /}/.test(l.body)) title = undefined;
    }
  }
  if (patched.length === 0) {
    throw new SuppackError(
      'no installer boot entry found: expected a menuentry with "multiboot2 <xen.gz>" followed by "module2 <dom0 kernel> [args]"',
      { file },
    );
  }
  return { text: joinLines(lines), patched };
}

/** formats.md 5: `APPEND <xen> [args] --- <dom0 kernel> [args] --- <initrd>`; undefined when not that form. */
function patchIsolinuxAppend(body: string, params: string[]): string | undefined {
  const re = /\S+/g;
  const found: Array<{ tok: string; index: number }> = [];
  for (let m = re.exec(body); m !== null; m = re.exec(body)) found.push({ tok: m[0], index: m.index });
  const args = found.slice(1); // drop the APPEND keyword
  const seps = args.map((a, i) => (a.tok === '---' ? i : -1)).filter((i) => i >= 0);
  if (seps.length < 2 || seps[0] === 0 || !/xen/i.test(args[0].tok)) return undefined;
  const dom0 = args.slice(seps[0] + 1, seps[1]);
  if (dom0.length === 0 || seps[1] === args.length - 1) return undefined;
  const last = dom0[dom0.length - 1];
  return appendTokens(body, dom0[0].index + dom0[0].tok.length, last.index + last.tok.length, params);
}

/**
 * Insert the missing `params` at `at`. A `key=value` parameter replaces an existing argument with
 * the same key and another value (in place); identical arguments are left alone, so a second run
 * changes nothing.
 */
function appendTokens(body: string, from: number, at: number, params: string[]): string {
  let args = body.slice(from, at);
  const add: string[] = [];
  for (const p of params) {
    const existing = args.split(/\s+/).filter((t) => t !== '');
    if (existing.includes(p)) continue;
    const eq = p.indexOf('=');
    const key = eq > 0 ? p.slice(0, eq + 1) : undefined;
    const other = key !== undefined ? existing.find((e) => e.startsWith(key)) : undefined;
    if (other !== undefined) {
      args = args.replace(new RegExp(`(^|\\s)${escapeRegExp(other)}(?=\\s|$)`), (_m, sp: string) => `${sp}${p}`);
      continue;
    }
    add.push(p);
  }
  return `${body.slice(0, from)}${args}${add.map((p) => ` ${p}`).join('')}${body.slice(at)}`;
}

function checkParams(params: string[], file: string): void {
  for (const p of params) {
    if (!/^[^\s"'\\{};#]+$/.test(p)) {
      throw new SuppackError(`kernel parameter ${JSON.stringify(p)} must be non-empty, without spaces, quotes, braces, ";" or "#"`, { file });
    }
  }
}

interface Line {
  body: string;
  /** The line terminator as found: "\n", "\r\n" or "" (last line). */
  eol: string;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  const re = /([^\n]*?)(\r?\n|$)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ body: m[1], eol: m[2] });
    if (m[2] === '') break;
  }
  return out;
}

function joinLines(lines: Line[]): string {
  return lines.map((l) => l.body + l.eol).join('');
}

function tokens(body: string): string[] {
  return body.trim().split(/\s+/);
}

/** The first word of a line, lower-cased; '' for blank and `#` comment lines. */
function keyword(body: string): string {
  const t = body.trimStart();
  if (t === '' || t.startsWith('#')) return '';
  return t.split(/\s+/, 1)[0].toLowerCase();
}

function keywordArg(body: string): string | undefined {
  return tokens(body)[1];
}

function menuentryTitle(body: string): string {
  const m = /^\s*menuentry\s+(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+))/.exec(body);
  return m?.[1] ?? m?.[2]?.replace(/\\(.)/g, '$1') ?? m?.[3] ?? '';
}

/** `{` minus `}` outside quotes and comments, for finding the end of a menuentry. */
function braces(body: string): number {
  let n = 0;
  let quote: string | undefined;
  for (const ch of body) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') break;
    else if (ch === '{') n++;
    else if (ch === '}') n--;
  }
  return n;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

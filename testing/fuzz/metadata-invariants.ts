/**
 * Test-only: what must hold of the metadata a pack writes from any manifest the schema accepts
 * (docs/security.md "Fuzzing"): the host reads back what was meant. XS-REPOSITORY through the
 * installer's rules (parseXsRepository), update.xml through xapi's (parseUpdateXml), the status
 * report's bugtool files through an XML parser. The fuzz suite's manifest kind checks every
 * accepted case; a difference is a failure even though nothing threw.
 */
import { basename, posix } from 'node:path';
import { isSuppackError } from '../../core/base/errors';
import { parseXml, type ParsedElement } from '../../core/formats/xml/read';
import { legacyRepository } from '../../core/products/legacy-pack/pack';
import { xsRepositoryXml } from '../../core/xenserver/legacy/metadata';
import { parseXsRepository } from '../../core/xenserver/legacy/parse';
import { statusReportFiles } from '../../core/xenserver/status-report';
import { parseUpdateXml, updateXml, type UpdateXml } from '../../core/xenserver/update/update-xml';
import type { ProjectManifest } from '../../schemas/manifest';
import type { CollectItem } from '../../schemas/status-report';

/** `f()`, or undefined when it refuses the input as a user error (a SuppackError): that is not this check's business. */
function unlessRefused<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (isSuppackError(e)) return undefined;
    throw e;
  }
}

/** `what` read back by `read`, or the problem it had. */
function readBack<T>(what: string, read: () => T): T | string {
  try {
    return read();
  } catch (e) {
    return `the host's reader refuses the ${what} written: ${String((e as Error).message).split('\n')[0]}`;
  }
}

/** JSON with every object's keys sorted: equal values give equal text, whatever the order fields were set in. */
const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** `what` as written and as read: none when they are the same, else the first item of a list that differs. */
function differences(what: string, wrote: unknown, read: unknown): string[] {
  if (same(wrote, read)) return [];
  if (Array.isArray(wrote) && Array.isArray(read) && wrote.length === read.length) {
    const i = wrote.findIndex((w, j) => !same(w, read[j]));
    return [`${what}[${i}]: wrote ${canonical(wrote[i]).slice(0, 200)}, read ${canonical(read[i]).slice(0, 200)}`];
  }
  return [`${what}: wrote ${canonical(wrote)?.slice(0, 200)}, read ${canonical(read)?.slice(0, 200)}`];
}

/** Every problem with the metadata written from `manifest`, one line each; none when all hold. */
export function metadataProblems(manifest: ProjectManifest): string[] {
  if (manifest.kind === 'bundle' || manifest.kind === 'installer') return [];
  const problems: string[] = [];
  if (manifest.format === 'legacy') {
    const repo = unlessRefused(() => legacyRepository(manifest.pack));
    if (repo !== undefined) {
      const back = readBack('XS-REPOSITORY', () => parseXsRepository(xsRepositoryXml(repo), 'XS-REPOSITORY'));
      if (typeof back === 'string') problems.push(back);
      else {
        // the installer reads the description with Python's strip() (the schema refuses blanks around
        // it, so it must come back whole) and drops a requirement's build (never written)
        const meant = { ...repo, requires: repo.requires.map(({ build: _, ...r }) => r) };
        for (const k of Object.keys(meant) as Array<keyof typeof meant>) problems.push(...differences(`XS-REPOSITORY ${k}`, meant[k], back[k]));
      }
    }
  } else {
    const p = manifest.pack;
    const doc: UpdateXml = {
      uuid: p.uuid,
      label: p.label,
      version: p.version ?? '1.0.0',
      description: p.description,
      installationSize: 0,
      afterApply: p.afterApply,
      // as build-update names it (core/products/update-pack/pack.ts)
      ...(p.key !== undefined ? { key: basename(p.key) } : {}),
      ...(p.enforceHomogeneity ? { enforceHomogeneity: true } : {}),
      rollups: p.rollups,
    };
    const back = readBack('update.xml', () => parseUpdateXml(updateXml(doc), 'update.xml'));
    if (typeof back === 'string') problems.push(back);
    else {
      for (const k of Object.keys(doc) as Array<keyof UpdateXml>) problems.push(...differences(`update.xml ${k}`, doc[k], back[k]));
    }
  }
  if (manifest.statusReport !== undefined) {
    const report = manifest.statusReport;
    const files = unlessRefused(() => statusReportFiles(report, manifest.pack.label)) ?? [];
    // every <collect> item, in the order the files list them (each file's items in manifest order)
    const items = new Map<string, CollectItem[]>();
    for (const c of report.categories) items.set(`etc/xensource/bugtool/${c.name}/stuff.xml`, c.collect);
    for (const e of report.extend) {
      const at = `etc/xensource/bugtool/${e.category}/${manifest.pack.label}.xml`;
      items.set(at, [...(items.get(at) ?? []), ...e.collect]);
    }
    for (const f of files) {
      // every file in bugtool's own directory, under the name its category gives it
      if (posix.normalize(f.path) !== f.path || !f.path.startsWith('etc/xensource/bugtool/')) problems.push(`status report file ${f.path} is not under etc/xensource/bugtool/ as named`);
      const back = readBack(f.path, () => parseXml(f.content, f.path));
      if (typeof back === 'string') problems.push(back);
      else if (back.name === 'collect') problems.push(...differences(f.path, items.get(f.path)?.map(collectAsRead), back.children.map(readCollect)));
    }
  }
  return problems;
}

/** Python's str.split() with no argument, as xen-bugtool splits <files> and <list>. */
const pySplit = (s: string) => s.split(/[ \t\n\r\v\f]+/).filter((w) => w !== '');

/** What xen-bugtool takes from a <collect> item: its kind, words or text, and attributes. */
function readCollect(el: ParsedElement): unknown {
  if (el.name === 'files' || el.name === 'list') return { kind: el.name, words: pySplit(el.text), ...el.attrs };
  return { kind: el.name, text: el.text, ...el.attrs };
}

/** A manifest's <collect> item as readCollect gives it back when written right. */
function collectAsRead(item: CollectItem): unknown {
  switch (item.kind) {
    case 'files':
      return { kind: 'files', words: item.paths };
    case 'list':
      return { kind: 'list', words: item.directories, recursive: String(item.recursive) };
    case 'directory':
      return { kind: 'directory', text: item.path, ...(item.pattern !== undefined ? { pattern: item.pattern } : {}), negate: String(item.negate) };
    case 'command':
      return { kind: 'command', text: item.command, ...(item.label !== undefined ? { label: item.label } : {}) };
  }
}

/**
 * comps.xml, the yum group file (docs/formats/containers.md §5, docs/formats/xenserver.md §2.2 step 7 / 2.4): `dnf install @update`
 * on a running host and `@drivers` on a driver disk install every mandatory package of a group.
 */
import { SuppackError } from '../../base/errors';
import { element } from './xml';

export interface CompsGroup {
  id: string;
  name: string;
  description?: string;
  /** Package names, each a mandatory `<packagereq>`. */
  packages: string[];
}

const DOCTYPE = '<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n';

// docs/formats/xenserver.md §2.2 step 7: build-update's group_file() bytes, its indentation included (three
// spaces before <id>, four before <packagelist>), `False`/`True`, no XML declaration; one
// <packagereq type="mandatory"> per package.
function groupXml(g: CompsGroup, index: number): string {
  if (!/^[A-Za-z0-9_.+-]+$/.test(g.id)) {
    throw new SuppackError(`expected letters, digits and _ . + - only, got ${JSON.stringify(g.id)}`, { field: `groups[${index}].id` });
  }
  const packages = [...new Set(g.packages)].sort();
  return (
    '  <group>\n' +
    `   ${element('id', g.id)}\n` +
    '   <default>False</default>\n' +
    '   <uservisible>True</uservisible>\n' +
    `   ${element('name', g.name)}\n` +
    `   ${element('description', g.description ?? '')}\n` +
    '    <packagelist>\n' +
    packages.map((p) => `      ${element('packagereq', p, [['type', 'mandatory']])}\n`).join('') +
    '    </packagelist>\n' +
    '  </group>\n'
  );
}

/** The group file; groups sorted by id, packages sorted and without repeats. */
export function compsXml(groups: CompsGroup[]): string {
  const ids = new Set<string>();
  groups.forEach((g, i) => {
    if (ids.has(g.id)) throw new SuppackError(`group id ${JSON.stringify(g.id)} is given twice`, { field: `groups[${i}].id` });
    ids.add(g.id);
  });
  const indexed = groups.map((g, i) => ({ g, i })).sort((a, b) => (a.g.id < b.g.id ? -1 : a.g.id > b.g.id ? 1 : 0));
  return DOCTYPE + '<comps>\n' + indexed.map(({ g, i }) => groupXml(g, i)).join('') + '</comps>\n';
}

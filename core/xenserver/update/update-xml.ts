/**
 * update.xml, the descriptor of an update pack (docs/formats/xenserver.md §2.3): the exact bytes build-update
 * wrote with Python 2.7 `top.writexml(f, indent="  ", newl="\n")` — no XML declaration,
 * attributes sorted, every element on its own line indented by two spaces — and the rules xapi
 * and the host installer apply when they read it back.
 */
import { SuppackError } from '../../base/errors';
import { type XmlElement, writeXml } from '../legacy/minidom';
import { parseXml } from '../../formats/xml/read';
import { AFTER_APPLY, type AfterApply } from '../../../schemas/update-pack';

export interface UpdateXml {
  uuid: string;
  label: string;
  version: string;
  description: string;
  /** Sum of the payload RPMs' installed sizes (RPM tag SIZE). */
  installationSize: number;
  afterApply: readonly AfterApply[];
  /** Basename of the public key file; absent for an unsigned update. */
  key?: string;
  /** Name of the control RPM, when one is built. */
  control?: string;
  /** xapi: all hosts of a pool must have this update (written only when true). */
  enforceHomogeneity?: boolean;
  /** UUIDs of the updates this one rolls up (build-update --rollups). */
  rollups: readonly string[];
}

export const UPDATE_XML = 'update.xml';

// docs/formats/xenserver.md §2.3: optional attributes only when set; <name-description> then <rollsup> children.
export function updateXmlElement(u: UpdateXml): XmlElement {
  const attrs: Record<string, string> = {
    'installation-size': String(u.installationSize),
    'name-label': u.label,
    uuid: u.uuid,
    version: u.version,
  };
  if (u.afterApply.length > 0) attrs['after-apply-guidance'] = u.afterApply.join(',');
  if (u.key !== undefined) attrs.key = u.key;
  if (u.control !== undefined) attrs.control = u.control;
  if (u.enforceHomogeneity) attrs['enforce-homogeneity'] = 'true';
  return {
    name: 'update',
    attrs,
    children: [
      { name: 'name-description', attrs: {}, text: u.description },
      // docs/formats/xenserver.md §2.3: <rollsup> names the rolled-up UUID and *this* update's label.
      ...u.rollups.map((uuid) => ({ name: 'rollsup', attrs: { 'name-label': u.label, uuid } })),
    ],
  };
}

/** The bytes of update.xml, as build-update wrote them. */
export function updateXml(u: UpdateXml): string {
  return writeXml(updateXmlElement(u), '  ', '', '\n');
}

/**
 * The update's own applied stamp, `/var/update/applied/<uuid>` (docs/formats/xenserver.md §2.3): update.xml
 * without the key attribute (build-update 1.8.5, CA-251625: xapi's resync would otherwise
 * record the key of an update that may no longer be on the host).
 */
export function appliedStamp(u: UpdateXml): string {
  const { key: _key, ...rest } = u;
  return updateXml(rest);
}

/** What the stamp of a rolled-up update names (docs/formats/xenserver.md §2.3). */
export interface RolledUpStamp {
  /** The rolled-up update's UUID (the stamp's file name and uuid=). */
  uuid: string;
  /** This update: its uuid, label, version and description. */
  by: { uuid: string; label: string; version: string; description: string };
  enforceHomogeneity?: boolean;
}

/**
 * The bytes of `/var/update/applied/<R>` for a rolled-up update R (docs/formats/xenserver.md §2.3): a whole
 * <update> document as build-update's %posttrans wrote it — Python 2.7 `toprettyxml(indent="  ")`
 * of the element (no declaration), followed by the empty line its here-document added.
 */
export function rolledUpStamp(s: RolledUpStamp): string {
  const attrs: Record<string, string> = {
    'installation-size': '0',
    'name-label': s.by.label,
    uuid: s.uuid,
    version: s.by.version,
  };
  if (s.enforceHomogeneity) attrs['enforce-homogeneity'] = 'true';
  const el: XmlElement = {
    name: 'update',
    attrs,
    children: [
      { name: 'name-description', attrs: {}, text: s.by.description },
      { name: 'rolled-up-by', attrs: { 'name-label': s.by.label, uuid: s.by.uuid } },
    ],
  };
  return `${writeXml(el, '', '  ', '\n')}\n`;
}

/**
 * Read update.xml back with xapi's `parse_update_info` rules (docs/formats/xenserver.md §2.3), but strictly:
 * what xapi would silently turn into 0 or an empty guidance is an error here.
 */
export function parseUpdateXml(xml: string, file: string): UpdateXml {
  const root = parseXml(xml, file);
  const at = (what: string, field = '<update>') => new SuppackError(what, { file, field });
  if (root.name !== 'update') throw at(`expected the root element <update>, got <${root.name}>`, `<${root.name}>`);
  const required = (name: string): string => {
    const v = root.attrs[name];
    if (v === undefined || v === '') throw at(`required attribute ${name} is missing`);
    return v;
  };
  const sizeText = root.attrs['installation-size'] ?? '0';
  if (!/^\d+$/.test(sizeText)) throw at(`installation-size: expected a whole number of bytes, got ${JSON.stringify(sizeText)}`);
  const guidance = root.attrs['after-apply-guidance'];
  const afterApply = guidance === undefined || guidance === '' ? [] : guidance.split(',');
  for (const g of afterApply) {
    if (!(AFTER_APPLY as readonly string[]).includes(g)) {
      throw at(`after-apply-guidance: expected a comma list of ${AFTER_APPLY.join(', ')}, got ${JSON.stringify(g)}`);
    }
  }
  const description = root.children.find((c) => c.name === 'name-description');
  if (description === undefined || description.text === '') throw at('expected a <name-description> child with text');
  const key = root.attrs.key;
  const control = root.attrs.control;
  const homogeneity = root.attrs['enforce-homogeneity'];
  if (homogeneity !== undefined && !/^(true|false|1|0)$/i.test(homogeneity)) {
    throw at(`enforce-homogeneity: expected true or false, got ${JSON.stringify(homogeneity)}`);
  }
  return {
    uuid: required('uuid'),
    label: required('name-label'),
    version: required('version'),
    description: description.text,
    installationSize: Number(sizeText),
    afterApply: afterApply as AfterApply[],
    ...(key ? { key: key.split('/').at(-1) as string } : {}),
    ...(control ? { control } : {}),
    ...(homogeneity !== undefined && /^(true|1)$/i.test(homogeneity) ? { enforceHomogeneity: true } : {}),
    rollups: root.children.filter((c) => c.name === 'rollsup').map((c) => c.attrs.uuid ?? ''),
  };
}

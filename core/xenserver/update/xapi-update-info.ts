/**
 * A model of how xapi reads an update document back (docs/formats/xenserver.md §2.3, docs/update-packs.md
 * "What xapi reads on the host"): `parse_update_info` of ocaml/xapi/xapi_pool_update.ml over
 * the tree of ocaml/libs/xml-light2/xml.ml (Xmlm). xapi applies it to update.xml when an update is
 * uploaded, and to every `/var/update/applied/<uuid>` when it resyncs a host (`resync_host`, at
 * every xapi start and after every apply) — a stamp it cannot read fails the whole resync.
 *
 * Unlike parseUpdateXml (which is strict on purpose), this follows xapi's rules exactly,
 * leniencies included, so tests can say "xapi reads this stamp as ...".
 */
import { basename } from 'node:path';
import { SuppackError } from '../../base/errors';
import { parseXml, type ParsedElement } from '../../formats/xml/read';

export interface XapiUpdateInfo {
  uuid: string;
  nameLabel: string;
  nameDescription: string;
  version: string;
  /** None in xapi when the attribute is missing or empty; else its basename. */
  key?: string;
  installationSize: bigint;
  afterApplyGuidance: string[];
  enforceHomogeneity: boolean;
  /** Not read by xapi: the <rolled-up-by> child of a rolled-up stamp, reported for checks. */
  rolledUpBy?: { uuid?: string; nameLabel?: string };
}

const GUIDANCE = ['restartHVM', 'restartPV', 'restartHost', 'restartXAPI'];
const INT64_MAX = 2n ** 63n - 1n;

/** xml-light2 `is_empty`: PCData of only '\n', ' ' and '\t' is dropped from every element. */
const isEmptyText = (s: string) => /^[\n \t]*$/.test(s);

/**
 * OCaml `Int64.of_string` (optional sign, 0x/0o/0b/0u prefixes, `_` separators); what it refuses
 * xapi turns into 0. (0x/0o/0b wrap like unsigned 64-bit numbers; 0u and decimal must fit.)
 */
function int64OrZero(s: string | undefined): bigint {
  const m = s === undefined ? null : /^([-+]?)(0[xX][0-9a-fA-F][0-9a-fA-F_]*|0[oO][0-7][0-7_]*|0[bB][01][01_]*|0[uU]\d[\d_]*|\d[\d_]*)$/.exec(s);
  if (m === null) return 0n;
  const digits = m[2]!.replace(/_/g, '');
  const unsigned = /^0[uU]/.test(digits);
  let v = BigInt(unsigned ? digits.slice(2) : digits);
  if (/^0[xXoObB]/.test(digits)) {
    if (v > 2n ** 64n - 1n) return 0n;
    if (v > INT64_MAX) v -= 2n ** 64n;
  } else if (v > (unsigned ? 2n ** 64n - 1n : INT64_MAX + (m[1] === '-' ? 1n : 0n))) return 0n;
  else if (unsigned && v > INT64_MAX) v -= 2n ** 64n;
  return m[1] === '-' ? -v : v;
}

/**
 * `parse_update_info` on the bytes of a document. Throws a SuppackError carrying xapi's own
 * message (INVALID_UPDATE "missing <...> in update.xml") when xapi would fail.
 */
export function xapiParseUpdateInfo(bytes: Buffer, file: string): XapiUpdateInfo {
  let text: string;
  try {
    // Xmlm decodes UTF-8 strictly (no declaration: UTF-8).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new SuppackError('xapi cannot read it: not UTF-8 (Xmlm: malformed character stream)', { file });
  }
  const root = parseXml(text, file, { cdata: true });
  const fail = (what: string) => new SuppackError(`xapi: INVALID_UPDATE "missing <${what}> in update.xml"`, { file });
  if (root.name !== 'update') throw fail('update');
  const attr = (name: string): string | undefined => root.attrs[name];
  const required = (name: string): string => {
    const v = attr(name);
    if (v === undefined) throw fail(name);
    return v;
  };
  const uuid = required('uuid');
  const nameLabel = required('name-label');
  const version = required('version');
  const key = attr('key');
  let afterApplyGuidance: string[] = [];
  const g = attr('after-apply-guidance');
  if (g !== undefined && g !== '') {
    const parts = g.split(',');
    afterApplyGuidance = parts.every((p) => GUIDANCE.includes(p)) ? parts : [];
  }
  const h = attr('enforce-homogeneity')?.toLowerCase();
  const enforceHomogeneity = h === 'true' || h === '1';
  // List.find is_name_description_node children: the first <name-description> element; its
  // children, empty PCData dropped, must be exactly [PCData s].
  const description: ParsedElement | undefined = root.children.find((c) => c.name === 'name-description');
  if (description === undefined) throw new SuppackError('xapi: Not_found (no <name-description> child of <update>)', { file });
  if (description.children.length > 0 || isEmptyText(description.text)) throw fail('name-description');
  const by = root.children.find((c) => c.name === 'rolled-up-by');
  return {
    uuid,
    nameLabel,
    nameDescription: description.text,
    version,
    ...(key !== undefined && key !== '' ? { key: basename(key) } : {}),
    installationSize: int64OrZero(attr('installation-size')),
    afterApplyGuidance,
    enforceHomogeneity,
    ...(by !== undefined
      ? {
          rolledUpBy: {
            ...(by.attrs.uuid !== undefined ? { uuid: by.attrs.uuid } : {}),
            ...(by.attrs['name-label'] !== undefined ? { nameLabel: by.attrs['name-label'] } : {}),
          },
        }
      : {}),
  };
}

/** `Uuidx.is_uuid` on a file name of /var/update/applied (resync_host skips other names). */
export const isXapiUuid = (name: string) => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(name);

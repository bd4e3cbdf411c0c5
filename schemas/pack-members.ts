import { z } from 'zod';
import { RELATIVE_PATH } from './paths';

/**
 * What bundle and installer projects share (docs/formats/xenserver.md §3-4): the legacy packs they put on a
 * medium, each a workspace project or an ISO file, and the ISO volume id.
 */

/** A member ending in `.iso` is a file; anything else names a workspace project. */
export const ISO_FILE = /\.iso$/i;
/** Nx project names: npm package names (`@scope/name`) or folder names. */
const PROJECT_NAME = /^[A-Za-z0-9@_][A-Za-z0-9@._/+-]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function isIsoPath(member: string): boolean {
  return ISO_FILE.test(member);
}

export const packMemberSchema = z
  .string()
  .superRefine((member, ctx) => {
    if (isIsoPath(member)) {
      if (!RELATIVE_PATH.test(member)) ctx.addIssue({ code: 'custom', message: 'expected the pack ISO relative to the project root, with "/" between directories and no ".." or control characters' });
    } else if (!PROJECT_NAME.test(member)) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected the name of a workspace pack or bundle project, or the path of a pack ISO ending in .iso',
      });
    }
  })
  .describe('A legacy pack: the name of a workspace project (a legacy pack or a bundle), or a pack ISO file ending in .iso, relative to the project root.');

/** Members in order; each at most once. */
export const packMembersSchema = z.array(packMemberSchema).superRefine((members, ctx) => {
  members.forEach((m, i) => {
    const first = members.indexOf(m);
    if (first !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${JSON.stringify(m)} is already packs[${first}]: list each pack once` });
  });
});

export const volumeIdSchema = z
  .string()
  .min(1, { error: 'expected a non-empty volume id' })
  .max(32, { error: 'expected at most 32 characters (the ISO volume id)' })
  .regex(PRINTABLE_ASCII, { error: 'expected printable ASCII (the ISO volume id)' });

/** Why a bundle or installer cannot take an update pack (docs/update-packs.md). */
export const UPDATE_PACKS_CANNOT_COMBINE =
  'is an update-format pack (update.xml): the installer reads one yum repo per source, so update packs cannot be combined into one medium (suppack docs/formats/xenserver.md §3). ' +
  'Ship each update ISO on its own: give each to the installer as its own <source> or <driver-source> in the answerfile, or install it on the host with xe-install-supplemental-pack';

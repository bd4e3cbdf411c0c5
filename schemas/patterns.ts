/**
 * Patterns the schemas share with core code that must not load zod (rebuild-iso's start-up path
 * loads as little as it can while the input is being copied).
 */

/**
 * `_valid_ident` of supp-pack-build, less "." and "..": vendor codes and labels become directory
 * names on the host and in the pack's RPMs (/usr/share/doc/<label>/ would be /usr/share for "..").
 */
export const IDENT = /^(?!\.\.?$)[A-Za-z0-9._-]+$/;
/** Dotted numeric versions: the only kind xcp.version can compare (docs/formats/xenserver.md §1.11). */
export const DOTTED_VERSION = /^\d+(\.\d+)+$/;

import { z } from 'zod';

/**
 * Server Status Report (xen-bugtool) additions a pack ships (docs/formats/xenserver.md §7; DDK guide 6.5):
 * new categories (`/etc/xensource/bugtool/<name>.xml` + `<name>/*.xml`) and extensions of
 * existing ones (`/etc/xensource/bugtool/<category>/<file>.xml`).
 */

const NO_SPACES = /^\S+$/;
/** A directory name under /etc/xensource/bugtool: "." and ".." are none (they would put the files elsewhere). */
const CATEGORY = /^(?!\.\.?$)[A-Za-z0-9._-]+$/;

export const collectItemSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('files'),
      paths: z
        .array(z.string().regex(NO_SPACES, { error: 'expected a path or glob without spaces (bugtool splits on whitespace)' }))
        .min(1),
    })
    .strict()
    .describe('<files>: paths and globs, collected as they are.'),
  z
    .object({
      kind: z.literal('list'),
      directories: z.array(z.string().regex(NO_SPACES, { error: 'expected a directory without spaces' })).min(1),
      recursive: z.boolean().default(false),
    })
    .strict()
    .describe('<list>: a listing of directories.'),
  z
    .object({
      kind: z.literal('directory'),
      path: z.string().regex(NO_SPACES, { error: 'expected a directory without spaces' }),
      pattern: z.string().optional().describe('A Python regular expression filtering the entries.'),
      negate: z.boolean().default(false),
    })
    .strict()
    .describe('<directory>: a directory, optionally filtered by a pattern.'),
  z
    .object({
      kind: z.literal('command'),
      command: z.string().min(1),
      label: z.string().regex(CATEGORY, { error: 'expected letters, digits, ".", "_" or "-"' }).optional(),
    })
    .strict()
    .describe('<command>: a command whose output is collected.'),
]);

export const newCategorySchema = z
  .object({
    name: z
      .string()
      .regex(CATEGORY, { error: 'expected letters, digits, ".", "_" or "-", not "." or ".." (it becomes a directory name)' })
      .describe('Category name: /etc/xensource/bugtool/<name>.xml and <name>/.'),
    pii: z
      .enum(['no', 'yes', 'maybe', 'if_customized'], { error: 'expected one of no, yes, maybe, if_customized' })
      .default('maybe')
      .describe('How much personally identifiable information the data may hold.'),
    minSize: z.number().int().min(-1).optional().describe('Minimum size of the data in bytes (informational; -1 = none).'),
    maxSize: z.number().int().min(-1).optional().describe('Maximum size in bytes; bigger data is not collected (-1 = none).'),
    minTime: z.number().int().min(-1).optional().describe('Minimum time the commands take, in seconds (informational).'),
    maxTime: z.number().int().min(-1).optional().describe('Maximum time the commands may take, in seconds.'),
    mime: z
      .enum(['text/plain', 'application/data'], { error: 'expected text/plain or application/data' })
      .default('text/plain')
      .describe('MIME type of the collected data.'),
    checked: z.boolean().default(true).describe('Collected by default.'),
    hidden: z.boolean().default(false).describe('Only collected when asked for on the CLI; not shown in XenCenter.'),
    collect: z.array(collectItemSchema).min(1, { error: 'expected at least one item to collect' }),
  })
  .strict();

export const extendCategorySchema = z
  .object({
    category: z.string().regex(CATEGORY, { error: 'expected an existing category name such as network-status (letters, digits, ".", "_" or "-", not "." or "..")' }),
    collect: z.array(collectItemSchema).min(1, { error: 'expected at least one item to collect' }),
  })
  .strict();

export const statusReportSchema = z
  .object({
    categories: z.array(newCategorySchema).default([]).describe('New categories, each with its capability attributes.'),
    extend: z.array(extendCategorySchema).default([]).describe('Additions to existing categories.'),
  })
  .strict();

export type CollectItem = z.output<typeof collectItemSchema>;
export type NewCategory = z.output<typeof newCategorySchema>;
export type StatusReport = z.output<typeof statusReportSchema>;

/**
 * The one reader of `suppack.json`, for the Nx plugin and the executors alike: JSON syntax errors
 * and schema errors both become one line per problem naming the file (workspace-relative), the
 * line and column, the field, what was expected and what was found:
 * `packs/acme/suppack.json: line 4, column 16: pack.version: expected a string such as "1.0", got the number 1`.
 * It loads no pipeline code (the plugin reads manifests while Nx computes the graph).
 */
import { join } from 'node:path';
import { SuppackError, describeError } from '../base/errors';
import { jsonPosition } from '../../schemas/json-positions';
import { manifestSchema, projectManifestSchema, type Manifest, type ProjectManifest } from '../../schemas/manifest';
import { dottedPath, parseWithSchema, type Locator } from '../../schemas/parse';
import type { z } from 'zod';
import { readInputFile } from '../base/open-input';

/** Parse and validate the text of a pack project's manifest; `file` is the name used in errors. */
export function parseManifestText(text: string, file: string): Manifest {
  return parseJsonWithSchema(manifestSchema, text, file);
}

/** Parse and validate any `suppack.json` (pack, bundle or installer project). */
export function parseProjectManifestText(text: string, file: string): ProjectManifest {
  return parseJsonWithSchema(projectManifestSchema, text, file);
}

/** JSON text → a value of `schema`; each problem says where it is in the text. */
export function parseJsonWithSchema<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const value = parseJson(text, file);
  // One pass over the text per problem shown (at most MAX_PROBLEMS).
  const position: Locator = (path, place) => {
    const p = jsonPosition(text, path);
    const at = place === 'key' ? (p?.key ?? p?.value) : p?.value;
    return at && `line ${at.line}, column ${at.column}`;
  };
  return parseWithSchema(schema, value, { file, field: dottedPath, position });
}

/** Read `<workspaceRoot>/<file>` and parse it as a pack manifest; `file` is workspace-relative. */
export async function readManifest(workspaceRoot: string, file: string): Promise<Manifest> {
  return parseManifestText(await readText(workspaceRoot, file), file);
}

/** Read `<workspaceRoot>/<file>` and parse it as any kind of project; `file` is workspace-relative. */
export async function readProjectManifest(workspaceRoot: string, file: string): Promise<ProjectManifest> {
  return parseProjectManifestText(await readText(workspaceRoot, file), file);
}

async function readText(workspaceRoot: string, file: string): Promise<string> {
  try {
    return (await readInputFile(join(workspaceRoot, file))).toString('utf8');
  } catch (e) {
    throw new SuppackError(`cannot read the manifest: ${describeError(e)}`, { file });
  }
}

/** JSON.parse with an error that says where (line, column) and what was expected. */
export function parseJson(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = errorOffset(message, body);
    const where = at === undefined ? undefined : lineColumn(body, at);
    throw new SuppackError(`invalid JSON: ${describe(message)}`, {
      file,
      field: where && `line ${where.line}, column ${where.column}`,
    });
  }
}

/** The character offset V8 reports ("at position N"), the end of the text ("Unexpected end"), or none. */
function errorOffset(message: string, text: string): number | undefined {
  const m = /at position (\d+)/.exec(message);
  if (m) return Math.min(Number(m[1]), text.length);
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) {
    const lines = text.split('\n');
    const line = Math.min(Number(lc[1]), lines.length);
    return lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Number(lc[2]) - 1;
  }
  return /^Unexpected end/.test(message) ? text.length : undefined;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

/** V8's message without the position and the echoed input, as "expected ..." where it can. */
function describe(message: string): string {
  let m = message
    .replace(/\s*in JSON at position \d+.*$/s, '')
    .replace(/\s*\(line \d+ column \d+\)\s*$/, '')
    .replace(/, "[\s\S]*" is not valid JSON$/, '');
  if (/^Unexpected end of JSON input/.test(m)) return 'unexpected end of file, expected the rest of a JSON object';
  if (/^Unexpected non-whitespace character after JSON/.test(m)) return 'unexpected text after the JSON object, expected the end of the file';
  if (/^Bad control character in string literal/.test(m)) return 'control character in a string, expected it escaped (\\n, \\t, \\u0000)';
  m = m.replace(/^Expected/, 'expected').replace(/^Unexpected/, 'unexpected');
  if (/^unexpected token/.test(m)) m += ', expected a JSON value, "," or a closing bracket (no comments or trailing commas)';
  return m;
}

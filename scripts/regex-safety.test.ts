/**
 * No regular expression in production code takes more than linear time on a hostile text
 * (docs/security.md, "Bounded work on small hostile inputs"). Every regex literal of the
 * sources is checked with recheck, a ReDoS checker (automaton analysis and fuzzing): one it
 * finds polynomial or exponential fails this test unless it is listed below with the reason its
 * input is bounded or trusted. Regexes built with `new RegExp` are not seen; the lint rules that
 * build theirs have tests on hostile scripts (core/products/lint/lint.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSync } from 'recheck';
import ts from 'typescript';
import { expect, test } from 'vitest';

const ROOT = join(__dirname, '..');

/** `file /source/flags` → why a polynomial regex is acceptable there. */
const BOUNDED: Record<string, string> = {
  "core/base/errors.ts /, \\w+ '.*'$/": "Node's own error messages, naming a path (at most PATH_MAX)",
  'core/formats/fat/directory.ts / +$/': 'a FAT 8.3 name field (8 or 3 bytes)',
  'core/formats/iso/decode.ts /[\\s\\0]+$/': 'a fixed-size volume descriptor or catalog field (at most 128 bytes)',
  'core/formats/iso/decode.ts /\\0+$/': 'the 32-byte boot system identifier',
  'core/formats/xml/encoding.ts /^_+|_+$/g': "applied after every run of punctuation became one '_': no run to retry",
  'core/products/installer-iso/changes.ts /^\\/+|\\/+$/g': "the user's own --include destination",
  'core/products/lint/uninstall.ts /(\\/\\S+) \\(0x/': "ldd's output for /bin/sh and the host's own tools",
  'core/products/manifest-file.ts /\\s*in JSON at position \\d+.*$/s': "V8's JSON.parse message, which echoes a few characters of the input at most",
  'core/products/manifest-file.ts /\\s*\\(line \\d+ column \\d+\\)\\s*$/': "V8's JSON.parse message",
  'core/products/manifest-file.ts /, "[\\s\\S]*" is not valid JSON$/': "V8's JSON.parse message",
  'generators/bundle/generator.ts /\\/+$/': "a workspace path the user gives the generator",
  'generators/installer/generator.ts /\\/+$/': "a workspace path the user gives the generator",
  'generators/pack/generator.ts /\\/+$/': "a workspace path the user gives the generator",
  'plugin/targets.ts /\\/+$/': "a project root Nx gives (the workspace's own path)",
};

function regexLiterals(): Array<{ key: string; source: string; flags: string; where: string }> {
  const files = execFileSync('git', ['ls-files', 'core/*.ts', 'schemas/*.ts', 'cli/*.ts', 'plugin/*.ts', 'executors/*.ts', 'gulp/*.ts', 'generators/*.ts'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '' && !/\.test\.ts$|(^|\/)testing(\.ts$|\/)/.test(f));
  const out: Array<{ key: string; source: string; flags: string; where: string }> = [];
  for (const file of files) {
    const src = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(src);
        const cut = text.lastIndexOf('/');
        const { line } = src.getLineAndCharacterOfPosition(node.getStart(src));
        out.push({ key: `${file} ${text}`, source: text.slice(1, cut), flags: text.slice(cut + 1), where: `${file}:${line + 1}` });
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  return out;
}

test('every regex literal runs in linear time, or its input is bounded (listed with why)', () => {
  const found = regexLiterals();
  expect(found.length).toBeGreaterThan(200);
  const slow = found
    .map((r) => ({ ...r, result: checkSync(r.source, r.flags.replace(/[gy]/g, ''), { timeout: 10_000 }) }))
    .filter((r) => r.result.status === 'vulnerable' && BOUNDED[r.key] === undefined)
    .map((r) => `${r.where} ${r.key.slice(r.key.indexOf(' ') + 1)}: ${r.result.status === 'vulnerable' ? r.result.complexity.type : ''}`);
  expect(slow).toEqual([]);
  // the list names regexes that are still there
  const keys = new Set(found.map((r) => r.key));
  expect(Object.keys(BOUNDED).filter((k) => !keys.has(k))).toEqual([]);
}, 300_000);

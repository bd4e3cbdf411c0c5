/**
 * Test-only: what must hold of the Nx targets inferred from any manifest the schema accepts
 * (docs/security.md "Fuzzing", docs/nx/caching.md). The fuzz suite's manifest kind checks each
 * accepted case against these, so a manifest that is valid but odd cannot make a target that
 * hashes a file outside its root, writes where another target writes, depends on a target that does
 * not exist, or runs the manifest's text in a shell.
 */
import { execFileSync } from 'node:child_process';
import type { TargetConfiguration } from '@nx/devkit';
import { KERNEL_TREE_IDENTITY } from '../../plugin/targets';

/** A path after its `{projectRoot}/` or `{workspaceRoot}/` token: relative, no ".." component with either separator. */
function pathProblem(rest: string): string | undefined {
  if (rest === '' || rest.startsWith('/')) return 'an absolute path or an empty one after the token';
  if (/^[A-Za-z]:/.test(rest)) return 'a drive after the token';
  if (rest.split(/[\\/]/).includes('..')) return 'a ".." component';
  return undefined;
}

function fileInputProblem(s: string): string | undefined {
  const body = s.startsWith('!') ? s.slice(1) : s;
  const m = /^\{(projectRoot|workspaceRoot)\}\/(.*)$/s.exec(body);
  if (m === null) return 'no {projectRoot} or {workspaceRoot} token in front';
  return pathProblem(m[2]!);
}

/** A shell word as shellQuote (plugin/targets.ts) writes it: single-quoted runs joined by \'. */
const SINGLE_QUOTED = /^'[^']*'(?:\\''[^']*')*$/;
const IDENTITY_TAIL = ` 2>/dev/null && sha256sum -- ${KERNEL_TREE_IDENTITY.join(' ')} 2>/dev/null; true`;

/**
 * Problems with one runtime input's command. A kernel tree's identity command must quote its
 * directory as one single-quoted word (nothing in it expands), and is run with /bin/sh in `scratch`
 * when the directory holds anything but plain characters: it must succeed (Nx runs it for every
 * hash) and print nothing (there is no such tree there).
 */
function runtimeProblem(cmd: string, scratch: string): string | undefined {
  if (cmd === 'rpmbuild --version' || cmd === 'rpm --version') return undefined;
  if (cmd.startsWith('node -e ')) return undefined; // the manifest-reads command: only the project's own path, fixed here
  if (!cmd.startsWith('cd ') || !cmd.endsWith(IDENTITY_TAIL)) return `an unknown runtime command: ${cmd.slice(0, 120)}`;
  const word = cmd.slice(3, -IDENTITY_TAIL.length);
  if (!SINGLE_QUOTED.test(word)) return `a directory that is not one quoted word: ${word.slice(0, 120)}`;
  if (/^'[A-Za-z0-9/._+-]*'$/.test(word)) return undefined;
  let out: string;
  try {
    out = execFileSync('/bin/sh', ['-c', cmd], { cwd: scratch, timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return `the identity command failed under /bin/sh: ${String((e as Error).message).split('\n')[0]}`;
  }
  if (out !== '') return `the identity command printed ${JSON.stringify(out.slice(0, 80))} for a tree that is not there`;
  return undefined;
}

/** Every problem with `targets` (inferred from one manifest), one line each; none when all hold. */
export function targetProblems(targets: Record<string, TargetConfiguration>, scratch: string): string[] {
  const problems: string[] = [];
  const names = new Set(Object.keys(targets));
  const outputs = new Map<string, string>();
  for (const [name, t] of Object.entries(targets)) {
    const at = (what: string) => problems.push(`${name}: ${what}`);
    if (typeof t.executor !== 'string' || !t.executor.startsWith('suppack:')) at(`executor ${String(t.executor)}`);
    for (const o of t.outputs ?? []) {
      if (!o.startsWith('{workspaceRoot}/dist/')) at(`output ${o} not under {workspaceRoot}/dist/`);
      const p = pathProblem(o.slice('{workspaceRoot}/'.length));
      if (p) at(`output ${o}: ${p}`);
      const other = outputs.get(o);
      if (other !== undefined) at(`output ${o} is ${other}'s too`);
      outputs.set(o, name);
    }
    for (const input of t.inputs ?? []) {
      if (typeof input === 'string') {
        const p = fileInputProblem(input);
        if (p) at(`input ${input.slice(0, 120)}: ${p}`);
        continue;
      }
      const keys = Object.keys(input);
      const known = ['runtime', 'env', 'externalDependencies', 'dependentTasksOutputFiles', 'transitive', 'fileset', 'includeIgnored'];
      const unknown = keys.filter((k) => !known.includes(k));
      if (unknown.length > 0) at(`input with ${unknown.join(', ')}`);
      const i = input as { fileset?: string; runtime?: string; dependentTasksOutputFiles?: string };
      if (i.fileset !== undefined) {
        const p = fileInputProblem(i.fileset);
        if (p) at(`fileset ${i.fileset.slice(0, 120)}: ${p}`);
      }
      if (i.dependentTasksOutputFiles !== undefined && pathProblem(i.dependentTasksOutputFiles)) at(`dependentTasksOutputFiles ${i.dependentTasksOutputFiles}`);
      if (i.runtime !== undefined) {
        const p = runtimeProblem(i.runtime, scratch);
        if (p) at(p);
      }
    }
    for (const dep of t.dependsOn ?? []) {
      if (typeof dep === 'string') {
        const target = dep.startsWith('^') ? dep.slice(1) : dep;
        // "^x": the same target of the projects this one depends on, so it must be one of its own too
        if (!names.has(target)) at(`dependsOn ${dep}: no such target`);
      } else if (!Array.isArray(dep.projects) || dep.projects.length === 0 || typeof dep.target !== 'string') {
        at(`dependsOn ${JSON.stringify(dep)}`);
      }
    }
  }
  return problems;
}

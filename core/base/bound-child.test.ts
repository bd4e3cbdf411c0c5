import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PARENT_CHECK, boundToThisProcess, boundWherePossible, onPath } from './bound-child';

const dir = mkdtempSync(join(tmpdir(), 'suppack-bound-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const alive = (pid: number) => spawnSync('kill', ['-0', String(pid)]).status === 0;

describe('a child bound to this process (core/base/bound-child.ts)', () => {
  it('runs the command with its arguments as they are: no shell reads them', () => {
    const marker = join(dir, 'pwned');
    const bound = boundToThisProcess('printf', ['%s|', 'a b', `$(touch ${marker})`, "'q'`id`"]);
    expect(execFileSync(bound.file, bound.args, { encoding: 'utf8' })).toBe(`a b|$(touch ${marker})|'q'\`id\`|`);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs nothing when its parent is not the process that spawned it any more (killed before setpriv set the signal)', () => {
    const ran = join(dir, 'ran');
    // the shell's parent is this process; a pid that is not it stands for the parent that died
    expect(spawnSync('sh', ['-c', PARENT_CHECK, String(process.pid + 1_000_000), 'touch', ran]).status).not.toBe(0);
    expect(existsSync(ran)).toBe(false);
    expect(spawnSync('sh', ['-c', PARENT_CHECK, String(process.pid), 'touch', ran]).status).toBe(0);
    expect(existsSync(ran)).toBe(true);
  });

  it('dies when its parent is killed with SIGKILL', async () => {
    const script = `const { spawn } = require('node:child_process'); const b = (${boundToThisProcess.toString()})('sleep', ['60']);
      const c = spawn(b.file, b.args, { stdio: 'ignore' }); setTimeout(() => console.log(c.pid), 300); setInterval(() => {}, 1000);`.replace('PARENT_CHECK', JSON.stringify(PARENT_CHECK));
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  });

  it('finds commands on PATH as a shell does; without setpriv on PATH, the command runs unbound', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'tool'), '#!/bin/sh\n');
    chmodSync(join(bin, 'tool'), 0o755);
    writeFileSync(join(bin, 'data'), '');
    expect(onPath('tool', `/nonexistent:${bin}`)).toBe(join(bin, 'tool'));
    expect(onPath('data', bin)).toBeUndefined();
    expect(onPath('sh')).toMatch(/\/sh$/);
    expect(boundWherePossible('/x/tool', ['a'], bin)).toEqual({ file: '/x/tool', args: ['a'] });
    expect(boundWherePossible('/x/tool', ['a']).file).toBe('setpriv');
  });
});

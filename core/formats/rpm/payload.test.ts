import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { readRpmPayload } from './payload';
import { readRpm } from './read';
import { cpioList } from './testing';

const rpms = inject('fixtureRpms');

describe.each(Object.keys(rpms).sort())('readRpmPayload(%s)', (name) => {
  const path = rpms[name]!;

  it('lists the same entries as rpm2cpio | cpio -t, with the header sizes and modes', async () => {
    const info = await readRpm(path);
    const names: string[] = [];
    const byPath = new Map(info.files.map((f) => [f.path, f]));
    for await (const e of readRpmPayload(path, info)) {
      names.push(e.name);
      const f = byPath.get(e.name.replace(/^\./, ''));
      expect(f, e.name).toBeDefined();
      expect(e.mode, e.name).toBe(f!.mode);
      // Directories carry no data; symlinks carry their target; files their content.
      const data = await e.buffer();
      expect(data.length).toBe(e.size);
      if ((e.mode & 0o170000) === 0o120000) expect(data.toString()).toBe(f!.linkTo);
      else if ((e.mode & 0o170000) === 0o100000) {
        expect(e.size).toBe(f!.size);
        // FILEDIGESTALGO: sha256, or md5 (32 hex digits) in the old-host fixture built for rpm 4.4.
        expect(createHash(f!.digest.length === 32 ? 'md5' : 'sha256').update(data).digest('hex')).toBe(f!.digest);
      }
    }
    expect(names).toEqual(cpioList(path));
  });
});

describe('payload contents', () => {
  it('acme-tool: the EULA text from the spec', async () => {
    const info = await readRpm(rpms['acme-tool']!);
    const eulas: [string, string][] = [];
    for await (const e of readRpmPayload(info.path, info)) {
      if (e.name.endsWith('EULA')) eulas.push([e.name, (await e.buffer()).toString('utf8')]);
    }
    expect(eulas).toEqual([['./usr/share/doc/acme-tool/acme-tool-EULA', 'ACME END USER LICENSE AGREEMENT\nYou agree to be nice.\n']]);
  });

  it('many-files: every file content equals cpio extraction (streamed with body())', async () => {
    const path = rpms['many-files']!;
    const info = await readRpm(path);
    let files = 0;
    for await (const e of readRpmPayload(path, info)) {
      if ((e.mode & 0o170000) !== 0o100000) continue;
      const parts: Buffer[] = [];
      for await (const c of e.body()) parts.push(c);
      const [, d, i] = /\/([abc])\/file-(\d+)\.dat$/.exec(e.name)!;
      expect(Buffer.concat(parts).toString()).toBe(`${d}-${i}\n`);
      files++;
    }
    expect(files).toBe(300);
    // One file through the real tools, as a cross-check of the test's own expectation.
    const real = execFileSync('sh', ['-c', 'rpm2cpio "$1" | cpio -i --quiet --to-stdout ./usr/share/many-files/b/file-42.dat', 'sh', path], { encoding: 'utf8' });
    expect(real).toBe('b-42\n');
  });

  it('xs-hello: skipping bodies still walks every entry; breaking early closes cleanly', async () => {
    const info = await readRpm(rpms['xs-hello']!);
    const seen: string[] = [];
    for await (const e of readRpmPayload(info.path, info)) seen.push(`${e.name} ${e.size}`);
    expect(seen).toEqual(['./etc/xs-hello/hello.conf 15', './opt/xs/hello-link 9', './opt/xs/hello.txt 6']);
    for await (const e of readRpmPayload(info.path, info)) {
      expect(e.index).toBe(0);
      break;
    }
  });
});

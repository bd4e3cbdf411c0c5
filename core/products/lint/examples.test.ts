/**
 * The repo's own example packs pass lint with no finding (the generated packs are checked in
 * e2e/nx.e2e.test.ts). Their RPMs are the committed prebuilt ones, linted with the facts of each
 * example's suppack.json, as the Nx lint target does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestSchema } from '../../../schemas/manifest';
import { runLint } from './index';
import { manifestLintPack } from './stage';

const EXAMPLES = join(__dirname, '../../../examples');

describe.each(['legacy-pack', 'update-pack'])('examples/%s', (example) => {
  it('passes lint with no finding', async () => {
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(EXAMPLES, example, 'suppack.json'), 'utf8')));
    const dir = join(EXAMPLES, example, 'rpms');
    const rpms = readdirSync(dir).filter((f) => f.endsWith('.rpm')).sort().map((f) => join(dir, f));
    expect(rpms.length).toBeGreaterThan(0);
    const report = await runLint({ inputs: rpms, pack: manifestLintPack(manifest) });
    expect(report.findings).toEqual([]);
    expect(report.notes[0]).toMatch(new RegExp(`^${rpms.length} RPMs checked against `));
  });
});

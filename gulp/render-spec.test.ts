import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Vinyl from 'vinyl';
import { beforeAll, describe, expect, test } from 'vitest';
import { planSpecs, renderSpecs, renderSpecText } from '../core/products/rpms/render-spec';
import { manifestSchema, type ManifestInput } from '../schemas/manifest';
import { renderSpec } from './index';
import { chunked, isPluginError, runPlugin } from './testing';

const MANIFEST: Extract<ManifestInput, { format?: 'legacy' }> = {
  pack: { vendorCode: 'acme', vendorName: 'ACME Corp', label: 'acme-nic', text: 'ACME NIC driver', version: '1.0', productVersion: '7.0.0' },
  rpms: [
    { spec: 'driver/acme.spec.in', kind: 'kernel-module', sources: 'driver/src', version: '2.0.1', release: '3', defines: { acme_opt: 'on' } },
    { spec: 'data/acme-data.spec', version: '1.1' },
  ],
  kernels: [{ version: '4.19.0+1' }, { version: '2.6.32.43-0.4.1.xs1.8.0.835.170778', flavour: 'xen' }],
  eulas: ['EULA.txt'],
};
const TEMPLATES: Record<string, string> = {
  'driver/acme.spec.in': 'Name: %{pack_label}-%{kernel_release}-modules\nVersion: %{suppack_version}\n',
  'data/acme-data.spec': 'Name: acme-data\nVersion: %{suppack_version}\nSource1: %{suppack_extras_tar}\n',
};

let project: string;
let reference: string;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'gulp-renderspec-'));
  for (const [name, text] of Object.entries(TEMPLATES)) {
    mkdirSync(join(project, name, '..'), { recursive: true });
    writeFileSync(join(project, name), text);
  }
  writeFileSync(join(project, 'EULA.txt'), 'You agree.\n');
  reference = join(project, 'reference-specs');
  await renderSpecs({ manifest: manifestSchema.parse(MANIFEST), projectDir: project, outDir: reference });
});

/** A template as `src('**\/*.spec*')` from the project directory gives it. */
function template(name: string, contents: Buffer | NodeJS.ReadableStream = readFileSync(join(project, name))): Vinyl {
  return new Vinyl({ cwd: project, base: project, path: join(project, name), contents });
}

test('each template renders next to itself: one spec per kernel, the extras after the spec that carries them, the bytes of renderSpecs()', async () => {
  const { files, error } = await runPlugin(renderSpec(MANIFEST), Object.keys(TEMPLATES).map((n) => template(n)));
  expect(error).toBeUndefined();
  expect(files.map((f) => f.relative)).toEqual([
    'driver/acme-4.19.0+1.spec',
    'driver/acme-2.6.32.43-0.4.1.xs1.8.0.835.170778-xen.spec',
    'data/acme-data.spec',
    'data/extras/acme-data-extras.tar.gz',
    'data/extras/acme-data-extras.files',
  ]);
  for (const f of files) {
    expect(f.isBuffer()).toBe(true);
    const name = relative(join(project, f.relative.split('/')[0]), f.path);
    expect(f.contents, name).toEqual(readFileSync(join(reference, name)));
  }
  expect(readdirSync(reference).sort()).toEqual(['acme-2.6.32.43-0.4.1.xs1.8.0.835.170778-xen.spec', 'acme-4.19.0+1.spec', 'acme-data.spec', 'extras']);
});

test('an empty template renders to the %global block alone', async () => {
  const { files, error } = await runPlugin(renderSpec(MANIFEST), [template('data/acme-data.spec', Buffer.alloc(0))]);
  expect(error).toBeUndefined();
  const plan = planSpecs(manifestSchema.parse(MANIFEST)).find((p) => p.template === 'data/acme-data.spec')!;
  expect(files[0].contents?.toString()).toBe(renderSpecText('', plan.globals));
});

test('projectDir overrides the files’ cwd for matching templates', async () => {
  const elsewhere = new Vinyl({ cwd: '/', base: project, path: join(project, 'driver/acme.spec.in'), contents: Buffer.from('x\n') });
  const { files, error } = await runPlugin(renderSpec(MANIFEST, { projectDir: project }), [elsewhere]);
  expect(error).toBeUndefined();
  expect(files).toHaveLength(2);
});

describe('errors', () => {
  test('stream contents are refused with a PluginError naming the file', async () => {
    const path = 'data/acme-data.spec';
    const { files, error } = await runPlugin(renderSpec(MANIFEST), [template(path, chunked(Buffer.from('Name: x\n'), 3))]);
    expect(files).toEqual([]);
    expect(isPluginError(error)).toBe(true);
    expect(error).toMatchObject({ plugin: 'suppack', fileName: join(project, path) });
    expect(error?.message).toBe(`${join(project, path)}: streaming not supported: spec templates are read whole; use src(..., { buffer: true })`);
  });

  test('a file the manifest does not name is a PluginError naming it', async () => {
    const stray = join(project, 'other.spec');
    const { error } = await runPlugin(renderSpec(MANIFEST), [new Vinyl({ cwd: project, base: project, path: stray, contents: Buffer.from('x') })]);
    expect(error).toMatchObject({ plugin: 'suppack', fileName: stray });
    expect(error?.message).toMatch(new RegExp(`^${stray}: not a spec template of suppack.json: expected one of driver/acme.spec.in, data/acme-data.spec`));
  });

  test('a missing required manifest field throws a PluginError at creation', () => {
    const { label: _, ...pack } = MANIFEST.pack;
    let thrown: unknown;
    try {
      renderSpec({ ...MANIFEST, pack: pack as (typeof MANIFEST)['pack'] });
    } catch (e) {
      thrown = e;
    }
    expect(isPluginError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe('suppack.json: pack.label: required, expected the pack label (e.g. acme-nic)');
  });

  test('a kernel-module spec without kernels throws at creation', () => {
    expect(() => renderSpec({ ...MANIFEST, kernels: [] })).toThrow(/^suppack\.json: kernels: required by rpms\[0\]/);
  });
});

test('null files pass through', async () => {
  const dir = new Vinyl({ cwd: project, base: project, path: join(project, 'driver'), contents: null });
  const { files, error } = await runPlugin(renderSpec(MANIFEST), [dir]);
  expect(error).toBeUndefined();
  expect(files).toEqual([dir]);
});

/**
 * build-rpms: the real rpmbuild -bb on every rendered spec (core/products/rpms/render-spec.ts), kernel-module specs
 * once per kernel. Reproducible settings: SOURCE_DATE_EPOCH as build time and mtime clamp, a
 * fixed build host, no debuginfo, no build-id links, LC_ALL=C, and the work directory mapped out
 * of kernel modules' debug info (KCFLAGS). Built for the target host (core/xenserver/hosts.ts, docs/hosts.md):
 * gzip payloads everywhere, md5 file digests for rpm 4.4 hosts; the RPMs are then checked against
 * the host before the binary RPMs (debuginfo/debugsource left out) replace the contents of outDir.
 */
import { execFileSync, spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { EXTRAS_DIR, kernelBuildDir, planSpecs, type SpecPlan } from './render-spec';
import { replaceDir } from '../../base/output';
import { checkRpmsForHost } from '../../xenserver/host-check';
import { hostRpmbuildMacros, RPM_4_11, targetHost, type HostRpm } from '../../xenserver/hosts';
import { MANIFEST_FILE, type Manifest } from '../../../schemas/manifest';
import { makeDir } from '../../base/make-dir';
import { boundWherePossible, onPath } from '../../base/bound-child';

const NOT_FOUND = 'rpmbuild not found: install rpm (apt-get install rpm / dnf install rpm-build)';
/** How many lines of rpmbuild's output a failure shows. */
export const OUTPUT_TAIL_LINES = 40;
/** %{_buildhost} of every RPM we build: the real host name would differ between machines. */
export const BUILD_HOST = 'suppack.invalid';

/** `rpmbuild --version`, e.g. "RPM version 4.18.0" (part of build-rpms' cache key). */
export function rpmbuildVersion(): string {
  try {
    return execFileSync('rpmbuild', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    if (isNodeError(e) && e.code === 'ENOENT') throw new SuppackError(NOT_FOUND);
    throw e;
  }
}

/**
 * rpmbuild failed. The first line of `message` is the one-line summary naming the rendered spec
 * and its template; the lines after it are the tail of rpmbuild's own output.
 */
export class RpmbuildError extends SuppackError {
  readonly output: string;

  constructor(summary: string, where: { file: string }, output: string) {
    super(summary, where);
    this.name = 'RpmbuildError';
    this.output = output;
    this.message = output === '' ? this.message : `${this.message}\n${output}`;
  }
}

/**
 * The --define arguments of one spec (absolute paths: run time only, never in a target). `host`
 * is the target host's rpm (default rpm 4.11.3): its macros (hostRpmbuildMacros) come last.
 */
export function rpmbuildDefines(o: { topDir: string; sourceDir: string; kernelBuildDir?: string; host?: HostRpm }): string[] {
  // Paths are macro bodies to rpm: "%" doubled, so a "%(...)" or "%{...}" in one stays text.
  const path = (p: string) => p.replace(/%/g, '%%');
  const defines: Array<[string, string]> = [
    ['_topdir', path(o.topDir)],
    ['_sourcedir', path(o.sourceDir)],
    ['_buildhost', BUILD_HOST],
    ['use_source_date_epoch_as_buildtime', '1'],
    ['clamp_mtime_to_source_date_epoch', '1'],
    ['debug_package', '%{nil}'],
    ['_build_id_links', 'none'],
    ...hostRpmbuildMacros(o.host ?? RPM_4_11),
  ];
  if (o.kernelBuildDir !== undefined) defines.push(['kernel_build_dir', path(o.kernelBuildDir)]);
  return defines.flatMap(([k, v]) => ['--define', `${k} ${v}`]);
}

/**
 * Build every rendered spec of `manifest` from `specsDir` (render-spec's output) with the
 * tarballs of `sourcesDir` (build-srctarballs' output). `workDir` is scratch (_topdir); only its
 * rpmbuild subdirectories are cleared. Returns the RPM paths in outDir, sorted.
 */
export async function buildRpms(o: {
  manifest: Manifest;
  specsDir: string;
  sourcesDir: string;
  outDir: string;
  workDir: string;
  epoch: number;
  log?: (line: string) => void;
  manifestFile?: string;
}): Promise<string[]> {
  const manifestFile = o.manifestFile ?? MANIFEST_FILE;
  const plans = planSpecs(o.manifest, manifestFile);
  const host = targetHost(o.manifest);
  rpmbuildVersion(); // fails early with the install hint

  // Validate everything before the first (slow) build.
  for (const p of plans) {
    await mustExist(join(o.specsDir, p.fileName), `rendered spec not found (run render-spec first; from ${manifestFile} rpms[${p.index}].spec ${p.template})`);
    if (p.source0 !== undefined) {
      await mustExist(join(o.sourcesDir, p.source0), `source tarball not found (run build-srctarballs first; from ${manifestFile} rpms[${p.index}].sources)`);
    }
    if (p.extras) await mustExist(join(o.specsDir, EXTRAS_DIR, p.extras.tarball), 'extras tarball not found (run render-spec first)');
    if (p.kernel && p.kernelIndex !== undefined) {
      const dir = kernelBuildDir(p.kernel);
      const st = await fsp.stat(dir).catch(() => undefined);
      if (!st?.isDirectory()) {
        throw new SuppackError(
          `kernel build tree not found: ${dir} — install the kernel headers (e.g. linux-headers-amd64), set kernels[${p.kernelIndex}].buildDir, or name the kernel-devel RPM in kernels[${p.kernelIndex}].develRpm`,
          { file: manifestFile, field: `kernels[${p.kernelIndex}].buildDir` },
        );
      }
    }
  }

  // _topdir: BUILD, BUILDROOT, RPMS, SRPMS of rpmbuild, and SOURCES = source tarballs + extras.
  for (const sub of ['BUILD', 'BUILDROOT', 'RPMS', 'SRPMS', 'SOURCES']) await fsp.rm(join(o.workDir, sub), { recursive: true, force: true });
  const sourceDir = join(o.workDir, 'SOURCES');
  await makeDir(sourceDir);
  await copyFiles(o.sourcesDir, sourceDir);
  await copyFiles(join(o.specsDir, EXTRAS_DIR), sourceDir);

  const wroteBy = new Map<string, string>();
  for (const p of plans) {
    const spec = join(o.specsDir, p.fileName);
    o.log?.(`rpmbuild -bb ${spec}`);
    const args = [
      '-bb',
      '--nodeps',
      ...rpmbuildDefines({ topDir: o.workDir, sourceDir, host: host.rpm, ...(p.kernel ? { kernelBuildDir: kernelBuildDir(p.kernel) } : {}) }),
      spec,
    ];
    const output = await runRpmbuild(args, spec, p, manifestFile, rpmbuildEnv(o.epoch, o.workDir), o.log);
    for (const line of output) {
      const wrote = /^Wrote: (.*\.rpm)$/.exec(line)?.[1];
      if (wrote === undefined) continue;
      const other = wroteBy.get(wrote);
      if (other !== undefined && other !== spec) {
        throw new SuppackError(`builds ${basename(wrote)} like ${other}: give the packages different names`, { file: spec });
      }
      wroteBy.set(wrote, spec);
    }
  }

  const built = await listBuiltRpms(join(o.workDir, 'RPMS'));
  // What a spec itself asks for (a "~" version, rich dependencies, %caps...) can still be more
  // than the host's rpm takes: say so here, before outDir changes.
  await checkRpmsForHost(built.map((path) => ({ path, shownAs: `${basename(path)} (built from ${basename(specOf(wroteBy, path))})` })), host);
  await replaceDir(o.outDir, async (tmp) => {
    for (const f of built) await fsp.copyFile(f, join(tmp, basename(f)));
  });
  return built.map((f) => join(o.outDir, basename(f))).sort();
}

function specOf(wroteBy: Map<string, string>, rpm: string): string {
  for (const [wrote, spec] of wroteBy) if (wrote === rpm || basename(wrote) === basename(rpm)) return spec;
  return 'a spec';
}

/** RPMS/<arch>/*.rpm without -debuginfo / -debugsource packages, sorted. */
async function listBuiltRpms(rpmsDir: string): Promise<string[]> {
  const out: string[] = [];
  const arches = await fsp.readdir(rpmsDir).catch(() => [] as string[]);
  for (const arch of arches.sort()) {
    const files = await fsp.readdir(join(rpmsDir, arch)).catch(() => [] as string[]);
    for (const f of files.sort()) {
      if (f.endsWith('.rpm') && !/-debug(info|source)-/.test(f)) out.push(join(rpmsDir, arch, f));
    }
  }
  return out;
}

async function copyFiles(from: string, to: string): Promise<void> {
  const names = await fsp.readdir(from, { withFileTypes: true }).catch((e: unknown) => {
    if (isNodeError(e) && e.code === 'ENOENT') return [];
    throw e;
  });
  for (const d of names) if (d.isFile()) await fsp.copyFile(join(from, d.name), join(to, d.name));
}

async function mustExist(path: string, what: string): Promise<void> {
  try {
    await fsp.access(path);
  } catch (e) {
    throw new SuppackError(isNodeError(e) && e.code !== 'ENOENT' ? describeNodeError(e) : what, { file: path });
  }
}

/**
 * rpmbuild's environment: SOURCE_DATE_EPOCH, the C locale, UTC, and KCFLAGS (read by kbuild)
 * mapping the work directory away: a module's GNU build ID hashes its debug info, which holds
 * the build directory, so without the map the .ko bytes depend on where the workspace is.
 */
export function rpmbuildEnv(epoch: number, workDir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const prefixMap = `-ffile-prefix-map=${workDir}=.`;
  return {
    ...env,
    SOURCE_DATE_EPOCH: String(epoch),
    LC_ALL: 'C',
    TZ: 'UTC',
    KCFLAGS: env.KCFLAGS ? `${env.KCFLAGS} ${prefixMap}` : prefixMap,
  };
}

/** Run rpmbuild; resolves with every line of its output (stdout then stderr lines as they come). */
function runRpmbuild(args: string[], spec: string, p: SpecPlan, manifestFile: string, env: NodeJS.ProcessEnv, log?: (line: string) => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const all: string[] = [];
    // rpmbuild runs for minutes: it dies with this process, even by SIGKILL (bound-child.ts)
    const rpmbuild = onPath('rpmbuild', env.PATH);
    if (rpmbuild === undefined) {
      reject(new SuppackError(NOT_FOUND));
      return;
    }
    const bound = boundWherePossible(rpmbuild, args, env.PATH);
    const child = spawn(bound.file, bound.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    const tail: string[] = [];
    const partial = { stdout: '', stderr: '' };
    const push = (line: string) => {
      log?.(line);
      all.push(line);
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    };
    const onData = (which: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const lines = (partial[which] + chunk.toString('utf8')).split('\n');
      partial[which] = lines.pop() ?? '';
      for (const l of lines) push(l);
    };
    child.stdout.on('data', onData('stdout'));
    child.stderr.on('data', onData('stderr'));
    child.on('error', (e) => {
      reject(isNodeError(e) && e.code === 'ENOENT' ? new SuppackError(NOT_FOUND) : e);
    });
    child.on('close', (code, signal) => {
      for (const which of ['stdout', 'stderr'] as const) if (partial[which] !== '') push(partial[which]);
      if (code === 0) {
        resolve(all);
        return;
      }
      const how = signal !== null ? `was killed by ${signal}` : `failed with exit code ${code}`;
      const from = `rendered from ${manifestFile} rpms[${p.index}].spec ${p.template}${p.kernel ? ` for kernel ${p.kernel.version}${p.kernel.flavour ? ` ${p.kernel.flavour}` : ''}` : ''}`;
      reject(new RpmbuildError(`rpmbuild ${how} (${from}); the last lines of its output follow`, { file: spec }, tail.join('\n')));
    });
  });
}

/** Test-only helpers: hand-built RpmInfo objects (no RPM file behind them). */
import { RPMSENSE, type RpmDependency, type RpmFile, type RpmInfo } from '../../formats/rpm/types';

export function fakeRpm(over: Partial<RpmInfo> & { name: string }): RpmInfo {
  const version = over.version ?? '1.0';
  const release = over.release ?? '1';
  const arch = over.arch ?? 'noarch';
  return {
    path: `/rpms/${over.name}-${version}-${release}.${arch}.rpm`,
    fileSize: 1000,
    version,
    release,
    arch,
    group: 'Applications/System',
    summary: '',
    description: '',
    license: 'MIT',
    isSource: false,
    size: 0,
    provides: [],
    requires: [],
    conflicts: [],
    obsoletes: [],
    files: [],
    scripts: {},
    signatureRange: { start: 96, end: 96 },
    headerRange: { start: 96, end: 96 },
    payloadOffset: 96,
    payloadCompressor: 'gzip',
    ...over,
  };
}

/** `dep('foo')`, `dep('foo >= 1.0')`, `dep('/bin/sh')`. */
export function dep(spec: string): RpmDependency {
  const m = /^(\S+)(?:\s+(<=|>=|=|<|>)\s+(\S+))?$/.exec(spec);
  if (!m) throw new Error(`bad dependency spec ${spec}`);
  const flags = { '<': RPMSENSE.LESS, '>': RPMSENSE.GREATER, '=': RPMSENSE.EQUAL, '<=': RPMSENSE.LESS | RPMSENSE.EQUAL, '>=': RPMSENSE.GREATER | RPMSENSE.EQUAL }[
    m[2] ?? ''
  ];
  return { name: m[1]!, flags: flags ?? 0, version: m[3] ?? '' };
}

export function files(...paths: string[]): RpmFile[] {
  return paths.map((path) => ({ path, mode: 0o100644, size: 1, linkTo: '', flags: 0, user: 'root', group: 'root', digest: '' }));
}

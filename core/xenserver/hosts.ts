/**
 * The host model: what the dom0 of each platform suppack targets can install (docs/hosts.md).
 * One table, read by build-rpms (rpmbuild macros), the native RPM writer (file digests) and the
 * host check (core/xenserver/host-check.ts) that refuses what the target's rpm cannot install.
 *
 * rpmlib lists: `rpm --showrc` ("Features supported by rpmlib") of rpm 4.4.2.3 and 4.11.3 built
 * from the upstream sources (scripts/old-rpm.sh). Payload compressors, file digest and signature
 * support: the same releases' rpmio/rpmpgp sources, and what their binaries install (docs/hosts.md).
 */
import { compareXcpVersions } from './legacy/version';

/** OpenPGP / rpm hash algorithm ids (RFC 4880 9.4; rpm's PGPHASHALGO_*, FILEDIGESTALGO values). */
export const HASH_ALGO = { md5: 1, sha1: 2, ripemd160: 3, sha256: 8, sha384: 9, sha512: 10, sha224: 11 } as const;
/** OpenPGP public-key algorithm ids (RFC 4880 9.1; 22 = EdDSA, RFC 9580 9.1). */
export const PUBKEY_ALGO = { rsa: 1, dsa: 17, eddsa: 22, ed25519: 27 } as const;

const HASH_NAMES: Record<number, string> = { 1: 'md5', 2: 'sha1', 3: 'ripemd160', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };
const PUBKEY_NAMES: Record<number, string> = { 1: 'RSA', 2: 'RSA', 3: 'RSA', 17: 'DSA', 19: 'ECDSA', 22: 'EdDSA (Ed25519)', 27: 'Ed25519' };

export function hashAlgoName(id: number): string {
  return HASH_NAMES[id] ?? `hash algorithm ${id}`;
}
export function pubkeyAlgoName(id: number): string {
  return PUBKEY_NAMES[id] ?? `public-key algorithm ${id}`;
}

/** What one rpm release can install. */
export interface HostRpm {
  /** `rpm --version` of the release, e.g. 4.11.3. */
  version: string;
  /** The dom0 base it ships with. */
  distro: string;
  /** rpmlib(...) features it provides, with the version it provides each at (`rpm --showrc`). */
  rpmlib: Readonly<Record<string, string>>;
  /** PAYLOADCOMPRESSOR values it can unpack. */
  payloadCompressors: readonly string[];
  /** FILEDIGESTALGO values it can check (HASH_ALGO ids). */
  fileDigestAlgorithms: readonly number[];
  /** OpenPGP signature packet versions it verifies. */
  signatureVersions: readonly number[];
  /** OpenPGP public-key algorithms it verifies signatures of (PUBKEY_ALGO ids). */
  publicKeyAlgorithms: readonly number[];
  /** The file digest algorithm suppack builds with for this rpm (rpmbuild and the native writer). */
  buildFileDigest: number;
  /** The payload compressor suppack builds with (rpmbuild's _binary_payload). */
  buildPayload: 'gzip';
}

/** rpm 4.4.2.3 (CentOS 5), `rpm --showrc` of the built binary. */
export const RPM_4_4: HostRpm = {
  version: '4.4.2.3',
  distro: 'CentOS 5',
  rpmlib: {
    VersionedDependencies: '3.0.3-1',
    CompressedFileNames: '3.0.4-1',
    PayloadIsBzip2: '3.0.5-1',
    PayloadFilesHavePrefix: '4.0-1',
    ExplicitPackageProvide: '4.0-1',
    HeaderLoadSortsTags: '4.0.1-1',
    ScriptletInterpreterArgs: '4.0.3-1',
    PartialHardlinkSets: '4.0.4-1',
    ConcurrentAccess: '4.1-1',
    BuiltinLuaScripts: '4.2.2-1',
  },
  payloadCompressors: ['gzip', 'bzip2'],
  // rpm 4.4 has no FILEDIGESTALGO: every file digest is md5 (rpmlib(FileDigests) came in 4.6.0).
  fileDigestAlgorithms: [HASH_ALGO.md5],
  // rpm 4.4's rpmpgp reads V3 signatures; a V4 one verifies as BAD.
  signatureVersions: [3],
  publicKeyAlgorithms: [PUBKEY_ALGO.rsa, PUBKEY_ALGO.dsa],
  buildFileDigest: HASH_ALGO.md5,
  buildPayload: 'gzip',
};

/** rpm 4.11.3 (CentOS 7), `rpm --showrc` of the built binary. */
export const RPM_4_11: HostRpm = {
  version: '4.11.3',
  distro: 'CentOS 7',
  rpmlib: {
    BuiltinLuaScripts: '4.2.2-1',
    CompressedFileNames: '3.0.4-1',
    ConcurrentAccess: '4.1-1',
    ExplicitPackageProvide: '4.0-1',
    FileCaps: '4.6.1-1',
    FileDigests: '4.6.0-1',
    HeaderLoadSortsTags: '4.0.1-1',
    PartialHardlinkSets: '4.0.4-1',
    PayloadFilesHavePrefix: '4.0-1',
    PayloadIsBzip2: '3.0.5-1',
    PayloadIsLzma: '4.4.2-1',
    PayloadIsXz: '5.2-1',
    ScriptletExpansion: '4.9.0-1',
    ScriptletInterpreterArgs: '4.0.3-1',
    TildeInVersions: '4.10.0-1',
    VersionedDependencies: '3.0.3-1',
  },
  payloadCompressors: ['gzip', 'bzip2', 'xz', 'lzma'],
  fileDigestAlgorithms: [HASH_ALGO.md5, HASH_ALGO.sha1, HASH_ALGO.sha224, HASH_ALGO.sha256, HASH_ALGO.sha384, HASH_ALGO.sha512],
  // rpm 4.11's rpmpgp knows RSA and DSA only: an EdDSA signature is "unverifiable" and its key
  // does not import.
  signatureVersions: [3, 4],
  publicKeyAlgorithms: [PUBKEY_ALGO.rsa, PUBKEY_ALGO.dsa],
  buildFileDigest: HASH_ALGO.sha256,
  buildPayload: 'gzip',
};

/** Every host rpm release, oldest first. */
export const HOST_RPMS: readonly HostRpm[] = [RPM_4_4, RPM_4_11];

export type PackFormat = 'legacy' | 'update';

/** One platform generation. */
export interface HostPlatform {
  /** How messages name it, e.g. "XenServer 6.5". */
  name: string;
  /** XS-REPOSITORY product of its legacy packs (absent: update format only). */
  legacyProduct?: 'XenServer' | 'XCP';
  /** productVersion range of its legacy packs: from (inclusive) up to below (exclusive). */
  versions?: { from: string; below: string };
  formats: readonly PackFormat[];
  rpm: HostRpm;
  /** The dom0 kernel release (uname -r) naming, with an example. */
  kernel: { naming: string; example: string; flavours: readonly string[] };
}

/** The 2.6.32 kernels of XenServer 5.6-6.2 and XCP 1.x: only their shape is known (docs/hosts.md). */
const KERNEL_2_6_32 = { naming: '2.6.32.<n>-<xs build> plus a flavour', example: '2.6.32.<n>-<build>xen (unchecked: read the host\'s uname -r)', flavours: ['xen', 'kdump'] } as const;

/** docs/hosts.md "The table". */
export const HOST_PLATFORMS: readonly HostPlatform[] = [
  {
    name: 'XenServer 5.6',
    legacyProduct: 'XenServer',
    versions: { from: '5.6', below: '6.0' },
    formats: ['legacy'],
    rpm: RPM_4_4,
    kernel: KERNEL_2_6_32,
  },
  {
    name: 'XenServer 6.0',
    legacyProduct: 'XenServer',
    versions: { from: '6.0', below: '6.1' },
    formats: ['legacy'],
    rpm: RPM_4_4,
    kernel: KERNEL_2_6_32,
  },
  {
    name: 'XenServer 6.1',
    legacyProduct: 'XenServer',
    versions: { from: '6.1', below: '6.2' },
    formats: ['legacy'],
    rpm: RPM_4_4,
    kernel: KERNEL_2_6_32,
  },
  {
    name: 'XenServer 6.2',
    legacyProduct: 'XenServer',
    versions: { from: '6.2', below: '6.5' },
    formats: ['legacy'],
    rpm: RPM_4_4,
    kernel: KERNEL_2_6_32,
  },
  {
    name: 'XenServer 6.5',
    legacyProduct: 'XenServer',
    versions: { from: '6.5', below: '7.0' },
    formats: ['legacy'],
    rpm: RPM_4_4,
    kernel: { naming: '<upstream>+<n>, one kernel', example: '3.10.0+2', flavours: [] },
  },
  {
    name: 'XenServer 7.0',
    legacyProduct: 'XenServer',
    versions: { from: '7.0', below: '7.1' },
    formats: ['legacy'],
    rpm: RPM_4_11,
    kernel: { naming: '<upstream>+<n>, one kernel', example: '3.10.0+10', flavours: [] },
  },
  {
    name: 'XenServer 7.1-7.6',
    legacyProduct: 'XenServer',
    versions: { from: '7.1', below: '8.0' },
    formats: ['update', 'legacy'],
    rpm: RPM_4_11,
    kernel: { naming: '<upstream>+<n>, one kernel', example: '4.4.0+10', flavours: [] },
  },
  {
    name: 'Citrix Hypervisor 8.x and XenServer 8',
    legacyProduct: 'XenServer',
    versions: { from: '8.0', below: '9999' },
    formats: ['update', 'legacy'],
    rpm: RPM_4_11,
    kernel: { naming: '<upstream>+<n>, one kernel', example: '4.19.0+1', flavours: [] },
  },
  {
    name: 'XCP 1.x',
    legacyProduct: 'XCP',
    versions: { from: '0', below: '2.0' },
    formats: ['legacy'],
    rpm: RPM_4_4,
    kernel: KERNEL_2_6_32,
  },
  {
    name: 'XCP-ng 8.x',
    legacyProduct: 'XCP',
    versions: { from: '2.0', below: '9999' },
    formats: ['update', 'legacy'],
    rpm: RPM_4_11,
    kernel: { naming: '<upstream>+<n>, one kernel', example: '4.19.0+1', flavours: [] },
  },
];

/** The host a pack targets: one platform, or the update format's platforms (all on rpm 4.11.3). */
export interface TargetHost {
  /** How messages name it, e.g. "XenServer 6.5". */
  name: string;
  rpm: HostRpm;
}

/** Update packs and driver disks: XenServer 7.1+, Citrix Hypervisor 8.x, XCP-ng 8.x. */
export const UPDATE_HOSTS: TargetHost = {
  name: 'XenServer 7.1+, Citrix Hypervisor 8.x and XCP-ng 8.x',
  rpm: RPM_4_11,
};

/** The platform of a legacy pack's product and product version (oldest of the product when no row matches). */
export function legacyPlatform(product: 'XenServer' | 'XCP', productVersion: string): HostPlatform {
  const rows = HOST_PLATFORMS.filter((p) => p.legacyProduct === product && p.versions !== undefined);
  const row = rows.find((p) => compareXcpVersions(productVersion, p.versions!.from) >= 0 && compareXcpVersions(productVersion, p.versions!.below) < 0);
  return row ?? rows[0]!;
}

/** Just what hostOf reads of a manifest or of pack options. */
export type HostSelector =
  | { format: 'update' }
  | {
      format: 'legacy';
      pack: {
        product: 'XenServer' | 'XCP';
        productVersion?: string;
        requires?: ReadonlyArray<{ originator: string; name: string; test: string; version: string }>;
      };
    };

/**
 * The host a pack is for. Legacy: the platform of `productVersion`; without it, the lowest
 * version its xs:main / xcp:main requirements allow, else the oldest platform of the product (a
 * pack that names no version may go to any of them). Update: the update format's platforms.
 */
export function targetHost(m: HostSelector): TargetHost {
  if (m.format === 'update') return UPDATE_HOSTS;
  const { product } = m.pack;
  const { platform, version } = legacyTarget(m);
  const name = m.pack.productVersion !== undefined || version !== undefined ? platformName(platform, version!) : `${platform.name} (no product version given: the oldest ${product})`;
  return { name, rpm: platform.rpm };
}

/** The legacy platform a pack is for (targetHost's rules), or undefined for update packs. */
export function targetPlatform(m: HostSelector): HostPlatform | undefined {
  return m.format === 'update' ? undefined : legacyTarget(m).platform;
}

function legacyTarget(m: Extract<HostSelector, { format: 'legacy' }>): { platform: HostPlatform; version: string | undefined } {
  const { product } = m.pack;
  const version = m.pack.productVersion ?? lowestPlatformVersion(m.pack.requires ?? [], product === 'XCP' ? 'xcp' : 'xs');
  return { platform: legacyPlatform(product, version ?? '0'), version };
}

/** "XenServer 6.5" for 6.5.0; an XCP row by its own name. */
function platformName(p: HostPlatform, version: string): string {
  return p.legacyProduct === 'XenServer' ? `XenServer ${version.split('.').slice(0, 2).join('.')}` : p.name;
}

/** The lowest platform version `requires` allow, or undefined when they set no lower bound. */
function lowestPlatformVersion(requires: ReadonlyArray<{ originator: string; name: string; test: string; version: string }>, originator: string): string | undefined {
  let lowest: string | undefined;
  let any = false;
  for (const r of requires) {
    if (r.originator !== originator || r.name !== 'main') continue;
    any = true;
    if (r.test === 'eq' || r.test === 'ge' || r.test === 'gt') {
      if (lowest === undefined || compareXcpVersions(r.version, lowest) > 0) lowest = r.version;
    }
  }
  return any ? lowest : undefined;
}

/** rpmbuild --define pairs that make rpmbuild write what `rpm` can install. */
export function hostRpmbuildMacros(rpm: HostRpm): Array<[string, string]> {
  const macros: Array<[string, string]> = [
    // gzip: every host rpm unpacks it (and core/rpm reads only gzip).
    ['_binary_payload', 'w9.gzdio'],
    // rpm 6 writes v6 packages by default; every host reads v4 only.
    ['_rpmformat', '4'],
    // Header text as the hosts' rpm keeps it: bytes, ISO-8859-1 specs included (rpm 4.14+ refuses
    // text that is not UTF-8 unless told not to; docs/hosts.md, "Text that is not UTF-8").
    ['_invalid_encoding_terminates_build', '0'],
  ];
  if (rpm.buildFileDigest === HASH_ALGO.md5) {
    // rpm 4.4 checks md5 file digests only; with md5, rpmbuild adds no rpmlib(FileDigests).
    macros.push(['_binary_filedigest_algorithm', '1'], ['_source_filedigest_algorithm', '1']);
  }
  return macros;
}

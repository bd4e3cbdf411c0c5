/**
 * Refuses what the target host's rpm cannot install (docs/hosts.md "What is refused"), before any
 * output is written: an rpmlib(...) requirement it lacks, a payload it cannot unpack, file digests
 * it cannot check, a signature it cannot read, and a signing key whose signatures it cannot
 * verify. One line per problem, naming the RPM (or key), the feature and the host.
 */
import { SuppackError, withFile } from '../base/errors';
import { HASH_ALGO, HOST_PLATFORMS, HOST_RPMS, hashAlgoName, pubkeyAlgoName, type HostRpm, type TargetHost } from './hosts';
import { decodeHeader, LEAD_SIZE, parseRpm, readRpmHead, rpmHeadersLength, rpmvercmp, RPMSENSE, SIG_TAG, TAG, type RpmDependency, type RpmHeaders, type RpmInfo } from '../formats/rpm';
import { decodePackets, PACKET_TAG } from '../formats/openpgp/packets';

/** What of an RPM decides which host rpm can install it. */
export interface RpmHostFacts {
  /** Its rpmlib(...) requirements. */
  rpmlib: RpmDependency[];
  payloadCompressor: string;
  /** FILEDIGESTALGO (md5 when absent), or undefined when no file has a digest. */
  fileDigestAlgorithm?: number;
  /** Its OpenPGP signatures (signature header RSA, DSA, PGP, GPG tags). */
  signatures: Array<{ tag: string; version: number; pubkeyAlgorithm: number; hashAlgorithm: number }>;
}

export interface HostProblem {
  /** e.g. "needs rpmlib(FileDigests), which rpm 4.4.2.3 of XenServer 6.5 lacks (...)". */
  text: string;
}

/** The hint for an rpmlib feature a host lacks. */
const RPMLIB_HINTS: Record<string, string> = {
  FileDigests: "rebuild with md5 file digests (_binary_filedigest_algorithm 1); suppack's build-rpms does this for you",
  PayloadIsXz: "rebuild with a gzip payload (_binary_payload w9.gzdio); suppack's build-rpms does this for you",
  PayloadIsLzma: "rebuild with a gzip payload (_binary_payload w9.gzdio); suppack's build-rpms does this for you",
  PayloadIsZstd: "rebuild with a gzip payload (_binary_payload w9.gzdio); suppack's build-rpms does this for you",
  TildeInVersions: 'use a version and release without "~"',
  CaretInVersions: 'use a version and release without "^"',
  RichDependencies: 'replace the rich (boolean) dependencies with plain ones',
  LargeFiles: 'no file of 4 GiB or more can be installed there',
  FileCaps: 'drop the %caps file attributes',
  ScriptletExpansion: 'drop macro expansion from the scriptlets (-e / <lua>)',
  ScriptletInterpreterArgs: 'run the scriptlet interpreter without arguments',
};
const GZIP_HINT = "rebuild with a gzip payload (_binary_payload w9.gzdio); suppack's build-rpms does this for you";

/** Signature header tags that hold an OpenPGP signature packet. */
const SIGNATURE_TAGS: ReadonlyArray<[string, number]> = [
  ['RSA', SIG_TAG.RSA],
  ['DSA', SIG_TAG.DSA],
  ['PGP', SIG_TAG.PGP],
  ['GPG', SIG_TAG.GPG],
];

/**
 * The facts of an RPM from `head`, which holds the file from its first byte at least up to the
 * end of the main header (`info.headerRange.end`), and from what readRpm made of it.
 */
export function rpmHostFacts(head: Buffer, info: RpmInfo, headers?: RpmHeaders): RpmHostFacts {
  const sig = headers?.sig ?? decodeHeader(head, LEAD_SIZE, 'signature');
  const main = headers?.main ?? decodeHeader(head, info.headerRange.start, 'main');
  const signatures: RpmHostFacts['signatures'] = [];
  for (const [name, tag] of SIGNATURE_TAGS) {
    const bytes = sig.bin(tag);
    if (bytes === undefined) continue;
    const packet = decodePackets(bytes, `signature header tag ${tag} (${name})`).find((p) => p.tag === PACKET_TAG.SIGNATURE);
    if (packet === undefined) continue;
    const body = packet.body;
    // RFC 4880 5.2.2 (V3: version, 5, type, time[4], key id[8], pubkey algo, hash algo) and
    // 5.2.3 (V4: version, type, pubkey algo, hash algo).
    const version = body[0] ?? 0;
    const at = version === 3 ? 15 : 2;
    signatures.push({ tag: name, version, pubkeyAlgorithm: body[at] ?? 0, hashAlgorithm: body[at + 1] ?? 0 });
  }
  const hasDigests = info.files.some((f) => f.digest !== '');
  return {
    rpmlib: info.requires.filter((r) => r.name.startsWith('rpmlib(') || (r.flags & RPMSENSE.RPMLIB) !== 0),
    payloadCompressor: info.payloadCompressor,
    ...(hasDigests ? { fileDigestAlgorithm: main.number(TAG.FILEDIGESTALGO) ?? HASH_ALGO.md5 } : {}),
    signatures,
  };
}

/** readRpm plus the host facts, from one read of the headers. */
export async function readRpmHostFacts(path: string): Promise<{ info: RpmInfo; facts: RpmHostFacts }> {
  const { info, bytes, headers } = readRpmHead(path);
  return { info, facts: withFile(path, () => rpmHostFacts(bytes, info, headers)) };
}

/** The host facts of an RPM held in memory (the native writer's output), named `name`. */
export function rpmBytesHostFacts(bytes: Buffer, name: string): RpmHostFacts {
  return withFile(name, () => rpmHostFacts(bytes, parseRpm(bytes, name, bytes.length)));
}

/** Does rpm's built-in `rpmlib(name) = provided` satisfy `req` (rpmdsCompare of the two ranges)? */
function satisfies(provided: string, req: RpmDependency): boolean {
  const sense = req.flags & RPMSENSE.SENSEMASK & ~RPMSENSE.RPMLIB;
  if (req.version === '' || (sense & (RPMSENSE.LESS | RPMSENSE.GREATER | RPMSENSE.EQUAL)) === 0) return true;
  const c = rpmvercmp(provided, req.version);
  return (c < 0 && (sense & RPMSENSE.LESS) !== 0) || (c > 0 && (sense & RPMSENSE.GREATER) !== 0) || (c === 0 && (sense & RPMSENSE.EQUAL) !== 0);
}

/** Everything `rpm` cannot take of an RPM with these facts, as the text after "<rpm>: ". */
export function hostProblems(facts: RpmHostFacts, rpm: HostRpm, hostName: string): HostProblem[] {
  const of = `rpm ${rpm.version} of ${hostName}`;
  const problems: HostProblem[] = [];
  const payloadOk = rpm.payloadCompressors.includes(facts.payloadCompressor);
  if (!payloadOk) {
    problems.push({ text: `has its payload compressed with ${facts.payloadCompressor}, which ${of} cannot unpack (${GZIP_HINT})` });
  }
  let digestsReported = false;
  for (const req of facts.rpmlib) {
    const feature = /^rpmlib\((.*)\)$/.exec(req.name)?.[1] ?? req.name;
    const provided = rpm.rpmlib[feature];
    if (provided !== undefined && satisfies(provided, req)) continue;
    if (!payloadOk && feature.startsWith('PayloadIs')) continue; // said above
    if (feature === 'FileDigests') digestsReported = true;
    const hint = RPMLIB_HINTS[feature] ?? `rebuild it for rpm ${rpm.version} (${rpm.distro})`;
    problems.push({ text: `needs ${req.name}, which ${of} lacks (${hint})` });
  }
  const algo = facts.fileDigestAlgorithm;
  if (algo !== undefined && !rpm.fileDigestAlgorithms.includes(algo) && !digestsReported) {
    problems.push({ text: `has ${hashAlgoName(algo)} file digests, which ${of} cannot check (${RPMLIB_HINTS.FileDigests})` });
  }
  for (const s of facts.signatures) {
    const what = `a V${s.version} ${pubkeyAlgoName(s.pubkeyAlgorithm)}/${hashAlgoName(s.hashAlgorithm).toUpperCase()} signature (signature header ${s.tag})`;
    if (!rpm.signatureVersions.includes(s.version)) {
      problems.push({ text: `carries ${what}, which ${of} reads as BAD (remove it: rpmsign --delsign; packs for this host are not signed)` });
    } else if (!rpm.publicKeyAlgorithms.includes(s.pubkeyAlgorithm)) {
      problems.push({ text: `carries ${what}, which ${of} cannot verify (sign it with an RSA key, or remove it: rpmsign --delsign)` });
    }
  }
  return problems;
}

/** The oldest host rpm that can install an RPM with these facts, or undefined when none can. */
export function oldestHostRpm(facts: RpmHostFacts): HostRpm | undefined {
  return HOST_RPMS.find((r) => hostProblems(facts, r, 'its host').length === 0);
}

/** Several problems, one line each; the first line alone is a complete message. */
export class HostMismatchError extends SuppackError {
  readonly lines: string[];

  constructor(lines: string[]) {
    super(lines[0]!);
    this.name = 'HostMismatchError';
    // Each line on one line, whatever an RPM header held (SuppackError flattens control characters).
    this.lines = lines.map((l) => new SuppackError(l).message);
    this.message = this.lines.join('\n');
  }
}

export interface RpmToCheck {
  path: string;
  /** The file's bytes, when in memory (then `path` only names it). */
  bytes?: Buffer;
  /** Its headers, when already read (then the file is not read again). */
  head?: { info: RpmInfo; bytes: Buffer };
  /** Its facts, when already known (rpmHostFacts): then neither the file nor `head` is read. */
  facts?: RpmHostFacts;
  /** How the line names the RPM (default `path`), e.g. the prebuilt glob's match. */
  shownAs?: string;
}

/** Throw a HostMismatchError with one line per problem of any RPM against `host` (RPMs in the given order). */
export async function checkRpmsForHost(rpms: readonly RpmToCheck[], host: TargetHost): Promise<void> {
  const lines: string[] = [];
  for (const r of rpms) {
    const facts =
      r.facts ??
      (r.bytes !== undefined
        ? rpmBytesHostFacts(r.bytes, r.path)
        : r.head !== undefined
          ? withFile(r.path, () => rpmHostFacts(r.head!.bytes, r.head!.info))
          : (await readRpmHostFacts(r.path)).facts);
    for (const p of hostProblems(facts, host.rpm, host.name)) lines.push(`${r.shownAs ?? r.path}: ${p.text}`);
  }
  if (lines.length > 0) throw new HostMismatchError(lines);
}

/** What checkSigningKeyForHost reads of a signing key (core/openpgp SigningKey). */
export interface SigningKeyFacts {
  algorithm: string;
  pubkeyAlgorithm: number;
  keyId: string;
}

/**
 * Refuse a signing key whose signatures the host's rpm cannot verify: Ed25519 for every
 * XenServer / Citrix Hypervisor / XCP-ng host (rpm 4.11.3 knows RSA and DSA only), and any key
 * for an rpm that reads only V3 signatures (suppack signs V4). The message names the key by its
 * id and the public key file the pack publishes, never by its bytes.
 */
export function checkSigningKeyForHost(key: SigningKeyFacts, publicKeyFile: string, host: TargetHost): void {
  const of = `rpm ${host.rpm.version} of ${host.name}`;
  if (!host.rpm.publicKeyAlgorithms.includes(key.pubkeyAlgorithm)) {
    throw new SuppackError(
      `the signing key ${key.keyId} is ${pubkeyAlgoName(key.pubkeyAlgorithm)}, which ${of} cannot verify (its packages would be refused as unverifiable and the key would not import): sign with an RSA key (gpg --quick-gen-key NAME rsa4096 sign)`,
      { file: publicKeyFile },
    );
  }
  if (!host.rpm.signatureVersions.includes(4)) {
    throw new SuppackError(`RPM signatures are V4 OpenPGP signatures, which ${of} reads as BAD: build the pack unsigned`, { file: publicKeyFile });
  }
}

/** What `suppack inspect` shows of one RPM: the oldest host rpm that installs it. */
export interface RpmHostSummary {
  file: string;
  /** e.g. "4.4.2.3", or null when no host rpm can install it. */
  oldestRpm: string | null;
  /** e.g. "XenServer 5.6 and later", or why no host can install it (the newest rpm's problems). */
  hosts: string;
}

export function summarizeRpmHosts(file: string, facts: RpmHostFacts): RpmHostSummary {
  const oldest = oldestHostRpm(facts);
  if (oldest !== undefined) {
    const first = HOST_PLATFORMS.find((p) => p.rpm === oldest);
    return { file, oldestRpm: oldest.version, hosts: `${first?.name ?? oldest.distro} and later` };
  }
  const newest = HOST_RPMS[HOST_RPMS.length - 1]!;
  return { file, oldestRpm: null, hosts: hostProblems(facts, newest, 'any host').map((p) => p.text).join('; ') };
}

/**
 * The host facts of an RPM read from a stream of its bytes (an ISO member), reading only up to
 * the end of its main header; `fileSize` is the member's size.
 */
export async function streamRpmHostFacts(stream: NodeJS.ReadableStream, fileSize: number, name: string): Promise<RpmHostFacts> {
  let buf = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= Math.min(rpmHeadersLength(buf, fileSize), fileSize)) break;
    }
  } finally {
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
  return withFile(name, () => rpmHostFacts(buf, parseRpm(buf, name, fileSize)));
}

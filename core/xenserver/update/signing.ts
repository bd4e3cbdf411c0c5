/**
 * Where the signing key of an update pack comes from, and the check that it is the key the pack
 * publishes. Secrets come from files or environment variables only: never from target options,
 * never printed, never written to an output or hashed into a cache key. The public key file is
 * the cache input instead: the build refuses a secret key that does not belong to it, so a cached
 * ISO is always signed by the key its inputs name.
 */
import { readInput } from '../../base/read-input';
import { basename } from 'node:path';
import { SuppackError, describeNodeError, isNodeError } from '../../base/errors';
import { readPublicKeyFingerprints, readSigningKey, type SigningKey } from '../../formats/openpgp';
import { exportGpgSecretKey } from './gpg-export';
import { readInputFile as readRegularFile } from '../../base/open-input';

/**
 * The secret key itself (ASCII armored, or base64 of a binary or armored export, as CI secret
 * stores keep it), or the path of a file holding it (armored or binary). Never shown in a message.
 */
export const SIGNING_KEY_ENV = 'SUPPACK_SIGNING_KEY';
/**
 * A gpg user id, key id or fingerprint: the key is exported from the gpg keyring (GNUPGHOME), as
 * build-update's `-k UID` does, for the Nx targets and gulp, which take no key option.
 */
export const SIGNING_KEY_ID_ENV = 'SUPPACK_SIGNING_KEY_ID';
export const SIGNING_PASSPHRASE_ENV = 'SUPPACK_SIGNING_PASSPHRASE';
export const SIGNING_PASSPHRASE_FILE_ENV = 'SUPPACK_SIGNING_PASSPHRASE_FILE';

export interface SigningSource {
  /** Secret key file (the CLI's --key naming a file); else keyUid; else SUPPACK_SIGNING_KEY or SUPPACK_SIGNING_KEY_ID. */
  keyFile?: string;
  /** A gpg user id, key id or fingerprint (build-update's --key UID): exported from the gpg keyring. */
  keyUid?: string;
  /** Passphrase file (the CLI's --passphrase-file); else the environment. */
  passphraseFile?: string;
  /** The key has no passphrase (build-update --no-passphrase): ignore any in the environment. */
  noPassphrase?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface UpdateSigning {
  key: SigningKey;
  /** The public key published with the pack: update.xml key= is its name. */
  publicKey: { name: string; data: Buffer };
}

function readInputFile(path: string, what: string): Promise<Buffer> {
  return readInput(path, { what });
}

function nonEmpty(v: string | undefined): boolean {
  return v !== undefined && v.trim() !== '';
}

/**
 * The passphrase in a passphrase file: the bytes of its first line, as `gpg --passphrase-file`
 * reads them (no decoding: a passphrase typed in an ISO-8859-1 terminal stays those bytes), and
 * without a CR before the line break, which gpg would keep (a file saved with CRLF line ends).
 */
export function passphraseLine(b: Buffer): Buffer {
  const lf = b.indexOf(0x0a);
  const line = lf < 0 ? b : b.subarray(0, lf);
  return lf >= 0 && line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}

/** Load and unlock the signing key, and check it against the public key file of the pack. */
export async function loadUpdateSigning(publicKeyFile: string, source: SigningSource = {}): Promise<UpdateSigning> {
  const env = source.env ?? process.env;
  const publicKey = await readInputFile(publicKeyFile, 'public key file');
  let uidField: string | undefined;
  if (source.keyFile === undefined && source.keyUid === undefined && nonEmpty(env[SIGNING_KEY_ID_ENV])) {
    if (nonEmpty(env[SIGNING_KEY_ENV])) {
      throw new SuppackError(`both ${SIGNING_KEY_ENV} and ${SIGNING_KEY_ID_ENV} are set: set one of them`, { file: publicKeyFile });
    }
    source = { ...source, keyUid: env[SIGNING_KEY_ID_ENV]!.trim() };
    uidField = `$${SIGNING_KEY_ID_ENV}`;
  }
  // The passphrase first: gpg needs it to export a key named by user id.
  const pass = source.noPassphrase ? undefined : await passphraseOf(source, env);
  const { secret, from } =
    source.keyFile !== undefined
      ? { secret: await readInputFile(source.keyFile, 'secret key file'), from: source.keyFile }
      : source.keyUid !== undefined
        ? {
            secret: await exportGpgSecretKey(source.keyUid, { env, ...(pass !== undefined ? { passphrase: pass.value } : {}), ...(uidField !== undefined ? { field: uidField } : {}) }),
            from: `gpg --export-secret-keys ${JSON.stringify(source.keyUid)}`,
          }
        : await secretKeyFromEnv(env, publicKeyFile);
  const key = readSigningKey(secret, {
    source: from,
    ...(pass !== undefined ? { passphrase: pass.value, passphraseSource: pass.from } : {}),
  });
  const published = new Set(readPublicKeyFingerprints(publicKey, publicKeyFile));
  if (!published.has(key.fingerprint) && !published.has(key.primaryFingerprint)) {
    throw new SuppackError(
      `does not hold the signing key ${key.primaryFingerprint} of ${from}: publish the public key of the key you sign with (gpg --export --armor ${key.keyId})`,
      { file: publicKeyFile },
    );
  }
  return { key, publicKey: { name: basename(publicKeyFile), data: publicKey } };
}

/**
 * The secret key SUPPACK_SIGNING_KEY holds or names (docs/security.md). Its value may be key
 * material, so no message shows it, not even when it was meant as a path.
 */
async function secretKeyFromEnv(env: NodeJS.ProcessEnv, publicKeyFile: string): Promise<{ secret: Buffer; from: string }> {
  const value = env[SIGNING_KEY_ENV];
  if (value === undefined || value.trim() === '') {
    throw new SuppackError(
      `signing is on (a public key file is given) but no secret key: set ${SIGNING_KEY_ENV} to the armored (or base64) secret key or to the path of a file holding it (gpg --export-secret-keys --armor KEYID), or ${SIGNING_KEY_ID_ENV} to a key in the gpg keyring`,
      { file: publicKeyFile },
    );
  }
  const inline = `$${SIGNING_KEY_ENV}`;
  if (value.trimStart().startsWith('-----BEGIN PGP')) return { secret: Buffer.from(value, 'utf8'), from: inline };
  const asPath = await readRegularFile(value).then(
    (data) => ({ data }),
    // Only the error code: a Node message may quote the path, that is the value.
    (e: unknown) => ({ error: isNodeError(e) && SAFE_CODES.has(String(e.code)) ? describeNodeError(e) : 'cannot read it' }),
  );
  if ('data' in asPath) return { secret: asPath.data, from: `the file named by $${SIGNING_KEY_ENV}` };
  const decoded = base64Key(value);
  if (decoded !== undefined) return { secret: decoded, from: `${inline} (base64)` };
  throw new SuppackError(
    `${inline} holds neither an ASCII-armored secret key, nor a base64-encoded one, nor the path of a readable file ` +
      `(as a path: ${asPath.error}); its value is not shown`,
  );
}

/**
 * base64 of a binary OpenPGP secret key (first packet: Secret-Key, tag 5, RFC 4880 4.2) or of an
 * armored one; undefined for anything else.
 */
const SAFE_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENOTREG']);

function base64Key(value: string): Buffer | undefined {
  const text = value.replace(/\s+/g, '');
  if (text.length < 16 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const first = bytes[0] ?? 0;
  const oldFormatSecretKey = (first & 0xc0) === 0x80 && ((first >> 2) & 0x0f) === 5;
  const newFormatSecretKey = first === 0xc5;
  if (oldFormatSecretKey || newFormatSecretKey) return bytes;
  if (bytes.subarray(0, 64).toString('latin1').trimStart().startsWith('-----BEGIN PGP')) return bytes;
  return undefined;
}

/** The passphrase and where it came from (a variable's or an option's name: never the value). */
async function passphraseOf(source: SigningSource, env: NodeJS.ProcessEnv): Promise<{ value: Buffer; from: string } | undefined> {
  if (source.passphraseFile !== undefined) {
    return { value: passphraseLine(await readInputFile(source.passphraseFile, 'passphrase file')), from: `passphrase file ${source.passphraseFile}` };
  }
  const file = env[SIGNING_PASSPHRASE_FILE_ENV];
  if (file) {
    return {
      value: passphraseLine(await readInputFile(file, `passphrase file named by ${SIGNING_PASSPHRASE_FILE_ENV}`)),
      from: `the file named by $${SIGNING_PASSPHRASE_FILE_ENV}`,
    };
  }
  // Node hands variables over as UTF-8 text: a passphrase in other bytes needs a passphrase file.
  const value = env[SIGNING_PASSPHRASE_ENV];
  return value !== undefined ? { value: Buffer.from(value, 'utf8'), from: `$${SIGNING_PASSPHRASE_ENV}` } : undefined;
}

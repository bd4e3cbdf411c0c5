/**
 * Where the signing key of an update pack comes from, and the check that it is the key the pack
 * publishes. Secrets come from files or environment variables only: never from target options,
 * never printed, never written to an output or hashed into a cache key. The public key file is
 * the cache input instead: the build refuses a secret key that does not belong to it, so a cached
 * ISO is always signed by the key its inputs name.
 */
import { promises as fsp } from 'node:fs';
import { basename } from 'node:path';
import { SuppackError, describeNodeError, isNodeError } from '../errors';
import { readPublicKeyFingerprints, readSigningKey, type SigningKey } from '../openpgp';
import { exportGpgSecretKey } from './gpg-export';

/** The armored secret key itself, or the path of a file holding it (armored or binary). */
export const SIGNING_KEY_ENV = 'SUPPACK_SIGNING_KEY';
export const SIGNING_PASSPHRASE_ENV = 'SUPPACK_SIGNING_PASSPHRASE';
export const SIGNING_PASSPHRASE_FILE_ENV = 'SUPPACK_SIGNING_PASSPHRASE_FILE';

export interface SigningSource {
  /** Secret key file (the CLI's --key naming a file); else keyUid; else SUPPACK_SIGNING_KEY. */
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

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await fsp.readFile(path);
  } catch (e) {
    throw new SuppackError(`cannot read the ${what}: ${isNodeError(e) ? describeNodeError(e) : String(e)}`, { file: path });
  }
}

/** The passphrase without its final line break (as `gpg --passphrase-file` reads it). */
function firstLine(b: Buffer): string {
  return b.toString('utf8').replace(/\r?\n$/, '');
}

/** Load and unlock the signing key, and check it against the public key file of the pack. */
export async function loadUpdateSigning(publicKeyFile: string, source: SigningSource = {}): Promise<UpdateSigning> {
  const env = source.env ?? process.env;
  const publicKey = await readInput(publicKeyFile, 'public key file');
  let passphrase: string | undefined;
  if (!source.noPassphrase) {
    if (source.passphraseFile !== undefined) passphrase = firstLine(await readInput(source.passphraseFile, 'passphrase file'));
    else if (env[SIGNING_PASSPHRASE_FILE_ENV]) {
      passphrase = firstLine(await readInput(env[SIGNING_PASSPHRASE_FILE_ENV] as string, `passphrase file named by ${SIGNING_PASSPHRASE_FILE_ENV}`));
    } else if (env[SIGNING_PASSPHRASE_ENV] !== undefined) passphrase = env[SIGNING_PASSPHRASE_ENV];
  }
  let secret: Buffer;
  let from: string;
  if (source.keyFile !== undefined) {
    secret = await readInput(source.keyFile, 'secret key file');
    from = source.keyFile;
  } else if (source.keyUid !== undefined) {
    secret = await exportGpgSecretKey(source.keyUid, { env, ...(passphrase !== undefined ? { passphrase } : {}) });
    from = `gpg --export-secret-keys ${JSON.stringify(source.keyUid)}`;
  } else {
    const value = env[SIGNING_KEY_ENV];
    if (value === undefined || value.trim() === '') {
      throw new SuppackError(
        `signing is on (a public key file is given) but no secret key: set ${SIGNING_KEY_ENV} to the armored secret key or to the path of a file holding it (gpg --export-secret-keys --armor KEYID)`,
        { file: publicKeyFile },
      );
    }
    if (value.trimStart().startsWith('-----BEGIN PGP')) {
      secret = Buffer.from(value, 'utf8');
      from = `$${SIGNING_KEY_ENV}`;
    } else {
      secret = await readInput(value, `secret key file named by ${SIGNING_KEY_ENV}`);
      from = value;
    }
  }
  const key = readSigningKey(secret, { source: from, ...(passphrase !== undefined ? { passphrase } : {}) });
  const published = new Set(readPublicKeyFingerprints(publicKey, publicKeyFile));
  if (!published.has(key.fingerprint) && !published.has(key.primaryFingerprint)) {
    throw new SuppackError(
      `does not hold the signing key ${key.primaryFingerprint} of ${from}: publish the public key of the key you sign with (gpg --export --armor ${key.keyId})`,
      { file: publicKeyFile },
    );
  }
  return { key, publicKey: { name: basename(publicKeyFile), data: publicKey } };
}

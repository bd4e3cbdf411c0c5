/**
 * build-update's `-k/--key UID` (docs/formats/xenserver.md §2.1): a user id (or key id, fingerprint) of a key in
 * the gpg keyring. suppack signs natively, so it asks gpg for that secret key once:
 * `gpg --batch --armor --export-secret-keys -- UID` (GnuPG 2.1+; the passphrase, when there is
 * one, goes to gpg on a pipe with --pinentry-mode loopback, never on its command line). The
 * exported bytes stay in memory: never printed, written or put in a message.
 */
import { spawn } from 'node:child_process';
import { boundIfFound } from '../../base/bound-child';
import { SuppackError } from '../../base/errors';

export interface GpgExportOptions {
  /** The key's passphrase; gpg 2.1+ needs it to export a protected secret key. */
  passphrase?: Buffer;
  env?: NodeJS.ProcessEnv;
  /** The gpg binary (default `gpg` on PATH). */
  gpg?: string;
  /** Where the user id came from, for messages (default the CLI's flag, -k/--key). */
  field?: string;
}

/** The flag the user gave, for messages. */
const FLAG = '-k/--key';

export async function exportGpgSecretKey(uid: string, o: GpgExportOptions = {}): Promise<Buffer> {
  const field = o.field ?? FLAG;
  if (uid.trim() === '' || /[\0\r\n]/.test(uid)) {
    throw new SuppackError(`expected a gpg user id, key id or fingerprint, or a secret key file, got ${JSON.stringify(uid)}`, { field });
  }
  const args = ['--batch', '--no-tty', '--armor', '--pinentry-mode', 'loopback'];
  if (o.passphrase !== undefined) args.push('--passphrase-fd', '0');
  args.push('--export-secret-keys', '--', uid);
  const { code, stdout, stderr, missing } = await new Promise<{ code: number | null; stdout: Buffer; stderr: string; missing: boolean }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env), LC_ALL: 'C' };
    // it dies with this process, even by SIGKILL (core/base/bound-child.ts)
    const bound = boundIfFound(o.gpg ?? 'gpg', args, env.PATH);
    const child = spawn(bound.file, bound.args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: null, stdout: Buffer.alloc(0), stderr: '', missing: e.code === 'ENOENT' }));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), missing: false }));
    child.stdin.on('error', () => {});
    child.stdin.end(o.passphrase !== undefined ? Buffer.concat([o.passphrase, Buffer.from('\n')]) : '');
  });
  if (missing) {
    throw new SuppackError(
      `${JSON.stringify(uid)} is not a file, and gpg is not installed to look it up as a key's user id: install GnuPG 2.1+, or pass the secret key file (gpg --export-secret-keys --armor ${JSON.stringify(uid)} > key.asc)`,
      { field },
    );
  }
  if (code !== 0 || !stdout.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----')) {
    // gpg's own last line says why (no such key, bad passphrase); it never holds key material.
    const why = stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .at(-1);
    const hint = /passphrase|batchmode|can't get input|pinentry/i.test(stderr)
      ? o.passphrase === undefined
        ? ': the key is protected, give its passphrase (--passphrase-file or the environment)'
        : ': wrong passphrase?'
      : ` (keyring: ${o.env?.GNUPGHOME ?? process.env.GNUPGHOME ?? '~/.gnupg'})`;
    throw new SuppackError(`gpg exported no secret key for ${JSON.stringify(uid)}${why ? ` (${why})` : ''}${hint}`, { field });
  }
  return stdout;
}

/**
 * An answerfile as it may be shown (suppack inspect): the root password and the password of a
 * URL's user information hidden, every other byte as given. Outputs and logs never carry a
 * secret's bytes (docs/security.md), and an answerfile's root password is one.
 */

/** Shown instead of a hidden value. */
export const HIDDEN = '(hidden)';

export function redactAnswerfile(text: string): string {
  return (
    text
      // <root-password ...>secret</root-password>: the text, whatever its type (plaintext or hash).
      .replace(/(<root-password\b[^>]*>)([\s\S]*?)(<\/root-password\s*>)/g, (_, open: string, value: string, close: string) =>
        value === '' ? `${open}${close}` : `${open}${HIDDEN}${close}`,
      )
      // scheme://user:password@host in a <source>, <driver-source>, <script> or <post-install-script>.
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@<>"']*:)([^\s/@<>"']*)(@)/gi, (_, before: string, _pw: string, at: string) => `${before}${HIDDEN}${at}`)
  );
}

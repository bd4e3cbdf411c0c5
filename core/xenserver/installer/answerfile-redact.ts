/**
 * An answerfile as it may be shown (suppack inspect): the root password and the password of a
 * URL's user information hidden, every other byte as given. Outputs and logs never carry a
 * secret's bytes (docs/security.md), and an answerfile's root password is one.
 */

/** Shown instead of a hidden value. */
export const HIDDEN = '(hidden)';

export function redactAnswerfile(text: string): string {
  return redactUrlPasswords(redactRootPasswords(text));
}

// Both are found by scanning, in time linear in the text: the regular expressions they replace,
// /(<root-password\b[^>]*>)([\s\S]*?)(<\/root-password\s*>)/g and
// /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@<>"']*:)([^\s/@<>"']*)(@)/gi, retried from every start (an
// answerfile of 300 KB took seconds), and an answerfile shown by inspect is an installer's, anyone's.

const OPEN = '<root-password';
const CLOSE = '</root-password';

/** <root-password ...>secret</root-password>: the text, whatever its type (plaintext or hash). */
function redactRootPasswords(text: string): string {
  let out = '';
  let pos = 0;
  for (let open = text.indexOf(OPEN); open >= 0; open = text.indexOf(OPEN, open + 1)) {
    if (open < pos) continue;
    const after = open + OPEN.length;
    if (/\w/.test(text[after] ?? '')) continue; // <root-password-x>: another element
    const gt = text.indexOf('>', after);
    if (gt < 0) break;
    const close = closingTag(text, gt + 1);
    if (close === undefined) break;
    out += text.slice(pos, gt + 1) + (close.start === gt + 1 ? '' : HIDDEN) + text.slice(close.start, close.end);
    pos = close.end;
  }
  return out + text.slice(pos);
}

/** The first `</root-password` + blanks + `>` at or after `from`. */
function closingTag(text: string, from: number): { start: number; end: number } | undefined {
  for (let at = text.indexOf(CLOSE, from); at >= 0; at = text.indexOf(CLOSE, at + 1)) {
    let end = at + CLOSE.length;
    while (end < text.length && /\s/.test(text[end]!)) end++;
    if (text[end] === '>') return { start: at, end: end + 1 };
  }
  return undefined;
}

const SCHEME_CHAR = /[a-z0-9+.-]/i;
const USER_CHAR = /[^\s/:@<>"']/;
const PASSWORD_CHAR = /[^\s/@<>"']/;

/** scheme://user:password@host in a <source>, <driver-source>, <script> or <post-install-script>. */
function redactUrlPasswords(text: string): string {
  let out = '';
  let pos = 0;
  for (let sep = text.indexOf('://'); sep >= 0; sep = text.indexOf('://', sep + 1)) {
    if (sep <= pos) continue;
    // the scheme: a letter at a word start, then letters, digits, + . -, up to the ://
    let run = sep;
    while (run > pos && SCHEME_CHAR.test(text[run - 1]!)) run--;
    let start = -1;
    for (let s = run; s < sep && start < 0; s++) {
      if (/[a-z]/i.test(text[s]!) && (s === 0 || !/\w/.test(text[s - 1]!))) start = s;
    }
    if (start < 0) continue;
    let colon = sep + 3;
    while (colon < text.length && USER_CHAR.test(text[colon]!)) colon++;
    if (text[colon] !== ':') continue;
    let at = colon + 1;
    while (at < text.length && PASSWORD_CHAR.test(text[at]!)) at++;
    if (text[at] !== '@') continue;
    out += `${text.slice(pos, colon + 1)}${HIDDEN}@`;
    pos = at + 1;
  }
  return out + text.slice(pos);
}

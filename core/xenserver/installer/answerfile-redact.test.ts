import { describe, expect, it } from 'vitest';
import { HIDDEN, redactAnswerfile } from './answerfile-redact';
import { random } from '../../../testing/random';

describe('redactAnswerfile', () => {
  it('hides the root password, plaintext or hash, and a URL password; keeps every other byte', () => {
    const xml = [
      '<?xml version="1.0"?>',
      '<installation>',
      '  <root-password type="plaintext">s3cr$t &amp; more</root-password>',
      '  <ROOT-PASSWORD>not the element</ROOT-PASSWORD>',
      '  <source type="url">http://builder:hunter2@repo.example/xs/</source>',
      '  <script stage="filesystem-populated" type="url">ftp://anon@ftp.example/x.sh</script>',
      '</installation>',
      '',
    ].join('\n');
    const out = redactAnswerfile(xml);
    expect(out).not.toContain('s3cr$t');
    expect(out).not.toContain('hunter2');
    expect(out).toBe(
      xml
        .replace('s3cr$t &amp; more', HIDDEN)
        .replace('builder:hunter2@', `builder:${HIDDEN}@`),
    );
    expect(redactAnswerfile('<root-password type="hash">$6$abc$def</root-password>')).toBe(`<root-password type="hash">${HIDDEN}</root-password>`);
    expect(redactAnswerfile('<root-password/>')).toBe('<root-password/>');
  });
});

// The scans give what the two regular expressions they replace gave, in time linear in the text.
describe('redactAnswerfile against the regular expressions it replaces', () => {
  const regexes = (text: string) =>
    text
      .replace(/(<root-password\b[^>]*>)([\s\S]*?)(<\/root-password\s*>)/g, (_, open: string, value: string, close: string) =>
        value === '' ? `${open}${close}` : `${open}${HIDDEN}${close}`,
      )
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@<>"']*:)([^\s/@<>"']*)(@)/gi, (_, before: string, _pw: string, at: string) => `${before}${HIDDEN}${at}`);
  const pieces = ['<root-password', '<root-password-x', '<root-password ', '>', '</root-password', '</root-password >', ' ', '\n', 'pw', 'http', 'Ftp', 'a+b', '://', ':', '@', '/', '_', '1', '"', '-'];
  it('the same output for 50,000 random texts', () => {
    const rand = random(7);
    for (let i = 0; i < 50_000; i++) {
      const text = Array.from({ length: rand.int(12) }, () => rand.pick(pieces)).join('');
      expect(redactAnswerfile(text), JSON.stringify(text)).toBe(regexes(text));
    }
  });
  it('hostile texts a megabyte long', () => {
    expect(redactAnswerfile(`s${'<root-password/a'.repeat(60_000)}`).length).toBe(1 + 16 * 60_000);
    expect(redactAnswerfile(`0${'+A'.repeat(500_000)}@A://:@`)).toBe(`0${'+A'.repeat(500_000)}@A://:${HIDDEN}@`);
  });
});

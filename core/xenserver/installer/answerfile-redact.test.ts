import { describe, expect, it } from 'vitest';
import { HIDDEN, redactAnswerfile } from './answerfile-redact';

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

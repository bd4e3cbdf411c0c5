import { describe, expect, it } from 'vitest';
import { appliedStamp, parseUpdateXml, rolledUpStamp, updateXml, type UpdateXml } from './update-xml';

const sample: UpdateXml = {
  uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50',
  label: 'mydrv',
  version: '1.0.0',
  description: 'My driver',
  installationSize: 12345,
  afterApply: ['restartHost'],
  key: 'RPM-GPG-KEY-foo',
  control: 'control-mydrv',
  rollups: [],
};

describe('updateXml', () => {
  it('writes the bytes of docs/formats/xenserver.md §2.3 (Python 2.7 writexml, indent two spaces, no declaration)', () => {
    expect(updateXml(sample)).toBe(
      '  <update after-apply-guidance="restartHost" control="control-mydrv" installation-size="12345" key="RPM-GPG-KEY-foo" name-label="mydrv" uuid="6854ab19-f807-4444-b94f-3ce7d64efe50" version="1.0.0">\n' +
        '  <name-description>My driver</name-description>\n' +
        '  </update>\n',
    );
  });

  it('leaves out the optional attributes and writes rollsup children', () => {
    const xml = updateXml({
      ...sample,
      afterApply: [],
      key: undefined,
      control: undefined,
      rollups: ['11111111-2222-3333-4444-555555555555', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'],
    });
    // build-update --rollups: <rollsup> carries this update's label (docs/formats/xenserver.md §2.3).
    expect(xml).toBe(
      '  <update installation-size="12345" name-label="mydrv" uuid="6854ab19-f807-4444-b94f-3ce7d64efe50" version="1.0.0">\n' +
        '  <name-description>My driver</name-description>\n' +
        '  <rollsup name-label="mydrv" uuid="11111111-2222-3333-4444-555555555555"/>\n' +
        '  <rollsup name-label="mydrv" uuid="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"/>\n' +
        '  </update>\n',
    );
    expect(parseUpdateXml(xml, 'update.xml').rollups).toEqual(['11111111-2222-3333-4444-555555555555', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee']);
  });

  it('writes enforce-homogeneity="true" in its sorted place when set, and reads it back', () => {
    const xml = updateXml({ ...sample, enforceHomogeneity: true });
    expect(xml.split('\n')[0]).toBe(
      '  <update after-apply-guidance="restartHost" control="control-mydrv" enforce-homogeneity="true" installation-size="12345" key="RPM-GPG-KEY-foo" name-label="mydrv" uuid="6854ab19-f807-4444-b94f-3ce7d64efe50" version="1.0.0">',
    );
    expect(parseUpdateXml(xml, 'update.xml').enforceHomogeneity).toBe(true);
    expect(() => parseUpdateXml(xml.replace('"true"', '"yes"'), 'update.xml')).toThrow(/enforce-homogeneity: expected true or false, got "yes"/);
  });
});

describe('applied stamps (docs/formats/xenserver.md §2.3)', () => {
  it("the update's own: update.xml without key= (CA-251625)", () => {
    expect(appliedStamp(sample)).toBe(updateXml({ ...sample, key: undefined }));
    expect(appliedStamp(sample)).not.toContain('key=');
  });

  it("a rolled-up update's: a whole <update> as toprettyxml wrote it, then the here-document's empty line", () => {
    const s = rolledUpStamp({
      uuid: '11111111-2222-3333-4444-555555555555',
      by: { uuid: sample.uuid, label: 'mydrv', version: '1.0.0', description: 'A & "B"' },
      enforceHomogeneity: true,
    });
    expect(s).toBe(
      '<update enforce-homogeneity="true" installation-size="0" name-label="mydrv" uuid="11111111-2222-3333-4444-555555555555" version="1.0.0">\n' +
        '  <name-description>A &amp; &quot;B&quot;</name-description>\n' +
        '  <rolled-up-by name-label="mydrv" uuid="6854ab19-f807-4444-b94f-3ce7d64efe50"/>\n' +
        '</update>\n\n',
    );
  });

  it('escapes like minidom (& < " > in text and attributes) and round-trips', () => {
    const u = { ...sample, description: 'A & B <"x">', afterApply: ['restartXAPI', 'restartHost'] as const };
    const xml = updateXml(u);
    expect(xml).toContain('<name-description>A &amp; B &lt;&quot;x&quot;&gt;</name-description>');
    expect(xml).toContain('after-apply-guidance="restartXAPI,restartHost"');
    expect(parseUpdateXml(xml, 'update.xml')).toEqual({ ...u, afterApply: ['restartXAPI', 'restartHost'] });
  });
});

describe('parseUpdateXml', () => {
  it.each([
    ['<repository/>', /update\.xml: <repository>: expected the root element <update>/],
    ['<update name-label="a" version="1"><name-description>x</name-description></update>', /required attribute uuid is missing/],
    ['<update uuid="u" name-label="a" version="1"/>', /expected a <name-description> child/],
    [
      '<update uuid="u" name-label="a" version="1" after-apply-guidance="reboot"><name-description>x</name-description></update>',
      /after-apply-guidance: expected a comma list of restartXAPI, restartHost, restartPV, restartHVM, got "reboot"/,
    ],
    [
      '<update uuid="u" name-label="a" version="1" installation-size="big"><name-description>x</name-description></update>',
      /installation-size: expected a whole number/,
    ],
    ['<update', /not well-formed XML/],
  ])('rejects %s', (xml, message) => {
    expect(() => parseUpdateXml(xml, 'update.xml')).toThrow(message);
  });

  it('reduces key to its basename, as xapi does', () => {
    const xml = '<update uuid="u" name-label="a" version="1" key="/etc/pki/K"><name-description>x</name-description></update>';
    expect(parseUpdateXml(xml, 'f').key).toBe('K');
  });
});

describe('descriptions xapi could not read back (schema)', () => {
  it('refuses control characters and blank descriptions, naming the field', async () => {
    const { updatePackSchema } = await import('../../../schemas/update-pack');
    const base = { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'l', version: '1' };
    const bell = updatePackSchema.safeParse({ ...base, description: 'ding\u0007' });
    expect(bell.error?.issues[0]).toMatchObject({ path: ['description'], message: expect.stringMatching(/control characters other than tab and newline/) });
    expect(updatePackSchema.safeParse({ ...base, description: ' \n\t' }).error?.issues[0]?.message).toMatch(/only blanks/);
    expect(updatePackSchema.safeParse({ ...base, description: 'tab\there\nnew line, Grüße $x `y`' }).success).toBe(true);
  });

  it('refuses what xapi would read back as another text: a carriage return (a newline), a lone surrogate (U+FFFD)', async () => {
    const { updatePackSchema } = await import('../../../schemas/update-pack');
    const base = { uuid: '6854ab19-f807-4444-b94f-3ce7d64efe50', label: 'l', version: '1' };
    // what the XML reader does with them: a CR is a newline, a lone surrogate goes to UTF-8 as U+FFFD
    const written = updateXml({ uuid: base.uuid, label: 'l', version: '1', description: 'a\r\nb\rc', installationSize: 0, afterApply: [], rollups: [] });
    expect(parseUpdateXml(written, 'f').description).toBe('a\nb\nc');
    expect(Buffer.from('\ud83d', 'utf8').toString('utf8')).toBe('\ufffd');
    expect(updatePackSchema.safeParse({ ...base, description: 'line\r\nnext' }).error?.issues[0]?.message).toMatch(/carriage return: xapi reads it back as a newline/);
    expect(updatePackSchema.safeParse({ ...base, description: 'emoji half \ud83d' }).error?.issues[0]?.message).toMatch(/lone UTF-16 surrogate/);
    expect(updatePackSchema.safeParse({ ...base, description: 'a whole emoji \ud83d\ude00' }).success).toBe(true);
  });
});

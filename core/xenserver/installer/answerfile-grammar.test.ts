/**
 * The answerfile grammar against the installers' own verdicts. Each case below was run once
 * through host-installer's parser (XenServer's answerfile.py at 8ac9836 and XCP-ng's fork at
 * 46df38e, on Python 3 with the hardware stubbed: every disk and interface exists); `installer`
 * is that verdict: accepted when one of the two accepts it. suppack accepts what an installer
 * accepts (warning where it reads otherwise than it looks, or only one installer takes it) and
 * refuses what both refuse. docs/answerfile.md lists the grammar.
 */
import { describe, expect, test } from 'vitest';
import { SuppackError } from '../../base/errors';
import { parseAnswerfile } from './answerfile';

const body = (o: { root?: string; disk?: string; iface?: string; ifaceChildren?: string; extra?: string } = {}): string =>
  `<installation${o.root ?? ''}><primary-disk${o.disk ?? ''}>sda</primary-disk>` +
  `<admin-interface${o.iface ?? ' name="eth0" proto="dhcp"'}>${o.ifaceChildren ?? ''}</admin-interface>` +
  `<source type="local"/>${o.extra ?? ''}</installation>`;

function accepted(xml: string | Buffer): string[] {
  return parseAnswerfile(xml, 'answers.xml').model.warnings;
}

function refused(xml: string | Buffer): string {
  try {
    parseAnswerfile(xml, 'answers.xml');
  } catch (e) {
    expect(e).toBeInstanceOf(SuppackError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    expect(m.startsWith('answers.xml: ')).toBe(true);
    return m;
  }
  throw new Error('expected the answerfile to be refused');
}

describe('issue 13: what the installer accepts and suppack refused', () => {
  test('encoding="ISO-8859-1" with a non-ASCII password: accepted, bytes kept as given', () => {
    const bytes = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n${body({ extra: '<root-password>Pa\u00dfw\u00f6rt</root-password>' })}`, 'latin1');
    expect(bytes.includes(Buffer.from([0xdf]))).toBe(true);
    const a = parseAnswerfile(bytes, 'answers.xml');
    expect(a.bytes.equals(bytes)).toBe(true);
    expect(a.model.rootPassword).toEqual({ type: 'plaintext', value: 'Pa\u00dfw\u00f6rt' });
    expect(a.model.warnings).toEqual([]);
  });

  test('<ssh-mode>yes</ssh-mode>: accepted, warned as ignored (the installer lower-cases it and ignores what is not on/off/auto)', () => {
    expect(accepted(body({ extra: '<ssh-mode>yes</ssh-mode>' }))).toEqual(['installation/ssh-mode: "yes" is not on, off or auto: the installer ignores it']);
    expect(parseAnswerfile(body({ extra: '<ssh-mode>ON</ssh-mode>' }), 'a').model.sshMode).toBe('on');
  });

  test('gueststorage="1": accepted, warned that it reads as false (getBoolAttribute)', () => {
    const a = parseAnswerfile(body({ disk: ' gueststorage="1"' }), 'answers.xml');
    expect(a.model.primaryDisk?.guestStorage).toBe(false);
    expect(a.model.warnings).toEqual([
      'installation/primary-disk@gueststorage: "1" reads as false (the installer takes yes or true, any case, as true and anything else as false)',
    ]);
    expect(parseAnswerfile(body({ disk: ' guest-storage="TRUE"' }), 'a').model.primaryDisk?.guestStorage).toBe(true);
  });

  test('an empty <name-server/>: accepted, warned', () => {
    expect(accepted(body({ extra: '<name-server/>' }))).toEqual(['installation/name-server: empty, expected a DNS server address: the installer writes an empty nameserver']);
  });

  test('stage="post-install" on a script: accepted (any stage), warned that it never runs; stage and type are lower-cased', () => {
    expect(accepted(body({ extra: '<script stage="post-install" type="url">http://192.0.2.1/post.sh</script>' }))).toEqual([
      'installation/script@stage: "post-install" is not a stage the installer runs (installation-start, packages-installed, filesystem-populated, installation-complete): this script never runs',
    ]);
    const m = parseAnswerfile(body({ extra: '<script stage="Installation-Start" type="NFS">srv:/x</script>' }), 'a').model;
    expect(m.scripts).toEqual([{ stage: 'installation-start', type: 'nfs', url: 'srv:/x' }]);
    expect(m.warnings).toEqual([]);
  });

  test('protov6="DHCP": accepted with IPv4, warned that no IPv6 is configured; proto="DHCP" alone is refused (no IPv4 nor IPv6)', () => {
    const a = parseAnswerfile(body({ iface: ' name="eth0" proto="dhcp" protov6="DHCP"' }), 'answers.xml');
    expect(a.model.adminInterface).toMatchObject({ proto: 'dhcp', protov6: 'none' });
    expect(a.model.warnings).toEqual(['installation/admin-interface@protov6: "DHCP" is not static, dhcp or autoconf (case included): the installer configures no IPv6']);
    expect(refused(body({ iface: ' name="eth0" proto="DHCP"' }))).toBe(
      'answers.xml: invalid answerfile: installation/admin-interface@proto: expected IPv4 (proto static or dhcp) or IPv6 (protov6 static, dhcp or autoconf), got proto="DHCP" and no protov6',
    );
    expect(accepted(body({ iface: ' name="eth0" proto="DHCP" protov6="autoconf"' }))).toEqual([
      'installation/admin-interface@proto: "DHCP" is not static or dhcp (case included): the installer configures no IPv4',
    ]);
  });

  test("XCP-ng's <raid>: read, no warning; without device= warned (XCP-ng refuses it, XenServer ignores <raid>)", () => {
    const a = parseAnswerfile(body({ extra: '<raid device="md127"><disk>sda</disk><disk>sdb</disk></raid>' }).replace('>sda</primary-disk>', '>md127</primary-disk>'), 'a');
    expect(a.model.raids).toEqual([{ device: 'md127', disks: ['sda', 'sdb'] }]);
    expect(a.model.warnings).toEqual([]);
    expect(accepted(body({ extra: '<raid><disk>sda</disk></raid>' }))).toEqual([
      'installation/raid@device: XCP-ng\'s installer refuses a <raid> without device= (e.g. device="md127"); XenServer\'s ignores <raid>',
    ]);
  });

  test('what only the hardware decides is warned: name="*", disk names', () => {
    expect(accepted(body({ iface: ' name="*" proto="dhcp"' }))).toEqual([
      'installation/admin-interface@name: "*" names no interface (expected e.g. eth0): XenServer\'s installer refuses a name the host does not have',
    ]);
    expect(accepted(body().replace('>sda<', '>*<'))).toEqual([
      'installation/primary-disk: "*" names no disk, expected the primary disk (a device such as sda or /dev/disk/by-id/...): the installer refuses it unless the host has it',
    ]);
    expect(accepted(body({ extra: '<guest-disk></guest-disk>' }))).toEqual([
      'installation/guest-disk: "" names no disk, expected a guest disk (a device such as sda or /dev/disk/by-id/...): the installer refuses it unless the host has it',
    ]);
    expect(accepted(body({ iface: ' hwaddr="AA:BB:CC:DD:EE:FF" proto="dhcp"' }))).toEqual([]);
  });
});

describe('attribute by attribute, as the installers read them', () => {
  const cases: Array<[string, string, 'accepted' | 'refused', string?]> = [
    // [what, answerfile, host-installer verdict, suppack's warning or error]
    ['write-boot-entry="1" (boolean)', body({ extra: '<bootloader write-boot-entry="1"/>' }), 'accepted', 'installation/bootloader@write-boot-entry: "1" reads as false'],
    ['XCP-ng\'s gpgcheck="1" on a source (reads as false: no GPG check)', body({ extra: '<source type="url" gpgcheck="1">http://x/</source>' }), 'accepted', 'installation/source[2]@gpgcheck: "1" reads as false'],
    ['fs-type="xfs" (XCP-ng does not read it)', body({ disk: ' fs-type="xfs"' }), 'accepted', 'XenServer\'s installer refuses "xfs"'],
    ['swraid with one device (XCP-ng reads no swraid)', body({ disk: ' swraid="yes"' }), 'accepted', 'XenServer\'s installer refuses it'],
    ['<fcoe-interface/> without name (XenServer ignores it)', body({ extra: '<fcoe-interface/>' }), 'accepted', "XCP-ng's installer refuses an <fcoe-interface>"],
    ['manual NTP without a server', body({ extra: '<ntp source="manual"/>' }), 'accepted', 'the host has no NTP server'],
    ['an empty <source type="url"/>', body({ extra: '<source type="url"/>' }), 'accepted', 'installation/source[2]: empty, expected a URL'],
    ['two <post-install-script> (both ignored)', body({ extra: '<post-install-script>http://a</post-install-script><post-install-script>http://b</post-install-script>' }), 'accepted', 'only when there is exactly one'],
    ['static IPv4 with an empty <gateway/>', body({ iface: ' name="eth0" proto="static"', ifaceChildren: '<ip>10.0.0.2</ip><subnet>255.0.0.0</subnet><gateway/>' }), 'accepted'],
    ['static IPv6 with an empty <gatewayv6/>', body({ iface: ' name="eth0" proto="none" protov6="static"', ifaceChildren: '<ipv6>fd00::2/64</ipv6><gatewayv6/>' }), 'accepted'],
    ['an internal DTD entity', `<!DOCTYPE installation [<!ENTITY d "sda">]>${body().replace('>sda<', '>&d;<')}`, 'accepted'],
    ['mode="Fresh" (case)', body({ root: ' mode="Fresh"' }), 'refused', 'installation@mode: expected one of fresh, reinstall, upgrade, got "Fresh" (the installer compares it case included)'],
    ['srtype="LVM" (case)', body({ root: ' srtype="LVM"' }), 'refused', 'installation@srtype: expected one of lvm, ext (the installer compares it case included), got "LVM"'],
    ['preserve-first-partition="YES" (case)', body({ disk: ' preserve-first-partition="YES"' }), 'refused', 'expected one of true, yes, false, no, if-utility, got "YES"'],
    ['<ntp source="DHCP"/> (case)', body({ extra: '<ntp source="DHCP"/>' }), 'refused', 'installation/ntp@source: expected one of dhcp, default, manual, none, got "DHCP"'],
    ['<source type="URL"> (case)', body({ extra: '<source type="URL">http://x/</source>' }), 'refused', 'installation/source[2]@type: expected one of local, url, nfs, got "URL"'],
    ['<bootloader location="MBR"/> (case)', body({ extra: '<bootloader location="MBR"/>' }), 'refused', 'installation/bootloader@location: expected one of mbr, partition, got "MBR"'],
    ['<bootloader>GRUB2</bootloader> (case)', body({ extra: '<bootloader>GRUB2</bootloader>' }), 'refused', 'unsupported bootloader "GRUB2", expected grub2 or nothing'],
    ['<root-password type="HASH"> (case)', body({ extra: '<root-password type="HASH">x</root-password>' }), 'refused', 'installation/root-password@type: expected one of plaintext, hash, got "HASH"'],
    ['state="Enabled" (case)', body({ extra: '<service name="a" state="Enabled"/>' }), 'refused', 'installation/service@state: expected one of enabled, disabled, got "Enabled"'],
    ['a script without stage', body({ extra: '<script type="url">http://x/</script>' }), 'refused', 'installation/script@stage: required attribute is missing'],
    ['static IPv4 with an empty <ip/>', body({ iface: ' name="eth0" proto="static"', ifaceChildren: '<ip/><subnet>255.0.0.0</subnet><gateway/>' }), 'refused', 'installation/admin-interface/ip: expected an IPv4 address as the element text'],
    ['static IPv4 without <gateway>', body({ iface: ' name="eth0" proto="static"', ifaceChildren: '<ip>10.0.0.2</ip><subnet>255.0.0.0</subnet>' }), 'refused', 'installation/admin-interface/gateway: required element is missing'],
    ['vlan="0"', body({ iface: ' name="eth0" proto="dhcp" vlan="0"' }), 'refused', 'installation/admin-interface@vlan: expected a VLAN id from 1 to 4094, got "0"'],
  ];
  for (const [what, xml, verdict, says] of cases) {
    test(`${what}: ${verdict}`, () => {
      if (verdict === 'accepted') {
        const w = accepted(xml).join('\n');
        if (says === undefined) expect(w).toBe('');
        else expect(w).toContain(says);
      } else {
        expect(refused(xml)).toContain(says);
      }
    });
  }
});

describe('XML encodings the installer parser (pyexpat) takes', () => {
  const withDecl = (enc: string, extra: string): string => `<?xml version="1.0" encoding="${enc}"?>\n${body({ extra })}`;

  test('windows-1252, KOI8-R, UTF-16 with a BOM, and "utf8" (a Python alias) on ASCII: accepted, text decoded', () => {
    const cp1252 = Buffer.concat([Buffer.from(withDecl('windows-1252', '<root-password>X</root-password>').split('X')[0], 'latin1'), Buffer.from([0x80]), Buffer.from('uro</root-password></installation>')]);
    expect(parseAnswerfile(cp1252, 'a').model.rootPassword?.value).toBe('\u20acuro');
    const koi8 = Buffer.concat([Buffer.from(withDecl('KOI8-R', '<hostname>X</hostname>').split('X')[0]), Buffer.from([0xc8, 0xcf, 0xd3, 0xd4]), Buffer.from('</hostname></installation>')]);
    expect(parseAnswerfile(koi8, 'a').model.hostname).toBe('\u0445\u043e\u0441\u0442');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withDecl('UTF-16', '<root-password>\u00e4</root-password>'), 'utf16le')]);
    const a = parseAnswerfile(utf16, 'a');
    expect(a.model.rootPassword?.value).toBe('\u00e4');
    expect(a.bytes.equals(utf16)).toBe(true);
    expect(parseAnswerfile(withDecl('utf8', ''), 'a').model.primaryDisk?.disks).toEqual(['sda']);
    // A UTF-8 byte order mark is skipped and the declared encoding still applies (Python: accepted, "\u00e4").
    const bomLatin1 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(withDecl('ISO-8859-1', '<root-password>\u00e4</root-password>'), 'latin1')]);
    expect(parseAnswerfile(bomLatin1, 'a').model.rootPassword?.value).toBe('\u00e4');
  });

  test('refused as the installer refuses them, naming the byte or the encoding', () => {
    const undefinedByte = Buffer.concat([Buffer.from(withDecl('windows-1252', '<root-password>X</root-password>').split('X')[0]), Buffer.from([0x81]), Buffer.from('</root-password></installation>')]);
    expect(refused(undefinedByte)).toMatch(/^answers\.xml: not well-formed XML: byte 0x81 at offset \d+ is not defined in encoding="windows-1252"$/);
    expect(refused(Buffer.from(withDecl('US-ASCII', '<root-password>\u00e4</root-password>'), 'latin1'))).toMatch(/byte 0xe4 at offset \d+ is not defined in encoding="US-ASCII"$/);
    // "utf8" reaches pyexpat's one-byte table, where every byte above 0x7f is undefined.
    expect(refused(withDecl('utf8', '<root-password>\u00e4</root-password>'))).toMatch(/byte 0xc3 at offset \d+ is not defined in encoding="utf8"$/);
    expect(refused(withDecl('Shift_JIS', ''))).toMatch(/^answers\.xml: not well-formed XML: unknown encoding="Shift_JIS" in the XML declaration, expected UTF-8, UTF-16, ISO-8859-1, US-ASCII or another/);
    expect(refused(Buffer.from(body({ extra: '<root-password>\u00e4</root-password>' }), 'latin1'))).toMatch(/byte 0xe4 at offset \d+ is not UTF-8 \(no encoding= in the XML declaration, so UTF-8 is expected\)$/);
    const bomBad = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body({ extra: '<root-password>\u00e4</root-password>' }), 'latin1')]);
    expect(refused(bomBad)).toBe(`answers.xml: not well-formed XML: byte 0xe4 at offset ${bomBad.indexOf(0xe4)} is not UTF-8 (no encoding= in the XML declaration, so UTF-8 is expected)`);
    expect(refused(withDecl('UTF-16', ''))).toBe('answers.xml: not well-formed XML: the XML declaration says encoding="UTF-16" but the text is not UTF-16');
  });
});

import { describe, expect, test } from 'vitest';
import { parseAnswerfileXml } from '../core/xenserver/installer/answerfile';
import { answerfileSchema, checkAnswerfile, type AnswerfileElement } from './answerfile';

/** docs/formats/xenserver.md §6: the example answerfile. */
const EXAMPLE = `<installation mode="fresh" srtype="ext"><primary-disk>sda</primary-disk><keymap>us</keymap>
<root-password type="plaintext">pw</root-password><source type="local"/>
<admin-interface name="eth0" proto="dhcp"/><timezone>Europe/London</timezone></installation>`;

function tree(xml: string): AnswerfileElement {
  return parseAnswerfileXml(Buffer.from(xml), 'test.xml');
}

function problems(xml: string): string[] {
  return checkAnswerfile(tree(xml)).problems.map((p) => `${p.path}: ${p.message}`);
}

function model(xml: string) {
  const r = checkAnswerfile(tree(xml));
  expect(r.problems).toEqual([]);
  if (r.model === undefined) throw new Error('no model');
  return r.model;
}

const fresh = (inner: string, attrs = ''): string =>
  `<installation${attrs}><primary-disk>sda</primary-disk><admin-interface name="eth0" proto="dhcp"/><source type="local"/>${inner}</installation>`;

describe('good answerfiles', () => {
  test('the docs/formats/xenserver.md example', () => {
    const m = model(EXAMPLE);
    expect(m).toMatchObject({
      root: 'installation',
      operation: 'installation',
      mode: 'fresh',
      srType: 'ext',
      primaryDisk: { disks: ['sda'], swraid: false, guestStorage: true, srAtEnd: true, preserveFirstPartition: 'if-utility', fsType: 'ext4' },
      adminInterface: { name: 'eth0', proto: 'dhcp', protov6: 'none' },
      rootPassword: { type: 'plaintext', value: 'pw' },
      keymap: 'us',
      timezone: 'Europe/London',
      sources: [{ type: 'local', address: '' }],
      ntp: { source: 'dhcp', servers: [] },
    });
    expect(m.warnings).toEqual([]);
  });

  test('the zod schema gives the same model', () => {
    const r = answerfileSchema.safeParse(tree(EXAMPLE));
    expect(r.success).toBe(true);
    expect(r.data?.primaryDisk?.disks).toEqual(['sda']);
  });

  test('static IPv4 and IPv6, vlan, manual NTP, several sources, scripts, services', () => {
    const m = model(`<upgrade mode="reinstall" sr-type="lvm">
      <primary-disk guest-storage="No" sr-at-end="TRUE" preserve-first-partition="yes" fs-type="ext3">/dev/nvme0n1</primary-disk>
      <guest-disks><guest-disk>sdb</guest-disk><guest-disk>sdc</guest-disk></guest-disks>
      <admin-interface hwaddr="00:11:22:33:44:55" proto="static" protov6="static" vlan="4094">
        <ipaddr>10.0.0.2</ipaddr><subnet-mask>255.255.255.0</subnet-mask><gateway>10.0.0.1</gateway>
        <ipv6>fd00::2/64</ipv6><gatewayv6>fd00::1</gatewayv6>
      </admin-interface>
      <name-server>10.0.0.53</name-server><nameserver>10.0.0.54</nameserver>
      <hostname>host1</hostname>
      <ntp source="manual"/><ntp-server>0.pool.ntp.org</ntp-server><ntp-servers>1.pool.ntp.org</ntp-servers>
      <service name="sshd" state="disabled"/>
      <source type="local"/><source type="url">http://repo/pack/</source><source type="nfs">server:/packs/</source>
      <driver-source type="url">http://repo/driver/</driver-source>
      <script stage="Filesystem-Populated" type="URL">http://x/post.sh</script>
      <bootloader location="partition" write-boot-entry="false">grub2</bootloader>
    </upgrade>`);
    expect(m.root).toBe('upgrade');
    expect(m.mode).toBe('reinstall');
    expect(m.primaryDisk).toEqual({ disks: ['/dev/nvme0n1'], swraid: false, guestStorage: false, srAtEnd: true, preserveFirstPartition: 'true', fsType: 'ext3' });
    expect(m.guestDisks).toEqual(['sdb', 'sdc']);
    expect(m.adminInterface).toEqual({
      hwaddr: '00:11:22:33:44:55', proto: 'static', protov6: 'static', vlan: 4094,
      ipaddr: '10.0.0.2', subnet: '255.255.255.0', gateway: '10.0.0.1', ipv6: 'fd00::2/64', gatewayv6: 'fd00::1',
    });
    expect(m.nameServers).toEqual(['10.0.0.53', '10.0.0.54']);
    expect(m.ntp).toEqual({ source: 'manual', servers: ['0.pool.ntp.org', '1.pool.ntp.org'] });
    expect(m.services).toEqual({ sshd: 'disabled' });
    expect(m.sources).toEqual([{ type: 'local', address: '' }, { type: 'url', address: 'http://repo/pack/' }, { type: 'nfs', address: 'server:/packs/' }]);
    expect(m.driverSources).toEqual([{ type: 'url', address: 'http://repo/driver/' }]);
    expect(m.scripts).toEqual([{ stage: 'filesystem-populated', type: 'url', url: 'http://x/post.sh' }]);
    expect(m.bootloader).toEqual({ location: 'partition', writeBootEntry: false });
    expect(m.warnings).toEqual([]);
  });

  test('upgrade mode needs existing-installation, not primary-disk', () => {
    const m = model('<installation mode="upgrade"><existing-installation>sda</existing-installation><source type="local"/></installation>');
    expect(m.existingInstallation).toEqual({ disk: 'sda', fsType: 'ext4' });
    expect(m.primaryDisk).toBeUndefined();
  });

  test('restore needs no source; two backup-disks are both ignored', () => {
    expect(model('<restore><backup-disk>sda</backup-disk></restore>')).toMatchObject({ operation: 'restore', backupDisk: 'sda' });
    const two = model('<restore><backup-disk>sda</backup-disk><backup-disk>sdb</backup-disk></restore>');
    expect(two.backupDisk).toBeUndefined();
    expect(two.warnings).toEqual([
      'restore/backup-disk[1]: the installer reads a <backup-disk> only when there is exactly one; these 2 are all ignored',
      'restore/backup-disk[2]: the installer reads a <backup-disk> only when there is exactly one; these 2 are all ignored',
    ]);
  });

  test('<upgrade> without mode is a fresh install (the root name does not set the mode)', () => {
    expect(problems('<upgrade><source type="local"/></upgrade>')).toEqual([
      'upgrade/primary-disk: required element is missing',
      'upgrade/admin-interface: required element is missing',
    ]);
  });

  test('swraid takes two devices; one device is warned (XenServer refuses it, XCP-ng reads no swraid)', () => {
    expect(model(fresh('').replace('<primary-disk>sda', '<primary-disk swraid="yes">sda,sdb')).primaryDisk?.disks).toEqual(['sda', 'sdb']);
    expect(model(fresh('').replace('<primary-disk>sda', '<primary-disk swraid="yes">sda')).warnings).toEqual([
      'installation/primary-disk: swraid="yes" with 1 device(s): XenServer\'s installer refuses it (expected exactly two, "dev1,dev2"); XCP-ng\'s reads no swraid and takes the text as one disk name',
    ]);
  });

  test('proto none with IPv6 autoconf is valid', () => {
    expect(model(fresh('').replace('proto="dhcp"', 'proto="none" protov6="autoconf"')).adminInterface).toMatchObject({ proto: 'none', protov6: 'autoconf' });
  });

  test('unknown elements are accepted with a warning; elements of another mode are flagged as ignored', () => {
    const m = model('<installation mode="upgrade"><existing-installation>sda</existing-installation><source type="local"/><frobnicate/><hostname>x</hostname></installation>');
    expect(m.warnings).toEqual([
      'installation/frobnicate: unknown element, ignored by the installer',
      'installation/hostname: ignored by the installer for mode upgrade',
    ]);
  });

  test('a duplicated single element is a warning naming the one used', () => {
    expect(model(fresh('<keymap>us</keymap><keymap>de</keymap>')).warnings).toEqual([
      'installation/keymap[2]: only the first <keymap> is used (installation/keymap[1]); this one is ignored',
    ]);
  });

  test('an unknown SR type is a warning (large-block types are product specific)', () => {
    expect(model(fresh('', ' sr-type="largeblock"')).warnings).toEqual([
      'installation@sr-type: "largeblock" is neither lvm nor ext (case included): the installer refuses it unless its product names that large-block SR type (/etc/xensource/features/large-block-capable-sr-type in install.img)',
    ]);
  });
});

describe('bad answerfiles: every mistake, with its element path', () => {
  test('missing primary-disk', () => {
    expect(problems('<installation><admin-interface name="eth0" proto="dhcp"/><source type="local"/></installation>')).toEqual([
      'installation/primary-disk: required element is missing',
    ]);
  });

  test('missing proto', () => {
    expect(problems(fresh('').replace(' proto="dhcp"', ''))).toEqual([
      'installation/admin-interface@proto: required attribute is missing, expected one of static, dhcp, none',
    ]);
  });

  test('an empty attribute counts as missing, as in xmlunwrap', () => {
    expect(problems(fresh('').replace('proto="dhcp"', 'proto=""'))).toEqual([
      'installation/admin-interface@proto: required attribute is missing, expected one of static, dhcp, none',
    ]);
  });

  test('bad enum values', () => {
    expect(problems(fresh('', ' mode="fresh-ish"'))).toEqual(['installation@mode: expected one of fresh, reinstall, upgrade, got "fresh-ish"']);
    expect(problems(fresh('<root-password type="md5">x</root-password><service name="sshd" state="on"/>').replace('<source type="local"/>', '<source type="ftp">x</source>'))).toEqual([
      'installation/root-password@type: expected one of plaintext, hash, got "md5"',
      'installation/service@state: expected one of enabled, disabled, got "on"',
      'installation/source@type: expected one of local, url, nfs, got "ftp"',
    ]);
  });

  test('ntp-server with a DHCP source', () => {
    expect(problems(fresh('<ntp source="dhcp"/><ntp-server>pool.ntp.org</ntp-server>'))).toEqual([
      'installation/ntp-server: <ntp-server> is only allowed with <ntp source="manual"/>, the source is dhcp',
    ]);
  });

  test('manual NTP without servers (warned: the installer takes it), and two <ntp>', () => {
    expect(problems(fresh('<ntp source="manual"/>'))).toEqual([]);
    expect(model(fresh('<ntp source="manual"/>')).warnings).toEqual(['installation/ntp: with <ntp source="manual"/> and no <ntp-server>, the host has no NTP server']);
    expect(problems(fresh('<ntp source="none"/><ntp source="none"/>'))).toEqual(['installation/ntp[2]: expected at most one <ntp> element, found 2']);
  });

  test('vlan out of range', () => {
    for (const vlan of ['0', '4095', 'ten', '-1']) {
      expect(problems(fresh('').replace('proto="dhcp"', `proto="dhcp" vlan="${vlan}"`))).toEqual([
        `installation/admin-interface@vlan: expected a VLAN id from 1 to 4094, got ${JSON.stringify(vlan)}`,
      ]);
    }
  });

  test('static interface without its addresses, and no name or hwaddr', () => {
    expect(problems(fresh('').replace('<admin-interface name="eth0" proto="dhcp"/>', '<admin-interface proto="static" protov6="static"><ip>10.0.0.2</ip></admin-interface>'))).toEqual([
      'installation/admin-interface@name: expected a name= or hwaddr= attribute',
      'installation/admin-interface/subnet-mask: required element is missing (or <subnet>)',
      'installation/admin-interface/gateway: required element is missing',
      'installation/admin-interface/ipv6: required element is missing',
      'installation/admin-interface/gatewayv6: required element is missing',
    ]);
  });

  test('proto none without IPv6', () => {
    expect(problems(fresh('').replace('proto="dhcp"', 'proto="none"'))).toEqual([
      'installation/admin-interface@proto: expected IPv4 (proto static or dhcp) or IPv6 (protov6 static, dhcp or autoconf), got proto="none" and no protov6',
    ]);
  });

  test('no source, unsupported bootloader, duplicated service', () => {
    expect(
      problems(`<installation><primary-disk>sda</primary-disk><admin-interface name="eth0" proto="dhcp"/>
        <driver-source type="url"/><script stage="later" type="url">http://x</script><bootloader>extlinux</bootloader>
        <service name="a" state="enabled"/><service name="a" state="enabled"/></installation>`),
    ).toEqual([
      'installation/service[2]@name: service "a" is listed more than once',
      'installation/source: required element is missing, expected at least one <source type="local|url|nfs">',
      'installation/bootloader: unsupported bootloader "extlinux", expected grub2 or nothing',
    ]);
  });

  test('upgrade without existing-installation', () => {
    expect(problems('<installation mode="upgrade"><source type="local"/></installation>')).toEqual([
      'installation/existing-installation: required element is missing',
    ]);
  });

  test('wrong root element', () => {
    expect(problems('<install/>')).toEqual(['install: expected the root element <installation>, <upgrade> or <restore>']);
  });

  test('the zod schema reports every issue with the element path as the issue path', () => {
    const r = answerfileSchema.safeParse(tree('<installation/>'));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path)).toEqual([['installation/primary-disk'], ['installation/admin-interface'], ['installation/source']]);
  });
});

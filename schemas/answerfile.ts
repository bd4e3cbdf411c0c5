import { z } from 'zod';
import { pyStrip } from '../core/base/py-strip';

/**
 * The host-installer answerfile grammar (docs/answerfile.md; host-installer `answerfile.py`, its
 * XCP-ng fork, python-libs `xcp/xmlunwrap.py`), checked on a small element tree, attribute by
 * attribute as the installers read it:
 * - elements are looked up among all descendants (minidom `getElementsByTagName`), and the first
 *   match is used where one is expected;
 * - an empty attribute counts as missing (`getStrAttribute`);
 * - a boolean is true for yes or true in any case and false for anything else (`getBoolAttribute`):
 *   a value that is neither yes/true nor no/false is accepted with a warning saying it reads as false;
 * - mapped attributes (mode, type, location, preserve-first-partition, ntp source, service state)
 *   are compared as written, case included; script stage and type, and ssh-mode, are lower-cased;
 * - unknown elements and attributes are ignored by the installer: unknown elements are warned.
 * A problem is what both installers (XenServer's and XCP-ng's) refuse whatever the host's hardware;
 * what only one of them refuses, what they read otherwise than it looks, and what only the host can
 * decide (disk and interface names) is a warning.
 */

/** One element: its tag name, attributes, the concatenated direct text (not stripped) and element children. */
export interface AnswerfileElement {
  name: string;
  attributes: Record<string, string>;
  children: AnswerfileElement[];
  text: string;
}

export const answerfileElementSchema: z.ZodType<AnswerfileElement> = z.lazy(() =>
  z.object({
    name: z.string(),
    attributes: z.record(z.string(), z.string()),
    children: z.array(answerfileElementSchema),
    text: z.string(),
  }),
);

export const ANSWERFILE_ROOTS = ['installation', 'upgrade', 'restore'] as const;
export const INSTALL_MODES = ['fresh', 'reinstall', 'upgrade'] as const;
export const MEDIA_TYPES = ['local', 'url', 'nfs'] as const;
/** The stages the installer runs scripts at; another stage is accepted, and its script never runs. */
export const SCRIPT_STAGES = ['installation-start', 'packages-installed', 'filesystem-populated', 'installation-complete'] as const;
export const NTP_SOURCES = ['dhcp', 'default', 'manual', 'none'] as const;
/** XenServer's root file systems; XCP-ng's installer does not read fs-type. */
const FS_TYPES = ['ext3', 'ext4'] as const;
const PRESERVE = ['true', 'yes', 'false', 'no', 'if-utility'] as const;
/** SR types every installer knows; a product may add its large-block type (warned, not refused). */
const SR_TYPES = ['lvm', 'ext'] as const;
const SSH_MODES = ['on', 'off', 'auto'] as const;
/** A usual network interface name (the kernel's limit is 15 bytes; no '/', ':', '*' or space). */
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

export type InstallMode = (typeof INSTALL_MODES)[number];
export type MediaType = (typeof MEDIA_TYPES)[number];

export interface AnswerfileMedia {
  type: MediaType;
  /** The element text, stripped; empty for `local`. */
  address: string;
}

export interface AnswerfileModel {
  /** The root element's name. */
  root: (typeof ANSWERFILE_ROOTS)[number];
  /** `installation` for <installation> and <upgrade>, `restore` for <restore>. */
  operation: 'installation' | 'restore';
  /** Installation mode (default fresh); undefined for restore. */
  mode?: InstallMode;
  srType?: string;
  primaryDisk?: {
    /** The device text, or the devices of a XenServer software RAID (swraid="yes"). */
    disks: string[];
    swraid: boolean;
    guestStorage: boolean;
    srAtEnd: boolean;
    preserveFirstPartition: 'true' | 'false' | 'if-utility';
    /** As written (default ext4); XenServer takes ext3 or ext4, XCP-ng ignores it. */
    fsType: string;
  };
  guestDisks: string[];
  /** XCP-ng's software RAID: <raid device="md127"><disk>sda</disk>...</raid>. */
  raids: Array<{ device: string; disks: string[] }>;
  adminInterface?: {
    name?: string;
    hwaddr?: string;
    /** As the installer reads it: anything but static or dhcp configures no IPv4. */
    proto: 'static' | 'dhcp' | 'none';
    /** As the installer reads it: anything but static, dhcp or autoconf configures no IPv6. */
    protov6: 'static' | 'dhcp' | 'autoconf' | 'none';
    vlan?: number;
    ipaddr?: string;
    subnet?: string;
    gateway?: string;
    ipv6?: string;
    gatewayv6?: string;
  };
  rootPassword?: { type: 'plaintext' | 'hash'; value: string };
  nameServers: string[];
  hostname?: string;
  timezone?: string;
  keymap?: string;
  ntp?: { source: (typeof NTP_SOURCES)[number]; servers: string[] };
  /** XenServer's <ssh-mode>, lower-cased; undefined when absent or not on, off or auto (then ignored). */
  sshMode?: (typeof SSH_MODES)[number];
  sources: AnswerfileMedia[];
  driverSources: AnswerfileMedia[];
  /** Stage and type lower-cased as the installer does; a stage it does not know never runs. */
  scripts: Array<{ stage: string; type: string; url: string }>;
  bootloader?: { location: 'mbr' | 'partition'; writeBootEntry: boolean };
  existingInstallation?: { disk: string; fsType: string };
  backupDisk?: string;
  services: Record<string, 'enabled' | 'disabled'>;
  /** Things the installer ignores, reads otherwise than they look, or that only the host decides, as `path: message`. */
  warnings: string[];
}

/** One problem: the element path (`installation/admin-interface@proto`) and what was expected. */
export interface AnswerfileIssue {
  path: string;
  message: string;
}

/** Every element one of the installers (or a still supported deprecated form) reads; others are ignored. */
const KNOWN = new Set([
  'primary-disk', 'guest-disks', 'guest-disk', 'raid', 'disk', 'admin-interface', 'ip', 'ipaddr', 'subnet', 'subnet-mask', 'gateway',
  'ipv6', 'gatewayv6', 'root-password', 'name-server', 'nameserver', 'hostname', 'timezone', 'ntp', 'ntp-server',
  'ntp-servers', 'keymap', 'service', 'ssh-mode', 'source', 'driver-source', 'bootloader', 'network-backend',
  'existing-installation', 'backup-disk', 'script', 'post-install-script', 'install-failed-script',
  'ui-confirmation-prompt', 'fcoe-interface', 'selected-multiversion-drivers', 'driver',
]);

interface Found {
  el: AnswerfileElement;
  path: string;
}

/** python-libs getText: direct text, Python `str.strip()`. */
function text(el: AnswerfileElement): string {
  return pyStrip(el.text);
}

class Checker {
  readonly problems: AnswerfileIssue[] = [];
  readonly warnings: AnswerfileIssue[] = [];
  /** Every element below the root in document order, with its path. */
  readonly all: Found[] = [];

  constructor(readonly root: AnswerfileElement) {
    this.walk(root, root.name);
  }

  private walk(el: AnswerfileElement, path: string): void {
    const counts = new Map<string, number>();
    for (const c of el.children) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const c of el.children) {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      const childPath = `${path}/${c.name}${(counts.get(c.name) ?? 0) > 1 ? `[${n}]` : ''}`;
      this.all.push({ el: c, path: childPath });
      this.walk(c, childPath);
    }
  }

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  /** minidom getElementsByTagName over `names` (all matches of the first name, then the next...). */
  find(names: readonly string[], under: Found = { el: this.root, path: this.root.name }): Found[] {
    const out: Found[] = [];
    for (const name of names) {
      for (const f of this.all) if (f.el.name === name && f.path.startsWith(`${under.path}/`)) out.push(f);
    }
    return out;
  }

  /** The first match; a problem naming `names[0]` when there is none and it is required. */
  one(names: readonly string[], required: boolean, under?: Found): Found | undefined {
    const found = this.find(names, under);
    const parent = under?.path ?? this.root.name;
    if (found.length === 0) {
      if (required) this.problem(`${parent}/${names[0]}`, `required element is missing${names.length > 1 ? ` (or <${names.slice(1).join('>, <')}>)` : ''}`);
      return undefined;
    }
    for (const extra of found.slice(1)) this.warn(extra.path, `only the first <${names[0]}> is used (${found[0].path}); this one is ignored`);
    return found[0];
  }

  /** getStrAttribute: the first non-empty one of `names`, with the name it was found under. */
  attrAt(f: Found, names: readonly string[]): { name: string; value: string } | undefined {
    for (const n of names) {
      const v = f.el.attributes[n];
      if (v !== undefined && v !== '') return { name: n, value: v };
    }
    return undefined;
  }

  attr(f: Found, names: readonly string[]): string | undefined {
    return this.attrAt(f, names)?.value;
  }

  required(f: Found, name: string): string | undefined {
    const v = this.attr(f, [name]);
    if (v === undefined) this.problem(`${f.path}@${name}`, 'required attribute is missing');
    return v;
  }

  /** getMapAttribute / a compared getStrAttribute: one of `allowed`, as written (lower-cased first when `lower`). */
  oneOf<T extends string>(f: Found, names: readonly string[], allowed: readonly T[], dflt: T | undefined, lower = false): T | undefined {
    const a = this.attrAt(f, names);
    if (a === undefined) {
      if (dflt === undefined) this.problem(`${f.path}@${names[0]}`, `required attribute is missing, expected one of ${allowed.join(', ')}`);
      return dflt;
    }
    const v = lower ? a.value.toLowerCase() : a.value;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    const caseNote = !lower && (allowed as readonly string[]).includes(a.value.toLowerCase()) ? ' (the installer compares it case included)' : '';
    this.problem(`${f.path}@${a.name}`, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(a.value)}${caseNote}`);
    return undefined;
  }

  /** getBoolAttribute: yes or true (any case) is true, anything else false; an odd value is warned. */
  bool(f: Found, names: readonly string[], dflt: boolean): boolean {
    const a = this.attrAt(f, names);
    if (a === undefined) return dflt;
    const v = a.value.toLowerCase();
    if (v === 'yes' || v === 'true') return true;
    if (v !== 'no' && v !== 'false') this.warn(`${f.path}@${a.name}`, `${JSON.stringify(a.value)} reads as false (the installer takes yes or true, any case, as true and anything else as false)`);
    return false;
  }

  nonEmptyText(f: Found, what: string): string {
    const t = text(f.el);
    if (t === '') this.problem(f.path, `expected ${what} as the element text`);
    return t;
  }

  /** Text the installer takes even empty, where empty cannot be what was meant. */
  textOrWarn(f: Found, what: string, consequence: string): string {
    const t = text(f.el);
    if (t === '') this.warn(f.path, `empty, expected ${what}: ${consequence}`);
    return t;
  }

  /** A device name only the host can check (normalize_disk: sda, /dev/sda, /dev/disk/by-id/..., iscsi:...). */
  disk(f: Found, t: string, what: string): string {
    if (t === '' || /[\s*?,]/.test(t)) this.warn(f.path, `${JSON.stringify(t)} names no disk, expected ${what} (a device such as sda or /dev/disk/by-id/...): the installer refuses it unless the host has it`);
    return t;
  }

  media(f: Found): AnswerfileMedia | undefined {
    const type = this.oneOf(f, ['type'], MEDIA_TYPES, undefined);
    if (type === undefined) return undefined;
    if (type === 'local') return { type, address: '' };
    return { type, address: this.textOrWarn(f, type === 'nfs' ? 'an NFS location server:/path/' : 'a URL', 'the installer finds no repository there') };
  }
}

function analyseInstall(c: Checker, m: AnswerfileModel): void {
  const rootF: Found = { el: c.root, path: c.root.name };
  // Disks (parseDisks; XCP-ng: parseRaid)
  const pd = c.one(['primary-disk'], true);
  if (pd) {
    const swraid = c.bool(pd, ['swraid'], false);
    let disks: string[];
    if (swraid) {
      disks = text(pd.el).split(',');
      if (disks.length !== 2) c.warn(pd.path, `swraid="${pd.el.attributes.swraid}" with ${disks.length} device(s): XenServer's installer refuses it (expected exactly two, "dev1,dev2"); XCP-ng's reads no swraid and takes the text as one disk name`);
      else if (disks.filter((d) => d === 'missing').length > 1) c.warn(pd.path, 'XenServer\'s installer refuses two "missing" devices in a software RAID');
      for (const d of disks) if (d !== 'missing') c.disk(pd, d, 'a RAID member');
    } else {
      disks = [c.disk(pd, text(pd.el), 'the primary disk')];
    }
    const fsType = c.attr(pd, ['fs-type']) ?? 'ext4';
    if (!(FS_TYPES as readonly string[]).includes(fsType)) c.warn(`${pd.path}@fs-type`, `XenServer's installer refuses ${JSON.stringify(fsType)} (expected one of ${FS_TYPES.join(', ')}); XCP-ng's does not read fs-type`);
    m.primaryDisk = {
      disks,
      swraid,
      guestStorage: c.bool(pd, ['guest-storage', 'gueststorage'], true),
      srAtEnd: c.bool(pd, ['sr-at-end'], true),
      preserveFirstPartition: (() => {
        const v = c.oneOf(pd, ['preserve-first-partition'], PRESERVE, 'if-utility');
        return v === 'yes' ? 'true' : v === 'no' ? 'false' : (v ?? 'if-utility');
      })(),
      fsType,
    };
  }
  m.guestDisks = c.find(['guest-disk']).map((f) => c.disk(f, text(f.el), 'a guest disk'));
  for (const r of c.find(['raid'])) {
    const device = c.attr(r, ['device']);
    if (device === undefined) c.warn(`${r.path}@device`, 'XCP-ng\'s installer refuses a <raid> without device= (e.g. device="md127"); XenServer\'s ignores <raid>');
    else c.disk(r, device, 'the RAID device');
    m.raids.push({ device: device ?? '', disks: c.find(['disk'], r).map((d) => c.disk(d, text(d.el), 'a RAID member')) });
  }
  const sr = c.attrAt(rootF, ['sr-type', 'srtype']);
  if (sr !== undefined) {
    m.srType = sr.value;
    if ((SR_TYPES as readonly string[]).includes(sr.value.toLowerCase()) && !(SR_TYPES as readonly string[]).includes(sr.value)) {
      c.problem(`${rootF.path}@${sr.name}`, `expected one of ${SR_TYPES.join(', ')} (the installer compares it case included), got ${JSON.stringify(sr.value)}`);
    } else if (!(SR_TYPES as readonly string[]).includes(sr.value)) c.warn(`${rootF.path}@${sr.name}`, `"${sr.value}" is neither lvm nor ext (case included): the installer refuses it unless its product names that large-block SR type (/etc/xensource/features/large-block-capable-sr-type in install.img)`);
  }
  // Management interface (parseInterface)
  const ai = c.one(['admin-interface'], true);
  if (ai) {
    const name = c.attr(ai, ['name']);
    const hwaddr = c.attr(ai, ['hwaddr']);
    if (name === undefined && hwaddr === undefined) c.problem(`${ai.path}@name`, 'expected a name= or hwaddr= attribute');
    if (name !== undefined && !IFNAME.test(name)) c.warn(`${ai.path}@name`, `${JSON.stringify(name)} names no interface (expected e.g. eth0): XenServer's installer refuses a name the host does not have`);
    const protoRaw = c.attr(ai, ['proto']);
    if (protoRaw === undefined) c.problem(`${ai.path}@proto`, 'required attribute is missing, expected one of static, dhcp, none');
    const proto = protoRaw === 'static' || protoRaw === 'dhcp' ? protoRaw : 'none';
    if (protoRaw !== undefined && proto === 'none' && protoRaw !== 'none') c.warn(`${ai.path}@proto`, `${JSON.stringify(protoRaw)} is not static or dhcp (case included): the installer configures no IPv4`);
    const v6Raw = c.attr(ai, ['protov6']);
    const protov6 = v6Raw === 'static' || v6Raw === 'dhcp' || v6Raw === 'autoconf' ? v6Raw : 'none';
    if (v6Raw !== undefined && protov6 === 'none' && v6Raw !== 'none') c.warn(`${ai.path}@protov6`, `${JSON.stringify(v6Raw)} is not static, dhcp or autoconf (case included): the installer configures no IPv6`);
    const iface: NonNullable<AnswerfileModel['adminInterface']> = { proto, protov6 };
    if (name !== undefined) iface.name = name;
    if (hwaddr !== undefined) iface.hwaddr = hwaddr;
    // The address is asserted non-empty; a gateway element must be there, but may be empty.
    const child = (names: string[], what: string | undefined): string | undefined => {
      const f = c.one(names, true, ai);
      if (!f) return undefined;
      return what === undefined ? text(f.el) || undefined : c.nonEmptyText(f, what);
    };
    if (proto === 'static') {
      iface.ipaddr = child(['ip', 'ipaddr'], 'an IPv4 address');
      iface.subnet = child(['subnet-mask', 'subnet'], 'a subnet mask');
      const gw = child(['gateway'], undefined);
      if (gw !== undefined) iface.gateway = gw;
    }
    if (protov6 === 'static') {
      iface.ipv6 = child(['ipv6'], 'an IPv6 address/prefix');
      const gw = child(['gatewayv6'], undefined);
      if (gw !== undefined) iface.gatewayv6 = gw;
    }
    if (protoRaw !== undefined && proto === 'none' && protov6 === 'none') c.problem(`${ai.path}@${v6Raw === undefined ? 'proto' : 'protov6'}`, `expected IPv4 (proto static or dhcp) or IPv6 (protov6 static, dhcp or autoconf), got proto=${JSON.stringify(protoRaw)}${v6Raw === undefined ? ' and no protov6' : ` and protov6=${JSON.stringify(v6Raw)}`}`);
    const vlan = c.attr(ai, ['vlan']);
    if (vlan !== undefined) {
      if (/^\d+$/.test(vlan) && Number(vlan) >= 1 && Number(vlan) <= 4094) iface.vlan = Number(vlan);
      else c.problem(`${ai.path}@vlan`, `expected a VLAN id from 1 to 4094, got ${JSON.stringify(vlan)}`);
    }
    m.adminInterface = iface;
  }
  const pw = c.one(['root-password'], false);
  if (pw) m.rootPassword = { type: c.oneOf(pw, ['type'], ['plaintext', 'hash'] as const, 'plaintext') ?? 'plaintext', value: text(pw.el) };
  m.nameServers = c.find(['name-server', 'nameserver']).map((f) => c.textOrWarn(f, 'a DNS server address', 'the installer writes an empty nameserver'));
  const simple = (name: string): string | undefined => {
    const f = c.one([name], false);
    return f ? text(f.el) : undefined;
  };
  m.hostname = simple('hostname');
  m.timezone = simple('timezone');
  m.keymap = simple('keymap');
  // NTP (parseTimeConfig)
  const ntpNodes = c.find(['ntp']);
  const servers = c.find(['ntp-server', 'ntp-servers']);
  let ntpSource: (typeof NTP_SOURCES)[number] | undefined;
  if (ntpNodes.length > 1) c.problem(ntpNodes[1].path, `expected at most one <ntp> element, found ${ntpNodes.length}`);
  if (ntpNodes.length > 0) ntpSource = c.oneOf(ntpNodes[0], ['source'], NTP_SOURCES, undefined);
  else ntpSource = servers.length > 0 ? 'manual' : m.adminInterface?.proto === 'dhcp' ? 'dhcp' : 'default';
  if (ntpSource !== undefined && ntpSource !== 'manual') {
    for (const s of servers) c.problem(s.path, `<${s.el.name}> is only allowed with <ntp source="manual"/>, the source is ${ntpSource}`);
  }
  if (ntpSource === 'manual' && servers.length === 0) c.warn(ntpNodes[0]?.path ?? rootF.path, 'with <ntp source="manual"/> and no <ntp-server>, the host has no NTP server');
  if (ntpSource !== undefined) m.ntp = { source: ntpSource, servers: servers.map((s) => c.textOrWarn(s, 'an NTP server', 'the installer configures an empty server')) };
  // Services (parseServices)
  for (const s of c.find(['service'])) {
    const name = c.required(s, 'name');
    const state = c.oneOf(s, ['state'], ['enabled', 'disabled'] as const, undefined);
    if (name === undefined || state === undefined) continue;
    if (name in m.services) c.problem(`${s.path}@name`, `service ${JSON.stringify(name)} is listed more than once`);
    m.services[name] = state;
  }
  // XenServer's parseSSHMode (lower-cased; another value is logged and ignored); XCP-ng reads no <ssh-mode>.
  const ssh = c.one(['ssh-mode'], false);
  if (ssh) {
    const v = text(ssh.el).toLowerCase();
    if ((SSH_MODES as readonly string[]).includes(v)) m.sshMode = v as (typeof SSH_MODES)[number];
    else c.warn(ssh.path, `${JSON.stringify(text(ssh.el))} is not on, off or auto: the installer ignores it`);
  }
}

function analyse(root: AnswerfileElement): { model?: AnswerfileModel; problems: AnswerfileIssue[] } {
  const c = new Checker(root);
  const rootF: Found = { el: root, path: root.name };
  if (!(ANSWERFILE_ROOTS as readonly string[]).includes(root.name)) {
    c.problem(root.name, 'expected the root element <installation>, <upgrade> or <restore>');
    return { problems: c.problems };
  }
  const m: AnswerfileModel = {
    root: root.name as AnswerfileModel['root'],
    operation: root.name === 'restore' ? 'restore' : 'installation',
    guestDisks: [],
    raids: [],
    nameServers: [],
    sources: [],
    driverSources: [],
    scripts: [],
    services: {},
    warnings: [],
  };
  const used = new Set<string>(['driver-source', 'script', 'post-install-script', 'install-failed-script', 'ui-confirmation-prompt', 'fcoe-interface', 'selected-multiversion-drivers', 'driver']);
  // Common to every answerfile (parseScripts, processAnswerfileSetup)
  m.driverSources = c.find(['driver-source']).flatMap((f) => c.media(f) ?? []);
  // XCP-ng's parseFCoEInterface
  for (const f of c.find(['fcoe-interface'])) {
    if (c.attr(f, ['name']) === undefined && c.attr(f, ['hwaddr']) === undefined) c.warn(f.path, 'XCP-ng\'s installer refuses an <fcoe-interface> without name= or hwaddr=; XenServer\'s ignores it');
  }
  for (const f of c.find(['script'])) {
    const stage = c.attr(f, ['stage'])?.toLowerCase();
    const type = c.attr(f, ['type'])?.toLowerCase();
    if (stage === undefined) c.problem(`${f.path}@stage`, `required attribute is missing, expected one of ${SCRIPT_STAGES.join(', ')}`);
    else if (!(SCRIPT_STAGES as readonly string[]).includes(stage)) c.warn(`${f.path}@stage`, `${JSON.stringify(f.el.attributes.stage)} is not a stage the installer runs (${SCRIPT_STAGES.join(', ')}): this script never runs`);
    if (type === undefined) c.problem(`${f.path}@type`, 'required attribute is missing, expected url or nfs');
    else if (type !== 'url' && type !== 'nfs') c.warn(`${f.path}@type`, `${JSON.stringify(f.el.attributes.type)} is not url or nfs: the installer fetches the text as a URL`);
    const url = c.textOrWarn(f, 'the script URL', 'the installer fails when it fetches it');
    if (stage !== undefined && type !== undefined) m.scripts.push({ stage, type, url });
  }
  for (const [name, stage] of [['post-install-script', 'filesystem-populated'], ['install-failed-script', 'installation-complete']] as const) {
    const nodes = c.find([name]);
    if (nodes.length === 1) {
      const type = c.attr(nodes[0], ['type'])?.toLowerCase() ?? '';
      m.scripts.push({ stage, type, url: c.textOrWarn(nodes[0], 'the script URL', 'the installer fails when it fetches it') });
    } else if (nodes.length > 1) {
      for (const n of nodes) c.warn(n.path, `the installer runs a <${name}> only when there is exactly one; these ${nodes.length} are all ignored`);
    }
  }
  if (m.operation === 'restore') {
    // parseRestore reads <backup-disk> only when there is exactly one.
    const bds = c.find(['backup-disk']);
    if (bds.length === 1) m.backupDisk = c.disk(bds[0], text(bds[0].el), 'the disk of the backup');
    else for (const b of bds) c.warn(b.path, `the installer reads a <backup-disk> only when there is exactly one; these ${bds.length} are all ignored`);
    used.add('backup-disk');
  } else {
    const mode = c.oneOf(rootF, ['mode'], INSTALL_MODES, 'fresh');
    if (mode !== undefined) m.mode = mode;
    if (mode === 'upgrade') {
      const ei = c.one(['existing-installation'], true);
      if (ei) {
        const fsType = c.attr(ei, ['fs-type']) ?? 'ext4';
        if (!(FS_TYPES as readonly string[]).includes(fsType)) c.warn(`${ei.path}@fs-type`, `XenServer's installer refuses ${JSON.stringify(fsType)} (expected one of ${FS_TYPES.join(', ')}); XCP-ng's does not read fs-type`);
        m.existingInstallation = { disk: c.disk(ei, text(ei.el), 'the disk of the installation'), fsType };
      }
      used.add('existing-installation');
    } else if (mode !== undefined) {
      analyseInstall(c, m);
      for (const n of KNOWN) if (!['existing-installation', 'backup-disk'].includes(n)) used.add(n);
    }
    // parseCommon: every installation mode
    // XCP-ng's GPG checks (booleans: an odd value reads as false and turns the check off)
    c.bool(rootF, ['repo-gpgcheck'], true);
    c.bool(rootF, ['gpgcheck'], true);
    const sources = c.find(['source']);
    for (const s of sources) {
      c.bool(s, ['repo-gpgcheck'], true);
      c.bool(s, ['gpgcheck'], true);
    }
    if (sources.length === 0) c.problem(`${rootF.path}/source`, 'required element is missing, expected at least one <source type="local|url|nfs">');
    m.sources = sources.flatMap((f) => c.media(f) ?? []);
    const bl = c.one(['bootloader'], false);
    if (bl) {
      m.bootloader = {
        location: c.oneOf(bl, ['location'], ['mbr', 'partition'] as const, 'mbr') ?? 'mbr',
        writeBootEntry: c.bool(bl, ['write-boot-entry'], true),
      };
      const variant = text(bl.el);
      if (variant !== '' && variant !== 'grub2') c.problem(bl.path, `unsupported bootloader ${JSON.stringify(variant)}, expected grub2 or nothing`);
    }
    // XCP-ng's network-backend (XenServer's installer ignores the element)
    const nb = c.one(['network-backend'], false);
    if (nb && !['bridge', 'openvswitch', 'vswitch'].includes(text(nb.el))) c.warn(nb.path, `${JSON.stringify(text(nb.el))} is ignored, expected bridge, openvswitch or vswitch`);
    for (const n of ['source', 'bootloader', 'network-backend']) used.add(n);
  }
  for (const f of c.all) {
    if (!KNOWN.has(f.el.name)) c.warn(f.path, 'unknown element, ignored by the installer');
    else if (!used.has(f.el.name)) c.warn(f.path, `ignored by the installer for ${m.mode !== undefined ? `mode ${m.mode}` : 'a restore'}`);
  }
  m.warnings = c.warnings.map((w) => `${w.path}: ${w.message}`);
  return c.problems.length > 0 ? { problems: c.problems } : { model: m, problems: [] };
}

/** Check an element tree; every problem is reported, not only the first. */
export function checkAnswerfile(root: AnswerfileElement): { model?: AnswerfileModel; problems: AnswerfileIssue[] } {
  return analyse(root);
}

/**
 * Zod schema: element tree → AnswerfileModel. Each issue's path is one segment, the element path
 * with `@attribute` (e.g. `installation/admin-interface@proto`); its message says what was expected.
 */
export const answerfileSchema = answerfileElementSchema.transform((root, ctx): AnswerfileModel => {
  const r = analyse(root);
  for (const p of r.problems) ctx.issues.push({ code: 'custom', message: p.message, path: [p.path], input: root });
  return r.model ?? (z.NEVER as never);
});

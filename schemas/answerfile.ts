import { z } from 'zod';

/**
 * The host-installer answerfile grammar (formats.md 6; host-installer `answerfile.py`,
 * `doc/answerfile.txt`, python-libs `xcp/xmlunwrap.py`), checked on a small element tree.
 *
 * Faithful to how the installer reads the file:
 * - elements are looked up among all descendants (minidom `getElementsByTagName`), and the first
 *   match is used where one is expected;
 * - an empty attribute counts as missing (`getStrAttribute`);
 * - unknown elements are ignored by the installer: they are accepted here with a warning.
 * Stricter on purpose: booleans must be yes|true|no|false (any case), where the installer silently
 * reads every other value as false.
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
export const SCRIPT_STAGES = ['installation-start', 'packages-installed', 'filesystem-populated', 'installation-complete'] as const;
export const NTP_SOURCES = ['dhcp', 'default', 'manual', 'none'] as const;
const PROTOS = ['static', 'dhcp', 'none'] as const;
const PROTOS_V6 = ['static', 'dhcp', 'autoconf', 'none'] as const;
const FS_TYPES = ['ext3', 'ext4'] as const;
const PRESERVE = ['true', 'yes', 'false', 'no', 'if-utility'] as const;
/** SR types every installer knows; a product may add its large-block type (warned, not refused). */
const SR_TYPES = ['lvm', 'ext'] as const;

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
    /** The device text, or the two devices of a software RAID. */
    disks: string[];
    swraid: boolean;
    guestStorage: boolean;
    srAtEnd: boolean;
    preserveFirstPartition: 'true' | 'false' | 'if-utility';
    fsType: (typeof FS_TYPES)[number];
  };
  guestDisks: string[];
  adminInterface?: {
    name?: string;
    hwaddr?: string;
    proto: (typeof PROTOS)[number];
    protov6: (typeof PROTOS_V6)[number];
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
  sources: AnswerfileMedia[];
  driverSources: AnswerfileMedia[];
  scripts: Array<{ stage: (typeof SCRIPT_STAGES)[number]; type: 'url' | 'nfs'; url: string }>;
  bootloader?: { location: 'mbr' | 'partition'; writeBootEntry: boolean };
  existingInstallation?: { disk: string; fsType: (typeof FS_TYPES)[number] };
  backupDisk?: string;
  services: Record<string, 'enabled' | 'disabled'>;
  /** Things the installer ignores or that look unintended, as `path: message`. */
  warnings: string[];
}

/** One problem: the element path (`installation/admin-interface@proto`) and what was expected. */
export interface AnswerfileIssue {
  path: string;
  message: string;
}

/** Every element the installer (or a still supported deprecated form) reads; others are ignored. */
const KNOWN = new Set([
  'primary-disk', 'guest-disks', 'guest-disk', 'admin-interface', 'ip', 'ipaddr', 'subnet', 'subnet-mask', 'gateway',
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
  return el.text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
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

  /** getStrAttribute: the first non-empty one of `names`. */
  attr(f: Found, names: readonly string[]): string | undefined {
    for (const n of names) {
      const v = f.el.attributes[n];
      if (v !== undefined && v !== '') return v;
    }
    return undefined;
  }

  required(f: Found, name: string): string | undefined {
    const v = this.attr(f, [name]);
    if (v === undefined) this.problem(`${f.path}@${name}`, 'required attribute is missing');
    return v;
  }

  oneOf<T extends string>(f: Found, names: readonly string[], allowed: readonly T[], dflt: T | undefined, lower = false): T | undefined {
    const raw = this.attr(f, names);
    if (raw === undefined) {
      if (dflt === undefined) this.problem(`${f.path}@${names[0]}`, `required attribute is missing, expected one of ${allowed.join(', ')}`);
      return dflt;
    }
    const v = lower ? raw.toLowerCase() : raw;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.problem(`${f.path}@${names.find((n) => f.el.attributes[n] === raw) ?? names[0]}`, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
    return undefined;
  }

  bool(f: Found, names: readonly string[], dflt: boolean): boolean {
    const raw = this.attr(f, names);
    if (raw === undefined) return dflt;
    const v = raw.toLowerCase();
    if (v === 'yes' || v === 'true') return true;
    if (v === 'no' || v === 'false') return false;
    this.problem(`${f.path}@${names.find((n) => f.el.attributes[n] === raw) ?? names[0]}`, `expected a boolean yes, true, no or false, got ${JSON.stringify(raw)}`);
    return dflt;
  }

  nonEmptyText(f: Found, what: string): string {
    const t = text(f.el);
    if (t === '') this.problem(f.path, `expected ${what} as the element text`);
    return t;
  }

  media(f: Found): AnswerfileMedia | undefined {
    const type = this.oneOf(f, ['type'], MEDIA_TYPES, undefined);
    if (type === undefined) return undefined;
    if (type === 'local') return { type, address: '' };
    return { type, address: this.nonEmptyText(f, type === 'nfs' ? 'an NFS location server:/path/' : 'a URL') };
  }
}

function analyseInstall(c: Checker, m: AnswerfileModel): void {
  const rootF: Found = { el: c.root, path: c.root.name };
  // Disks (parseDisks)
  const pd = c.one(['primary-disk'], true);
  if (pd) {
    const swraid = c.bool(pd, ['swraid'], false);
    const disks = swraid ? text(pd.el).split(',').map((d) => d.trim()) : [c.nonEmptyText(pd, 'the device name (e.g. sda)')];
    if (swraid && (disks.length !== 2 || disks.some((d) => d === ''))) c.problem(pd.path, 'swraid expects exactly two devices as "dev1,dev2"');
    m.primaryDisk = {
      disks,
      swraid,
      guestStorage: c.bool(pd, ['guest-storage', 'gueststorage'], true),
      srAtEnd: c.bool(pd, ['sr-at-end'], true),
      preserveFirstPartition: (() => {
        const v = c.oneOf(pd, ['preserve-first-partition'], PRESERVE, 'if-utility');
        return v === 'yes' ? 'true' : v === 'no' ? 'false' : (v ?? 'if-utility');
      })(),
      fsType: c.oneOf(pd, ['fs-type'], FS_TYPES, 'ext4') ?? 'ext4',
    };
  }
  m.guestDisks = c.find(['guest-disk']).map((f) => c.nonEmptyText(f, 'a device name'));
  const sr = c.attr(rootF, ['sr-type', 'srtype']);
  if (sr !== undefined) {
    m.srType = sr;
    if (!(SR_TYPES as readonly string[]).includes(sr)) c.warn(`${rootF.path}@sr-type`, `"${sr}" is neither lvm nor ext; only a product with that large-block SR type accepts it`);
  }
  // Management interface (parseInterface)
  const ai = c.one(['admin-interface'], true);
  if (ai) {
    const name = c.attr(ai, ['name']);
    const hwaddr = c.attr(ai, ['hwaddr']);
    if (name === undefined && hwaddr === undefined) c.problem(`${ai.path}@name`, 'expected a name= or hwaddr= attribute');
    const proto = c.oneOf(ai, ['proto'], PROTOS, undefined);
    const protov6 = c.oneOf(ai, ['protov6'], PROTOS_V6, 'none') ?? 'none';
    const iface: NonNullable<AnswerfileModel['adminInterface']> = { proto: proto ?? 'none', protov6 };
    if (name !== undefined) iface.name = name;
    if (hwaddr !== undefined) iface.hwaddr = hwaddr;
    const child = (names: string[], what: string): string | undefined => {
      const f = c.one(names, true, ai);
      return f ? c.nonEmptyText(f, what) : undefined;
    };
    if (proto === 'static') {
      iface.ipaddr = child(['ipaddr', 'ip'], 'an IPv4 address');
      iface.subnet = child(['subnet', 'subnet-mask'], 'a subnet mask');
      iface.gateway = child(['gateway'], 'a gateway address');
    }
    if (protov6 === 'static') {
      iface.ipv6 = child(['ipv6'], 'an IPv6 address/prefix');
      iface.gatewayv6 = child(['gatewayv6'], 'an IPv6 gateway');
    }
    if (proto === 'none' && protov6 === 'none') c.problem(`${ai.path}@protov6`, 'with proto="none" expected protov6 static, dhcp or autoconf (the interface needs IPv4 or IPv6)');
    const vlan = c.attr(ai, ['vlan']);
    if (vlan !== undefined) {
      if (/^\d+$/.test(vlan) && Number(vlan) >= 1 && Number(vlan) <= 4094) iface.vlan = Number(vlan);
      else c.problem(`${ai.path}@vlan`, `expected a VLAN id from 1 to 4094, got ${JSON.stringify(vlan)}`);
    }
    m.adminInterface = iface;
  }
  const pw = c.one(['root-password'], false);
  if (pw) m.rootPassword = { type: c.oneOf(pw, ['type'], ['plaintext', 'hash'] as const, 'plaintext') ?? 'plaintext', value: text(pw.el) };
  m.nameServers = c.find(['name-server', 'nameserver']).map((f) => c.nonEmptyText(f, 'a DNS server address'));
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
  if (ntpSource === 'manual' && servers.length === 0) c.problem(`${ntpNodes[0]?.path ?? rootF.path}`, 'with <ntp source="manual"/> expected at least one <ntp-server>');
  if (ntpSource !== undefined) m.ntp = { source: ntpSource, servers: servers.map((s) => c.nonEmptyText(s, 'an NTP server')) };
  // Services (parseServices)
  for (const s of c.find(['service'])) {
    const name = c.required(s, 'name');
    const state = c.oneOf(s, ['state'], ['enabled', 'disabled'] as const, undefined);
    if (name === undefined || state === undefined) continue;
    if (name in m.services) c.problem(`${s.path}@name`, `service ${JSON.stringify(name)} is listed more than once`);
    m.services[name] = state;
  }
  const ssh = c.one(['ssh-mode'], false);
  if (ssh && !['on', 'off', 'auto'].includes(text(ssh.el))) c.problem(ssh.path, `expected on, off or auto, got ${JSON.stringify(text(ssh.el))}`);
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
    nameServers: [],
    sources: [],
    driverSources: [],
    scripts: [],
    services: {},
    warnings: [],
  };
  const used = new Set<string>(['driver-source', 'script', 'post-install-script', 'install-failed-script', 'ui-confirmation-prompt', 'fcoe-interface', 'selected-multiversion-drivers', 'driver']);
  // Common to every answerfile (processAnswerfileSetup, parseScripts)
  m.driverSources = c.find(['driver-source']).flatMap((f) => c.media(f) ?? []);
  for (const f of c.find(['script'])) {
    const stage = c.oneOf(f, ['stage'], SCRIPT_STAGES, undefined, true);
    const type = c.oneOf(f, ['type'], ['url', 'nfs'] as const, undefined, true);
    const url = c.nonEmptyText(f, 'the script URL');
    if (stage !== undefined && type !== undefined) m.scripts.push({ stage, type, url });
  }
  if (m.operation === 'restore') {
    const bd = c.one(['backup-disk'], false);
    if (bd) m.backupDisk = c.nonEmptyText(bd, 'a device name');
    used.add('backup-disk');
  } else {
    const mode = c.oneOf(rootF, ['mode'], INSTALL_MODES, 'fresh');
    if (mode !== undefined) m.mode = mode;
    if (mode === 'upgrade') {
      const ei = c.one(['existing-installation'], true);
      if (ei) m.existingInstallation = { disk: c.nonEmptyText(ei, 'the device of the installation'), fsType: c.oneOf(ei, ['fs-type'], FS_TYPES, 'ext4') ?? 'ext4' };
      used.add('existing-installation');
    } else if (mode !== undefined) {
      analyseInstall(c, m);
      for (const n of KNOWN) if (!['existing-installation', 'backup-disk'].includes(n)) used.add(n);
    }
    // parseCommon: every installation mode
    const sources = c.find(['source']);
    if (sources.length === 0) c.problem(`${rootF.path}/source`, 'required element is missing, expected at least one <source type="local|url|nfs">');
    m.sources = sources.flatMap((f) => c.media(f) ?? []);
    const bl = c.one(['bootloader'], false);
    if (bl) {
      m.bootloader = {
        location: c.oneOf(bl, ['location'], ['mbr', 'partition'] as const, 'mbr') ?? 'mbr',
        writeBootEntry: c.bool(bl, ['write-boot-entry'], true),
      };
      const variant = text(bl.el);
      if (variant !== '' && variant !== 'grub2') c.problem(bl.path, `unsupported bootloader ${JSON.stringify(variant)}, expected grub2`);
    }
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

/**
 * The DDK guide's rules and guidelines as checks (docs/lint.md lists each with an example and
 * the fix). Every rule reads only what lint.ts gathered: RPM headers, file lists, scriptlets,
 * module vermagics and the pack's own options. Pure functions, no I/O.
 */
import { hostProblems, type RpmHostFacts } from '../../xenserver/host-check';
import type { HostPlatform, TargetHost } from '../../xenserver/hosts';
import type { RpmFile, RpmInfo } from '../../formats/rpm/types';
import { compareEvr } from '../../formats/rpm/version';
import type { LintRuleId } from '../../../schemas/lint';
import type { Finding, Severity } from './findings';

/** One RPM as lint sees it. */
export interface LintRpm {
  /** How findings name it: the file's basename. */
  name: string;
  info: RpmInfo;
  facts: RpmHostFacts;
  /** Kernel module path → its `vermagic=` string; absent when the payload could not be read. */
  vermagic?: ReadonlyMap<string, string>;
  /** Why the payload could not be read for the vermagic check. */
  payloadProblem?: string;
  /** What installing and erasing it left behind (uninstall.ts); absent when not checked. */
  leftovers?: readonly string[];
}

/** An RPM of the previous release of the pack (name and EVR are all the upgrade rule reads). */
export interface PreviousRpm {
  name: string;
  epoch?: number;
  version: string;
  release: string;
}

/** The pack as lint sees it. */
export interface LintPack {
  format: 'legacy' | 'update';
  /** Legacy packs: what upgrades match on (DDK guide 7.3). */
  vendorCode?: string;
  vendorName?: string;
  /** The pack's version (legacy) or the update's version. */
  version?: string;
  /** The legacy platform the pack names (absent for update packs). */
  platform?: HostPlatform;
  host: TargetHost;
  /** The pack's declared dom0 memory need in MiB (`--mem`, legacy packs). */
  memMiB?: number;
  /** The previous release's RPMs, when its ISO was given. */
  previous?: readonly PreviousRpm[];
}

export interface LintContext {
  pack: LintPack;
  rpms: readonly LintRpm[];
}

export type RuleHit = Omit<Finding, 'rule' | 'severity' | 'section'>;

export interface Rule {
  id: LintRuleId;
  severity: Severity;
  /** The DDK guide section it comes from (or, for a rule of the hosts themselves, the doc that states it). */
  section: string;
  /** One line for docs and SARIF. */
  title: string;
  /** docs/lint.md: something that breaks the rule, and the fix. */
  example: string;
  fix: string;
  check(ctx: LintContext): RuleHit[];
}

/** dom0's memory as the DDK guide states it (section 1.4: "maximum 752 MB"). */
export const DOM0_MEMORY_MIB = 752;
/** A pack that wants more than a tenth of dom0's memory, or installs more than this, is heavy. */
export const HEAVY_MIB = Math.floor(DOM0_MEMORY_MIB / 10);

const KERNEL_GROUP = 'System Environment/Kernel';
const MODULE_FILE = /\.ko(\.(xz|gz|zst))?$/;
const MODULE_PATH = /^\/lib\/modules\/([^/]+)\/(.+)$/;
const MODULE_DIRS = ['extra/', 'updates/'];
const RPMFILE_CONFIG = 1;
const RPMFILE_DOC = 2;
const RPMFILE_GHOST = 64;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

function isRegular(f: RpmFile): boolean {
  return (f.mode & S_IFMT) === S_IFREG && (f.flags & RPMFILE_GHOST) === 0;
}

/** Kernel modules of an RPM: their path and the kernel directory they are filed under. */
function modules(rpm: LintRpm): Array<{ file: RpmFile; kernel?: string; rest?: string }> {
  return rpm.info.files
    .filter((f) => isRegular(f) && MODULE_FILE.test(f.path))
    .map((file) => {
      const m = MODULE_PATH.exec(file.path);
      return m ? { file, kernel: m[1], rest: m[2] } : { file };
    });
}

function moduleKernels(rpm: LintRpm): string[] {
  return [...new Set(modules(rpm).flatMap((m) => (m.kernel === undefined ? [] : [m.kernel])))].sort();
}

/** The flavour a kernel release ends with (`2.6.18-128.el5xen` → xen), if the platform has flavours. */
function flavourOf(kernel: string, flavours: readonly string[]): string | undefined {
  return [...flavours].sort((a, b) => b.length - a.length).find((f) => kernel.endsWith(f));
}

type ScriptName = keyof RpmInfo['scripts'];
const SCRIPT_LABEL: Record<ScriptName, string> = {
  pretrans: '%pretrans',
  prein: '%pre',
  postin: '%post',
  preun: '%preun',
  postun: '%postun',
  posttrans: '%posttrans',
};

/** Each scriptlet of each RPM with its comment lines and trailing comments taken out. */
function scriptlets(ctx: LintContext): Array<{ rpm: LintRpm; label: string; body: string }> {
  const out: Array<{ rpm: LintRpm; label: string; body: string }> = [];
  for (const rpm of ctx.rpms) {
    for (const key of Object.keys(SCRIPT_LABEL) as ScriptName[]) {
      const body = rpm.info.scripts[key];
      if (body !== undefined) out.push({ rpm, label: SCRIPT_LABEL[key], body: stripComments(body) });
    }
  }
  return out;
}

/** Shell comments out: whole comment lines and ` # ...` tails (a `#` inside a word stays). */
export function stripComments(script: string): string {
  return script
    .split('\n')
    .map((line) => (/^\s*#/.test(line) ? '' : line.slice(0, commentStart(line))))
    .join('\n');
}

/** Where a line's comment starts: the first `#` at its start or after a blank; found in one pass (/(^|\s)#.*$/ retried from every `#`). */
function commentStart(line: string): number {
  for (let i = line.indexOf('#'); i >= 0; i = line.indexOf('#', i + 1)) {
    if (i === 0 || /\s/.test(line[i - 1]!)) return i;
  }
  return line.length;
}

/**
 * A systemctl option (`-q`, `--no-block`): the dashes, then a word character, so that `--a` can be
 * read one way only. `-{1,2}[\w-]+` could take it as `-` `-a` or `--` `a`, and a run of options
 * before something else (a scriptlet is an RPM's, so anyone's) took time doubling with each one.
 */
const SYSTEMCTL_OPTION = String.raw`-{1,2}\w[\w-]*`;
const SYSTEMCTL_OPTION_WORD = new RegExp(`^${SYSTEMCTL_OPTION}$`);

/** Where a rule found what it looks for: RegExp.exec's shape. */
interface Found {
  index: number;
  0: string;
}

/**
 * `systemctl [options] enable ... --now` within one command (a line, or a part of one between
 * `;`, `&`, `|` and parentheses): found word by word, in time linear in the script. A regular
 * expression that skips any words up to `--now` retried from every `systemctl` to the end.
 */
const ENABLE_NOW = {
  exec(script: string): Found | null {
    for (const command of script.matchAll(/[^\n;&|()]+/g)) {
      const words = [...command[0].matchAll(/\S+/g)];
      const at = words.findIndex((w) => /(^|\/)systemctl$/.test(w[0]));
      if (at < 0) continue;
      let i = at + 1;
      while (i < words.length && SYSTEMCTL_OPTION_WORD.test(words[i]![0])) i++;
      if (words[i]?.[0] !== 'enable') continue;
      const now = words.slice(i + 1).find((w) => w[0] === '--now');
      if (now === undefined) continue;
      const start = command.index! + words[at]!.index!;
      return { index: start, 0: script.slice(start, command.index! + now.index! + now[0].length) };
    }
    return null;
  },
};

/** Commands that start a process that outlives the scriptlet (DDK guide 7.2 rule 1). */
const STARTS_PROCESS: ReadonlyArray<[{ exec(s: string): Found | null }, string]> = [
  [/\bservice\s+[\w@.-]+\s+(start|restart|reload|condrestart|try-restart|force-reload)\b/, 'starts a service'],
  [new RegExp(String.raw`\bsystemctl\s+(?:${SYSTEMCTL_OPTION}(?:=\S+)?\s+)*(start|restart|reload|reload-or-restart|try-restart|condrestart|isolate)\b`), 'starts a systemd unit'],
  [ENABLE_NOW, 'starts a systemd unit (enable --now)'],
  [/\/etc\/(?:rc\.d\/)?init\.d\/[\w@.-]+\s+(start|restart|reload|condrestart|try-restart|force-reload)\b/, 'starts an init script'],
  [/(^|[\s;&|(])(nohup|setsid|daemonize|start-stop-daemon)\s/, 'starts a detached process'],
  // `cmd &` (not `&&`, `2>&1`, `&>file`): a process left running in the background.
  [/(^|[^&>|<])&(?![&>])(\s|$)/m, 'puts a process in the background'],
];

/** iptables changes that take effect on the running firewall and must be saved (7.2 rule 3). */
const IPTABLES_ADD = /\biptables\s+(?:-t\s+\w+\s+)?(-A|--append)\b/;
const IPTABLES_OTHER = /\biptables\s+(?:-t\s+\w+\s+)?(-I|--insert|-R|--replace|-P|--policy|-N|--new-chain)\b/;
const IPTABLES_RESTORE = /\biptables-restore\s*<\s*\/etc\/sysconfig\/iptables\b/;
const IPTABLES_SAVE = /\biptables-save\s*>\s*\/etc\/sysconfig\/iptables\b/;

/** Commands that need a running host, not the installer's chroot (7.2 rule 2). */
const NEEDS_RUNNING_HOST: ReadonlyArray<[RegExp, string]> = [
  [/(^|[\s;&|(`$])xe\s+[\w-]+/, 'xe'],
  [/\bxenstore-(read|write|rm|ls|list|exists|watch|chmod)\b/, 'xenstore'],
  [/\bservice\s+[\w@.-]+\s+\w+/, 'service'],
  [new RegExp(String.raw`\bsystemctl\s+(?:${SYSTEMCTL_OPTION}\s+)*(daemon-reload|stop|status|is-active|kill)\b`), 'systemctl'],
  [/\/etc\/(?:rc\.d\/)?init\.d\/[\w@.-]+\s+\w+/, 'an init script'],
  [/(^|[\s;&|(])(modprobe|insmod|rmmod)\s/, 'module loading'],
  [/\budevadm\s+(trigger|settle|control)\b/, 'udevadm'],
];
const RUNLEVEL_TEST = /\brunlevel\b/;

/** Version or build numbers in a vendor string (7.3: "should not be used in either of these strings"). */
const VERSIONISH: ReadonlyArray<RegExp> = [
  /\d\.\d/, // a dotted number; /\d+\.\d+/ says the same and retries every run of digits
  /(^|[^a-z])v\d+/i,
  /\b(version|ver|build|release|rev|r)[-_ ]?\d+/i,
  /(^|\D)(19|20)\d{6}(\D|$)/,
  /[-_ ]\d+$/,
];

/** Heavy runtimes the guide keeps out of dom0 (1.4): by file. */
const HEAVY_FILES: ReadonlyArray<[RegExp, string]> = [
  [/(^|\/)(jre|jdk)[^/]*\/|\/jvm\/|\/bin\/java$|\/libjvm\.so$/, 'a Java runtime'],
  [/\/sbin\/(httpd|nginx|lighttpd)$|\/bin\/(httpd|nginx|lighttpd)$/, 'a web server'],
  [/\/(tomcat|jetty)[^/]*\/|\/catalina\.sh$/, 'a Java web server'],
  [/\/bin\/(node|nodejs)$/, 'a Node.js runtime'],
  [/\/bin\/mono$/, 'a Mono runtime'],
];
/** ... and by what an RPM requires. */
const HEAVY_REQUIRES: ReadonlyArray<[RegExp, string]> = [
  [/^(java|jre|java-[\d.]+-openjdk.*|jdk)(-headless)?$/, 'a Java runtime'],
  [/^(httpd|nginx|lighttpd|tomcat\d*)$/, 'a web server'],
  [/^nodejs$/, 'a Node.js runtime'],
];

const FIRMWARE_TARBALL = /^[a-z0-9]+(?:[._][a-z0-9]+)*-[a-z0-9]+(?:[._][a-z0-9]+)*-\d[\w.]*\.(tar|tar\.gz|tgz|tar\.bz2|tar\.xz)$/i;
const TARBALL = /\.(tar|tar\.gz|tgz|tar\.bz2|tar\.xz)$/i;

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

function evr(r: { epoch?: number; version: string; release: string }): string {
  return `${r.epoch !== undefined ? `${r.epoch}:` : ''}${r.version}-${r.release}`;
}

/** Every rule, in the order of the guide. */
export const RULES: readonly Rule[] = [
  {
    id: 'KMOD-GROUP',
    severity: 'error',
    section: '7.1',
    title: `Kernel modules are packaged in an RPM of group "${KERNEL_GROUP}".`,
    example: "`acme-modules` holds `/lib/modules/4.19.0+1/updates/acme.ko` with `Group: Applications/System`.",
    fix: "Set `Group: System Environment/Kernel` in the spec's package that carries the modules.",
    check: ({ rpms }) =>
      rpms
        .filter((r) => modules(r).length > 0 && r.info.group !== KERNEL_GROUP)
        .map((r) => ({ rpm: r.name, message: `holds kernel modules but its group is "${r.info.group}"; expected "${KERNEL_GROUP}"` })),
  },
  {
    id: 'KMOD-DIR',
    severity: 'error',
    section: '7.1',
    title: 'Kernel modules live under /lib/modules/<kernel>/extra (or updates/, which later installers also take).',
    example: "`/lib/modules/4.19.0+1/kernel/drivers/net/acme.ko`: the kernel's own tree, which the next kernel update overwrites.",
    fix: "Install modules to `/lib/modules/%{kernel_release}/extra/` (XenServer 5.x-6.x) or `.../updates/` (7.x and later; depmod ranks it above the kernel's own modules).",
    check: ({ rpms }) =>
      rpms.flatMap((r) =>
        modules(r)
          .filter((m) => m.rest === undefined || !MODULE_DIRS.some((d) => m.rest!.startsWith(d)))
          .map((m) => ({ rpm: r.name, file: m.file.path, message: 'kernel module outside /lib/modules/<kernel>/extra/ (or updates/)' })),
      ),
  },
  {
    id: 'KMOD-ONE-KERNEL',
    severity: 'error',
    section: '7.7.2',
    title: 'One RPM per kernel: an RPM holds modules for one kernel only.',
    example: "One RPM holds `acme.ko` for both 4.19.0+1 and 4.19.0+2.",
    fix: "Build the spec once per kernel (suppack's `kernels` in suppack.json does), one RPM each.",
    check: ({ rpms }) =>
      rpms.flatMap((r) => {
        const kernels = moduleKernels(r);
        return kernels.length > 1 ? [{ rpm: r.name, message: `holds modules for ${kernels.length} kernels (${kernels.join(', ')}); build one RPM per kernel` }] : [];
      }),
  },
  {
    id: 'KMOD-NAME',
    severity: 'error',
    section: '7.7.2',
    title: 'Where several kernels are installed side by side (the xen and kdump era), a module RPM is named for its kernel.',
    example: "On XenServer 6.0, `acme-modules` holds modules for `2.6.32.12-0.7.1.xs6.0.0.529.170661xen`.",
    fix: "Name the package for its kernel: `acme-modules-xen-%{kernel_release}` (the DDK's examples do), so both flavours' RPMs can be installed side by side.",
    check: ({ rpms, pack }) => {
      if ((pack.platform?.kernel.flavours.length ?? 0) === 0) return [];
      return rpms.flatMap((r) => {
        const kernels = moduleKernels(r);
        return kernels.length === 1 && !r.info.name.includes(kernels[0]!)
          ? [{ rpm: r.name, message: `holds modules for kernel ${kernels[0]} but its name "${r.info.name}" does not name it (e.g. ${r.info.name}-${kernels[0]})` }]
          : [];
      });
    },
  },
  {
    id: 'KMOD-FLAVOURS',
    severity: 'error',
    section: '7.1',
    title: 'Modules are built for every kernel flavour the release boots (xen and kdump on XenServer 5.x and 6.x).',
    example: "On XenServer 6.0, `acme.ko` is built for the `...xen` kernel only.",
    fix: "Build it for the `kdump` kernel too (add both kernels to `kernels`): the crash kernel needs the driver to write the dump.",
    check: ({ rpms, pack }) => {
      const flavours = pack.platform?.kernel.flavours ?? [];
      if (flavours.length === 0) return [];
      // Module basename → base kernel → flavours it was built for.
      const built = new Map<string, Map<string, Set<string>>>();
      const hits: RuleHit[] = [];
      for (const r of rpms) {
        for (const m of modules(r)) {
          if (m.kernel === undefined) continue;
          const flavour = flavourOf(m.kernel, flavours);
          if (flavour === undefined) {
            hits.push({ rpm: r.name, file: m.file.path, message: `kernel ${m.kernel} is none of ${pack.platform!.name}'s flavours (${flavours.join(', ')})` });
            continue;
          }
          const base = m.kernel.slice(0, -flavour.length);
          const mod = m.file.path.slice(m.file.path.lastIndexOf('/') + 1);
          const byBase = built.get(mod) ?? new Map<string, Set<string>>();
          byBase.set(base, (byBase.get(base) ?? new Set()).add(flavour));
          built.set(mod, byBase);
        }
      }
      for (const [mod, byBase] of built) {
        for (const [base, have] of byBase) {
          const missing = flavours.filter((f) => !have.has(f));
          if (missing.length > 0) hits.push({ message: `${mod} is built for ${[...have].map((f) => base + f).join(', ')} but not for ${missing.map((f) => base + f).join(', ')}` });
        }
      }
      return hits;
    },
  },
  {
    id: 'KMOD-VERMAGIC',
    severity: 'error',
    section: '7.1',
    title: "A module's vermagic names the kernel it is filed under.",
    example: "`/lib/modules/4.19.0+1/updates/acme.ko` whose `vermagic=` is `4.19.0+2 SMP mod_unload`.",
    fix: "Build the module against the kernel it is filed under (its kernel-devel tree); the kernel refuses a module whose vermagic differs.",
    check: ({ rpms }) =>
      rpms.flatMap((r) => {
        if (modules(r).length === 0) return [];
        // Not read (a compressed module, a payload suppack cannot unpack): lint.ts notes it.
        if (r.vermagic === undefined) return [];
        return modules(r).flatMap((m) => {
          const magic = r.vermagic!.get(m.file.path);
          if (magic === undefined) return [{ rpm: r.name, file: m.file.path, message: 'has no vermagic= in its .modinfo: not a loadable kernel module' }];
          const release = magic.split(' ')[0]!;
          return m.kernel !== undefined && release !== m.kernel
            ? [{ rpm: r.name, file: m.file.path, message: `built for kernel ${release} (vermagic "${magic}") but filed under ${m.kernel}` }]
            : [];
        });
      }),
  },
  {
    id: 'PLACE-UDEV',
    severity: 'error',
    section: '7.2',
    title: 'udev rules are in /etc/udev/rules.d/.',
    example: "`/lib/udev/rules.d/90-acme.rules`.",
    fix: "Install udev rules to `/etc/udev/rules.d/`.",
    check: ({ rpms }) =>
      rpms.flatMap((r) =>
        r.info.files
          .filter((f) => isRegular(f) && f.path.endsWith('.rules') && /\/(udev|rules\.d)\//.test(f.path) && !f.path.startsWith('/etc/udev/rules.d/'))
          .map((f) => ({ rpm: r.name, file: f.path, message: 'udev rules outside /etc/udev/rules.d/' })),
      ),
  },
  {
    id: 'PLACE-FIRMWARE',
    severity: 'error',
    section: '7.6',
    title: 'Firmware is in /lib/firmware.',
    example: "`/opt/acme/firmware/acme.bin`.",
    fix: "Install firmware to `/lib/firmware/`, where the kernel's firmware loader looks.",
    check: ({ rpms }) =>
      rpms.flatMap((r) =>
        r.info.files
          .filter((f) => isRegular(f) && /\/firmware\//.test(f.path) && !f.path.startsWith('/lib/firmware/') && !f.path.startsWith('/usr/share/doc/'))
          .map((f) => ({ rpm: r.name, file: f.path, message: 'firmware outside /lib/firmware/' })),
      ),
  },
  {
    id: 'PLACE-CONFIG',
    severity: 'error',
    section: '7.2',
    title: 'Configuration files are in /etc/.',
    example: "`%config /opt/acme/acme.conf`.",
    fix: "Put configuration under `/etc/` (e.g. `/etc/acme/acme.conf`).",
    check: ({ rpms }) =>
      rpms.flatMap((r) =>
        r.info.files
          .filter((f) => (f.flags & RPMFILE_CONFIG) !== 0 && !f.path.startsWith('/etc/'))
          .map((f) => ({ rpm: r.name, file: f.path, message: '%config file outside /etc/' })),
      ),
  },
  {
    id: 'PLACE-DOC',
    severity: 'error',
    section: '7.2',
    title: 'Documentation is in /usr/share/doc/ (man and info pages in their own trees).',
    example: "`%doc /opt/acme/README`.",
    fix: "Use `%doc README` (rpmbuild puts it in `/usr/share/doc/<name>/`).",
    check: ({ rpms }) =>
      rpms.flatMap((r) =>
        r.info.files
          .filter((f) => (f.flags & RPMFILE_DOC) !== 0 && isRegular(f) && !/^\/usr\/share\/(doc|man|info)\//.test(f.path))
          .map((f) => ({ rpm: r.name, file: f.path, message: '%doc file outside /usr/share/doc/' })),
      ),
  },
  {
    id: 'SCRIPT-STARTS-PROCESS',
    severity: 'error',
    section: '7.2',
    title: 'Scriptlets do not start processes.',
    example: "`%post` runs `service acmed start` (or `systemctl start acmed`, or `acmed &`).",
    fix: "Start nothing from a scriptlet: enable the service (`chkconfig acmed on`, `systemctl enable acmed`) and let the host start it at boot, or ask for a reboot in the pack's after-apply guidance.",
    check: (ctx) =>
      scriptlets(ctx).flatMap(({ rpm, label, body }) =>
        STARTS_PROCESS.flatMap(([re, what]) => {
          const m = re.exec(body);
          return m ? [{ rpm: rpm.name, file: label, message: `${what}: "${firstLineAt(body, m.index + m[0].length - 1)}"` }] : [];
        }),
      ),
  },
  {
    id: 'SCRIPT-FIREWALL',
    severity: 'error',
    section: '7.2',
    title: 'Firewall rules: iptables-restore < /etc/sysconfig/iptables, then iptables -A, then iptables-save > /etc/sysconfig/iptables.',
    example: "`%post` runs `iptables -A INPUT -p tcp --dport 4242 -j ACCEPT` alone.",
    fix: "`iptables-restore < /etc/sysconfig/iptables`, then `iptables -A ...`, then `iptables-save > /etc/sysconfig/iptables` (the generated userspace spec shows it); undo it the same way in `%postun`.",
    check: (ctx) =>
      scriptlets(ctx).flatMap(({ rpm, label, body }) => {
        const hits: RuleHit[] = [];
        const other = IPTABLES_OTHER.exec(body);
        if (other) hits.push({ rpm: rpm.name, file: label, message: `changes the firewall with iptables ${other[1]}; add rules with iptables -A only` });
        const add = IPTABLES_ADD.exec(body);
        if (add) {
          const restore = IPTABLES_RESTORE.exec(body);
          if (!restore || restore.index > add.index) hits.push({ rpm: rpm.name, file: label, message: 'adds iptables rules without first loading the saved ones (iptables-restore < /etc/sysconfig/iptables)' });
          const lastAdd = body.lastIndexOf(add[0]);
          const saves = [...body.matchAll(new RegExp(IPTABLES_SAVE.source, 'g'))];
          if (!saves.some((s) => s.index! > lastAdd)) hits.push({ rpm: rpm.name, file: label, message: 'adds iptables rules without saving them afterwards (iptables-save > /etc/sysconfig/iptables)' });
        }
        return hits;
      }),
  },
  {
    id: 'SCRIPT-RUNNING-HOST',
    severity: 'warning',
    section: '7.2',
    title: "Scriptlets that need a running host test for one (`if runlevel >/dev/null 2>&1`): packs are also installed by the host installer.",
    example: "`%post` runs `xe host-param-set ...` unconditionally.",
    fix: "Guard it: `if runlevel >/dev/null 2>&1; then ...; fi`, so the scriptlet does nothing inside the host installer.",
    check: (ctx) =>
      scriptlets(ctx).flatMap(({ rpm, label, body }) => {
        if (RUNLEVEL_TEST.test(body)) return [];
        const uses = NEEDS_RUNNING_HOST.filter(([re]) => re.test(body)).map(([, what]) => what);
        return uses.length > 0 ? [{ rpm: rpm.name, file: label, message: `uses ${uses.join(', ')} without testing for a running host (runlevel)` }] : [];
      }),
  },
  {
    id: 'UNINSTALL-CLEAN',
    severity: 'error',
    section: '7.4',
    title: 'Every RPM erases cleanly (rpm -e): its scriptlets revert what they did.',
    example: "`%post` writes `/etc/acme/generated.conf` and `%postun` leaves it.",
    fix: 'Undo in `%preun`/`%postun` (when `$1` is 0: an erase, not an upgrade) what `%post` did: generated files, firewall rules, log rotation.',
    check: ({ rpms }) =>
      rpms.flatMap((r) => {
        const left = r.leftovers ?? [];
        const shown = left.slice(0, 10);
        return shown.map((file, i) => ({
          rpm: r.name,
          file,
          message: `left behind after rpm -e${i === shown.length - 1 && left.length > shown.length ? ` (and ${left.length - shown.length} more files)` : ''}`,
        }));
      }),
  },
  {
    id: 'UPGRADE-VENDOR',
    severity: 'error',
    section: '7.3',
    title: 'Vendor code and vendor name carry no version or build numbers (upgrades match on them).',
    example: "`--vendor-code=acme-2.1` or `--vendor-name=\"ACME build 7\"`.",
    fix: "Keep vendor code and name the same across releases (`acme`, `ACME Corp`); the version goes in `--version`.",
    check: ({ pack }) =>
      (
        [
          ['vendor code', pack.vendorCode],
          ['vendor name', pack.vendorName],
        ] as const
      ).flatMap(([what, value]) =>
        value !== undefined && VERSIONISH.some((re) => re.test(value))
          ? [{ message: `${what} "${value}" looks like it carries a version or build number; upgrades only match packs with the same ${what}` }]
          : [],
      ),
  },
  {
    id: 'UPGRADE-PREVIOUS',
    severity: 'error',
    section: '7.3.2',
    title: "A pack's RPMs upgrade the previous release's: same names, higher versions.",
    example: "Release 1.1 drops `acme-tools`, or ships `acme-tools-1.0-1` again where 1.0 shipped `1.0-2`.",
    fix: "Ship every RPM of the previous release with a higher version or release (or obsolete it from another RPM).",
    check: ({ pack, rpms }) => {
      if (pack.previous === undefined) return [];
      const hits: RuleHit[] = [];
      for (const old of pack.previous) {
        const now = rpms.find((r) => r.info.name === old.name);
        if (now === undefined) {
          hits.push({ message: `${old.name} (${evr(old)}) of the previous release is not in this pack: rpm -U leaves it installed` });
        } else if (compareEvr(now.info, old) <= 0) {
          hits.push({ rpm: now.name, message: `${evr(now.info)} does not upgrade the previous release's ${evr(old)}` });
        }
      }
      return hits;
    },
  },
  {
    id: 'VERSION-DOTS',
    severity: 'error',
    section: '7.7.1',
    title: "A pack's version has at least one dot; for XenServer 5.6, one or two dots and no hyphen.",
    example: "`--version=1` for any host; `--version=1.2.3.4` or `1-2.3` for XenServer 5.6.",
    fix: "Use at least one dot (`1.0`); for XenServer 5.6 one or two dots and no hyphen.",
    check: ({ pack }) => {
      const v = pack.version;
      if (v === undefined) return [];
      const dots = v.split('.').length - 1;
      if (dots === 0) return [{ message: `version "${v}" has no dot; the installer needs at least one (e.g. "${v}.0")` }];
      if (pack.platform?.name === 'XenServer 5.6') {
        if (dots > 2) return [{ message: `version "${v}" has ${dots} dots; XenServer 5.6's installer takes at most two` }];
        if (v.includes('-')) return [{ message: `version "${v}" has a hyphen, which XenServer 5.6's installer reads as the build separator` }];
      }
      return [];
    },
  },
  {
    id: 'FIRMWARE-TARBALL',
    severity: 'warning',
    section: '7.6',
    title: 'Firmware tarballs are named <company-product>-<version>.',
    example: "`/lib/firmware/firmware.tar.gz`.",
    fix: "Name it `<company>-<product>-<version>.tar.gz`, e.g. `acme-nic-1.2.0.tar.gz`.",
    check: ({ rpms }) =>
      rpms.flatMap((r) =>
        r.info.files
          .filter((f) => isRegular(f) && f.path.startsWith('/lib/firmware/') && TARBALL.test(f.path))
          .filter((f) => !FIRMWARE_TARBALL.test(f.path.slice(f.path.lastIndexOf('/') + 1)))
          .map((f) => ({ rpm: r.name, file: f.path, message: 'firmware tarball not named <company-product>-<version>.tar.gz' })),
      ),
  },
  {
    id: 'WEIGHT-RUNTIME',
    severity: 'warning',
    section: '1.4',
    title: 'No heavy runtimes in dom0 (a JRE, a web server): they belong in an appliance VM.',
    example: "An RPM that requires `java-1.8.0-openjdk-headless` or ships `/usr/sbin/httpd`.",
    fix: "Run the component in an appliance VM and talk to the host through the XenAPI.",
    check: ({ rpms }) =>
      rpms.flatMap((r) => {
        const byFile = r.info.files.flatMap((f) => HEAVY_FILES.filter(([re]) => re.test(f.path)).map(([, what]) => ({ what, file: f.path })));
        const byRequire = r.info.requires.flatMap((d) => HEAVY_REQUIRES.filter(([re]) => re.test(d.name)).map(([, what]) => ({ what, file: `requires ${d.name}` })));
        const seen = new Set<string>();
        return [...byFile, ...byRequire]
          .filter((h) => !seen.has(h.what) && seen.add(h.what))
          .map((h) => ({ rpm: r.name, file: h.file, message: `ships or needs ${h.what}; dom0 is no place for it (use an appliance VM)` }));
      }),
  },
  {
    id: 'WEIGHT-MEMORY',
    severity: 'warning',
    section: '1.4',
    title: `A pack takes little of dom0 (${DOM0_MEMORY_MIB} MB): it declares and installs under a tenth of it.`,
    example: "`--mem=200`, or RPMs installing 100 MiB.",
    fix: "Keep what runs in dom0 small; move the rest to an appliance VM.",
    check: ({ pack, rpms }) => {
      const hits: RuleHit[] = [];
      if (pack.memMiB !== undefined && pack.memMiB > HEAVY_MIB) {
        hits.push({ message: `declares ${pack.memMiB} MiB of dom0 memory (--mem), more than a tenth of dom0's ${DOM0_MEMORY_MIB} MB` });
      }
      const installed = rpms.reduce((n, r) => n + r.info.size, 0);
      if (installed > HEAVY_MIB * 1024 * 1024) hits.push({ message: `installs ${mib(installed)} MiB into dom0, more than a tenth of dom0's ${DOM0_MEMORY_MIB} MB` });
      return hits;
    },
  },
  {
    id: 'HOST-CAPS',
    severity: 'error',
    section: 'docs/hosts.md',
    title: "The target host's rpm can install every RPM (rpmlib features, payload, digests, signatures).",
    example: "An RPM with sha256 file digests in a pack for XenServer 6.5 (rpm 4.4.2.3 needs md5).",
    fix: "Build the RPMs with suppack's build-rpms (it sets the host's rpmbuild macros), or rebuild them for the host's rpm as the message says (docs/hosts.md).",
    check: ({ pack, rpms }) =>
      rpms.flatMap((r) => hostProblems(r.facts, pack.host.rpm, pack.host.name).map((p) => ({ rpm: r.name, message: p.text }))),
  },
];

/** The line of `text` that holds offset `at`, trimmed and cut to 80 characters. */
function firstLineAt(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at);
  const line = text.slice(start, end === -1 ? undefined : end).trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

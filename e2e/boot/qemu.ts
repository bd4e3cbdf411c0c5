/**
 * Boot an installer ISO in QEMU, BIOS (SeaBIOS) or UEFI (OVMF), with the settings of
 * docs/boot-testing.md "QEMU settings that work", and read back what the probe install.img printed.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE } from './probe-initrd';

export type Firmware = 'bios' | 'uefi';
export type Accel = 'kvm' | 'tcg';

export interface BootOptions {
  firmware: Firmware;
  /** Hard limit for one QEMU run; QEMU is killed when it is reached. Default 180 s. */
  timeoutMs?: number;
  /** Where the serial console is written (kept); a temp file that is removed otherwise. */
  log?: string;
}

export interface BootResult {
  /** Everything the machine wrote to its first UART (Xen console, with dom0's hvc0 forwarded). */
  serial: string;
  accel: Accel;
}

/** Thrown when the hard timeout kills QEMU; `serial` holds the log so far. */
export class BootTimeoutError extends Error {
  constructor(
    readonly serial: string,
    readonly accel: Accel,
    timeoutMs: number,
  ) {
    super(`QEMU (${accel}) did not finish within ${timeoutMs} ms; serial log tail:\n${serial.slice(-3000)}`);
    this.name = 'BootTimeoutError';
  }
}

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';
const QEMU = 'qemu-system-x86_64';
const KVM_INTERNAL_ERROR = /KVM internal error/i;
/** Once the probe has printed its last line, QEMU gets this long to power off by itself. */
const AFTER_DONE_GRACE_MS = 10_000;

let kvmBroken = false;

/**
 * Whether to try KVM: /dev/kvm must be read-writable, and not the paravirtual kvm_pvm on which
 * SeaBIOS and OVMF die at once. SUPPACK_QEMU_ACCEL=tcg|kvm forces a choice.
 */
export function probeAccel(env: NodeJS.ProcessEnv = process.env): Accel {
  const forced = env.SUPPACK_QEMU_ACCEL;
  if (forced === 'tcg' || forced === 'kvm') return forced;
  if (kvmBroken || existsSync('/sys/module/kvm_pvm')) return 'tcg';
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return 'kvm';
  } catch {
    return 'tcg';
  }
}

export async function bootIso(iso: string, opts: BootOptions): Promise<BootResult> {
  const accel = probeAccel();
  const first = await runQemu(iso, opts, accel);
  if (accel === 'kvm' && first.kvmInternalError) {
    kvmBroken = true;
    return finish(await runQemu(iso, opts, 'tcg'), 'tcg', opts);
  }
  return finish(first, accel, opts);
}

function finish(run: QemuRun, accel: Accel, opts: BootOptions): BootResult {
  if (run.timedOut) throw new BootTimeoutError(run.serial, accel, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (run.failed !== undefined) throw new Error(`QEMU (${accel}) failed: ${run.failed}`);
  return { serial: run.serial, accel };
}

const DEFAULT_TIMEOUT_MS = 180_000;

interface QemuRun {
  serial: string;
  timedOut: boolean;
  kvmInternalError: boolean;
  /** stderr when QEMU exited non-zero without the probe having finished. */
  failed?: string;
}

/** QEMU option values are comma-separated; a literal comma is written twice. */
const optValue = (s: string) => s.replace(/,/g, ',,');

export function qemuArgs(iso: string, firmware: Firmware, accel: Accel, serialLog: string, ovmfVars?: string): string[] {
  const args = ['-accel', accel, '-cpu', accel === 'tcg' ? 'max,smap=off' : 'host'];
  args.push('-smp', '1', '-m', '2048', '-no-reboot', '-display', 'none', '-monitor', 'none');
  args.push('-serial', `file:${serialLog}`);
  if (firmware === 'uefi') {
    if (!ovmfVars) throw new Error('UEFI boot needs a writable copy of OVMF_VARS');
    args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${optValue(OVMF_CODE)}`);
    args.push('-drive', `if=pflash,format=raw,unit=1,file=${optValue(ovmfVars)}`);
  }
  args.push('-drive', `file=${optValue(iso)},media=cdrom,if=ide,index=2,format=raw,readonly=on`);
  if (firmware === 'bios') args.push('-boot', 'd');
  return args;
}

async function runQemu(iso: string, opts: BootOptions, accel: Accel): Promise<QemuRun> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tmp = mkdtempSync(join(tmpdir(), 'suppack-qemu-'));
  const log = opts.log ?? join(tmp, 'serial.log');
  writeFileSync(log, '');
  let vars: string | undefined;
  if (opts.firmware === 'uefi') {
    vars = join(tmp, 'OVMF_VARS.fd');
    copyFileSync(OVMF_VARS, vars);
  }
  const readLog = () => readFileSync(log, 'latin1');
  try {
    const child = spawn(QEMU, qemuArgs(iso, opts.firmware, accel, log, vars), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    let kvmInternalError = false;
    let doneAt: number | undefined;
    const started = Date.now();
    const onOutput = (b: Buffer) => {
      stderr += b.toString('utf8');
      // QEMU pauses the guest (it does not exit) on a KVM internal error.
      if (KVM_INTERNAL_ERROR.test(stderr) && !kvmInternalError) {
        kvmInternalError = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    const timer = setInterval(() => {
      const now = Date.now();
      if (doneAt === undefined && readLog().includes(PROBE.done)) doneAt = now;
      if (doneAt !== undefined && now - doneAt > AFTER_DONE_GRACE_MS) child.kill('SIGKILL');
      else if (now - started > timeoutMs) {
        timedOut = true;
        child.kill('SIGKILL');
      }
    }, 250);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c));
    }).finally(() => clearInterval(timer));
    const serial = readLog();
    const finished = serial.includes(PROBE.done);
    const failed = code !== 0 && !finished && !timedOut && !kvmInternalError ? `exit ${code}: ${stderr.trim()}` : undefined;
    return { serial, timedOut: timedOut && !finished, kvmInternalError, failed };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface ProbeReport {
  /** The dom0 kernel's /proc/cmdline, when the probe got that far. */
  cmdline?: string;
  /** /answerfile.xml as found in the ramdisk; null when the probe said there was none. */
  answerfile?: string | null;
}

/** Read the probe's marker lines (probe-initrd.ts) out of a serial log. */
export function parseProbeLog(serial: string): ProbeReport {
  const lines = serial.split('\n').map((l) => l.replace(/\r+$/, ''));
  const report: ProbeReport = {};
  const cmdline = lines.find((l) => l.startsWith(PROBE.cmdline));
  if (cmdline !== undefined) report.cmdline = cmdline.slice(PROBE.cmdline.length);
  if (lines.includes(PROBE.noAnswerfile)) {
    report.answerfile = null;
  } else {
    const begin = lines.indexOf(PROBE.answerfileBegin);
    const end = begin < 0 ? -1 : lines.indexOf(PROBE.answerfileEnd, begin + 1);
    if (end > begin) report.answerfile = lines.slice(begin + 1, end).join('\n');
  }
  return report;
}

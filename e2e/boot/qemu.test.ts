import { describe, expect, test } from 'vitest';
import { PROBE } from './probe-initrd';
import { parseProbeLog, qemuArgs } from './qemu';

/** Serial output as Xen forwards dom0's hvc0: CR CR LF line ends, kernel lines around the probe. */
const serialOf = (lines: string[]) => ['(XEN) Command line: console=com1', '[    7.25] Run /init as init process', ...lines, '[    7.76] reboot: Power down'].join('\r\r\n');

describe('parseProbeLog', () => {
  test('reads the dom0 command line and an absent answerfile', () => {
    const r = parseProbeLog(serialOf([PROBE.start, `${PROBE.cmdline}console=tty0 console=hvc0`, PROBE.noAnswerfile, PROBE.done]));
    expect(r).toEqual({ cmdline: 'console=tty0 console=hvc0', answerfile: null });
  });

  test('gives back the answerfile lines exactly, blank lines included', () => {
    const xml = '<?xml version="1.0"?>\n<installation>\n\n  <primary-disk>sda</primary-disk>\n</installation>\n';
    // The probe runs `cat` then `echo`, so a file ending in a newline shows one empty line before the end marker.
    const printed = `${xml}\n`.split('\n').slice(0, -1);
    const r = parseProbeLog(serialOf([PROBE.start, `${PROBE.cmdline}install answerfile=file:///answerfile.xml`, PROBE.answerfileBegin, ...printed, PROBE.answerfileEnd, PROBE.done]));
    expect(r.cmdline).toBe('install answerfile=file:///answerfile.xml');
    expect(r.answerfile).toBe(xml);
  });

  test('leaves out what the probe never printed', () => {
    expect(parseProbeLog(serialOf([]))).toEqual({});
    expect(parseProbeLog(serialOf([PROBE.start, `${PROBE.cmdline}x`, PROBE.answerfileBegin, 'cut off']))).toEqual({ cmdline: 'x' });
  });
});

describe('qemuArgs', () => {
  test('TCG: max CPU without SMAP, one vCPU, 2 GiB, no reboot, serial to the file', () => {
    const a = qemuArgs('/x/a,b.iso', 'bios', 'tcg', '/tmp/s.log').join(' ');
    expect(a).toContain('-accel tcg -cpu max,smap=off -smp 1 -m 2048 -no-reboot -display none');
    expect(a).toContain('-serial file:/tmp/s.log');
    expect(a).toContain('file=/x/a,,b.iso,media=cdrom');
    expect(a).toContain('-boot d');
    expect(a).not.toContain('pflash');
  });

  test('UEFI: OVMF code read-only and the given VARS copy as pflash', () => {
    const a = qemuArgs('/x/a.iso', 'uefi', 'kvm', '/tmp/s.log', '/tmp/v.fd');
    expect(a).toContain('if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd');
    expect(a).toContain('if=pflash,format=raw,unit=1,file=/tmp/v.fd');
    expect(a.slice(0, 4)).toEqual(['-accel', 'kvm', '-cpu', 'host']);
    expect(() => qemuArgs('/x/a.iso', 'uefi', 'tcg', '/tmp/s.log')).toThrow(/OVMF_VARS/);
  });
});

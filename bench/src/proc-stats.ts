/** CPU time and memory of a process from Linux /proc (the relay under test). */
import { readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far. Throws if /proc cannot be read. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM). */
export function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (clear_refs 5, Linux ≥ 4.0).
 * Returns false where the kernel refuses; the sampled maximum is then the only peak.
 */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** What the relay used during one measured window. */
export interface ProcessUsage {
  /** CPU time over wall time, in % of one core (200 % = both cores of this machine). */
  readonly cpuPercent: number;
  /** Largest RSS during the window, in bytes: VmHWM after a reset, or the sampled maximum. */
  readonly peakRssBytes: number;
  readonly peakSource: 'VmHWM' | 'sampled';
}

/** Measures a process between `start()` and `stop()`, sampling RSS every 50 ms as well. */
export function watchProcess(pid: number): { stop(): ProcessUsage } {
  const isReset = resetPeakRss(pid);
  const startCpu = cpuSeconds(pid);
  const startWall = performance.now();
  let sampledPeak = statusBytes(pid, 'VmRSS');
  const timer = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, statusBytes(pid, 'VmRSS'));
    } catch {
      // The process is gone; stop() will report what was seen.
    }
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      const wallSeconds = (performance.now() - startWall) / 1000;
      const cpu = cpuSeconds(pid) - startCpu;
      const hwm = statusBytes(pid, 'VmHWM');
      return {
        cpuPercent: (cpu / wallSeconds) * 100,
        peakRssBytes: isReset ? Math.max(hwm, sampledPeak) : sampledPeak,
        peakSource: isReset ? 'VmHWM' : 'sampled',
      };
    },
  };
}

/** The machine a run measured on, and whether other heavy work shared its CPU. */
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** What the results record about the machine. */
export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
}

/** Describes this machine. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: process.platform,
    kernel: release(),
  };
}

// Other engineers' test runs on the shared machine (issue #7: record whether it was quiet).
const BUSY = /vitest|chromium|chrome|\btsc\b|playwright/;

function ancestors(): Set<number> {
  const pids = new Set<number>([process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !pids.has(pid)) {
    pids.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return pids;
}

/** Command lines of running test runners, browsers or compilers other than this run's own. */
function busyProcesses(): string[] {
  const own = ancestors();
  const found: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const name of entries) {
    if (own.has(Number(name))) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (cmd !== '' && BUSY.test(cmd)) found.push(`${name}: ${cmd.slice(0, 120)}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Quiet-machine observations, taken before and after each workload. */
export class QuietLog {
  readonly #checks: { at: string; loadAverage1m: number; busy: string[] }[] = [];

  /** Records one observation now. */
  check(at: string): void {
    this.#checks.push({ at, loadAverage1m: loadavg()[0] ?? 0, busy: busyProcesses() });
  }

  /** Whether no other heavy process was seen at any check, and every check. */
  summary(): {
    quiet: boolean;
    checks: readonly { at: string; loadAverage1m: number; busy: string[] }[];
  } {
    return { quiet: this.#checks.every((c) => c.busy.length === 0), checks: this.#checks };
  }
}

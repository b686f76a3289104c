import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from 'postgres';
import { cpuSeconds } from '../gateway-harness.ts';

/**
 * CPU per process over a measured window, from /proc (Linux): named processes (a gateway, a baseline server, the
 * API server), the stack's Postgres (its postmaster and every child: backends, walsender, background workers —
 * not other clusters on a shared machine), the load generator (this process and its worker threads) and the whole
 * machine, so a figure can say what it was bound by and what the generator cost.
 */
export type CpuReading = Record<string, number>;

function parentPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The postmaster of the cluster `sql` is connected to: the parent of our backend. */
export async function postmasterPid(sql: Sql): Promise<number | undefined> {
  const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  try {
    return row ? parentPid(row.pid) : undefined;
  } catch {
    return undefined; // a Postgres on another machine
  }
}

/** CPU seconds of a process and all its children alive now. */
export function treeCpuSeconds(root: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      if (pid === root || parentPid(pid) === root) total += cpuSeconds(pid);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

function machineTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, v) => sum + v, 0);
  return { busy: total - fields[3]! - (fields[4] ?? 0), total };
}

function safe(read: () => number): number {
  try {
    return read();
  } catch {
    return Number.NaN;
  }
}

/** Resident memory of a process (bytes), or null when it is gone. */
export function rssOf(pid: number): number | null {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  } catch {
    return null;
  }
}

export const LOAD_GENERATOR = 'load generator';

export class CpuMeter {
  #start: { wall: number; seconds: CpuReading; machine: { busy: number; total: number } } | undefined;

  /** `processes`: name → pid (a whole process tree when `tree`); undefined pids are left out. */
  constructor(readonly processes: Record<string, { pid: number | undefined; tree?: boolean }>) {}

  #read(): CpuReading {
    const own = process.cpuUsage();
    const reading: CpuReading = { [LOAD_GENERATOR]: (own.user + own.system) / 1e6 };
    for (const [name, { pid, tree }] of Object.entries(this.processes)) {
      if (pid !== undefined) reading[name] = safe(() => (tree ? treeCpuSeconds(pid) : cpuSeconds(pid)));
    }
    return reading;
  }

  start(): void {
    this.#start = { wall: performance.now(), seconds: this.#read(), machine: machineTimes() };
  }

  /** % of one core per process since start(), and the whole machine's busy share of all its cores. */
  stop(): { percentOfOneCore: CpuReading; machineBusyPercent: number; seconds: number } {
    const start = this.#start;
    if (!start) throw new Error('CpuMeter.stop() before start()');
    const seconds = (performance.now() - start.wall) / 1000;
    const now = this.#read();
    const machine = machineTimes();
    const percentOfOneCore: CpuReading = {};
    for (const [name, value] of Object.entries(now)) {
      const before = start.seconds[name];
      if (before !== undefined && Number.isFinite(value - before)) {
        percentOfOneCore[name] = Math.round(((value - before) / seconds) * 100);
      }
    }
    return {
      percentOfOneCore,
      machineBusyPercent: Math.round(((machine.busy - start.machine.busy) / (machine.total - start.machine.total)) * 100),
      seconds,
    };
  }
}

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** A process as /proc shows it; the start time tells a live PID from a reused one. */
export interface ProcessId {
  readonly pid: number;
  readonly startTime: string;
}

interface ProcStat extends ProcessId {
  readonly ppid: number;
  /** R, S, D, Z (zombie: dead, not yet reaped)… */
  readonly state: string;
  /**
   * CPU clock ticks of all its threads (user + system) plus those of its children it has reaped
   * (cutime + cstime), so a child that exits between two readings is still counted.
   */
  readonly cpuTicks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is the state (field 3), so ppid is fields[1], utime..cstime (fields 14-17)
    // fields[11..14] and starttime (field 22) fields[19].
    const cpuTicks = fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0);
    return {
      pid,
      state: fields[0] ?? "",
      ppid: Number(fields[1]),
      startTime: fields[19] ?? "",
      cpuTicks,
    };
  } catch {
    return null;
  }
}

/** Every process's stat, read in one pass over /proc. */
function processTable(): ProcStat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
}

function statsBelow(pid: number, all: readonly ProcStat[]): ProcStat[] {
  const found: ProcStat[] = [];
  let frontier = new Set([pid]);
  while (frontier.size > 0) {
    const next = all.filter((stat) => frontier.has(stat.ppid));
    found.push(...next);
    frontier = new Set(next.map((stat) => stat.pid));
  }
  return found;
}

/** Every process below `pid` (children, grandchildren…), read from /proc (Linux only). */
export function descendants(pid: number): ProcessId[] {
  return statsBelow(pid, processTable()).map(({ pid: child, startTime }) => ({
    pid: child,
    startTime,
  }));
}

/** The executable name of `pid` (/proc/<pid>/comm: "node", "esbuild"…); null once it is gone. */
export function commandName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return null;
  }
}

/** Whether this very process (same PID and start time) still runs; a zombie does not count. */
export function stillRunning(process: ProcessId): boolean {
  const stat = readStat(process.pid);
  return stat !== null && stat.startTime === process.startTime && stat.state !== "Z";
}

/**
 * Memory of `pid` and every process below it, in bytes: resident (RSS, pages shared between the
 * processes counted in each) and proportional (PSS, shared pages split between their users).
 */
export function treeMemory(pid: number): { readonly rss: number; readonly pss: number } {
  let rss = 0;
  let pss = 0;
  for (const { pid: member } of [{ pid }, ...descendants(pid)]) {
    try {
      const rollup = readFileSync(`/proc/${member}/smaps_rollup`, "utf8");
      rss += kilobytes(rollup, "Rss") * 1024;
      pss += kilobytes(rollup, "Pss") * 1024;
    } catch {
      // it exited meanwhile
    }
  }
  return { rss, pss };
}

function kilobytes(rollup: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? 0);
}

let clockTicksPerSecond: number | undefined;

/**
 * CPU seconds (user + system, all threads) that `pid` and every process below it have used,
 * including descendants that exited and were reaped (through their parent's cutime/cstime). The
 * difference of two readings is the tree's CPU time in between, whatever it ran in: threads,
 * forked children, or both. Linux only.
 */
export function treeCpuSeconds(pid: number): number {
  clockTicksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
  // One pass over /proc; a child reaped between the reads of its parent and of itself would be
  // missed, but the pass takes milliseconds and a job's processes live for the whole job.
  const all = processTable();
  const tree = [...all.filter((stat) => stat.pid === pid), ...statsBelow(pid, all)];
  return tree.reduce((sum, stat) => sum + stat.cpuTicks, 0) / clockTicksPerSecond;
}

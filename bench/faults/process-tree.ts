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
}

function readStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is the state (field 3), so ppid is fields[1] and starttime (field 22) fields[19].
    return { pid, state: fields[0] ?? "", ppid: Number(fields[1]), startTime: fields[19] ?? "" };
  } catch {
    return null;
  }
}

/** Every process below `pid` (children, grandchildren…), read from /proc (Linux only). */
export function descendants(pid: number): ProcessId[] {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
  const found: ProcessId[] = [];
  let frontier = new Set([pid]);
  while (frontier.size > 0) {
    const next = all.filter((stat) => frontier.has(stat.ppid));
    found.push(...next.map(({ pid: child, startTime }) => ({ pid: child, startTime })));
    frontier = new Set(next.map((stat) => stat.pid));
  }
  return found;
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

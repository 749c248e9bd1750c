/**
 * treeCpuSeconds (bench/faults/process-tree.ts), which the end-to-end bench uses for a worker's
 * CPU time: a grandchild's CPU is counted while it runs and, through its parent's cutime, after
 * it exited and was reaped. Compared with the grandchild's own process.cpuUsage(), not a clock.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { descendants, treeCpuSeconds } from "../../bench/faults/process-tree.js";

/** Burns CPU, prints its own CPU seconds, then exits when its stdin closes. */
const BURNER = `
let x = 0;
const until = process.cpuUsage().user + 300_000;
while (process.cpuUsage().user < until) x += Math.sqrt(x + 1);
const cpu = process.cpuUsage();
console.log((cpu.user + cpu.system) / 1e6);
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
`;
/** One clock tick (1/100 s on Linux) of rounding per reading. */
const TICK = 0.01;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("treeCpuSeconds", () => {
  it("counts a grandchild's CPU while it runs and after its parent reaped it", async () => {
    // sh runs node in the foreground (so it reaps it), then waits for SIGKILL.
    const shell = spawn("sh", ["-c", `"${process.execPath}" -e '${BURNER}'; exec sleep 600`], {
      detached: true,
      stdio: ["pipe", "pipe", "inherit"],
    });
    const pid = shell.pid as number;
    try {
      const firstLine = await new Promise<string>((resolve) =>
        createInterface({ input: shell.stdout }).once("line", resolve),
      );
      const burned = Number(firstLine);
      expect(burned).toBeGreaterThan(0.2);
      expect(descendants(pid)).toHaveLength(1);
      expect(treeCpuSeconds(pid)).toBeGreaterThanOrEqual(burned - TICK);

      shell.stdin.end();
      // Once node has gone, sh is replaced by sleep: the tree is one process, no descendants.
      while (descendants(pid).length > 0) await sleep(50);
      expect(treeCpuSeconds(pid)).toBeGreaterThanOrEqual(burned - TICK);
    } finally {
      process.kill(-pid, "SIGKILL");
    }
  });
});

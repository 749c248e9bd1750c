/**
 * End-to-end compression seconds, this checkout against another (e.g. main before a change),
 * side by side in one run (issue 15 item 4): for each method and size, one child process per
 * checkout runs bench/scorer/end-to-end-once.ts (copied into the other checkout when missing),
 * alternating which checkout goes first, so both see the same machine load. In process only;
 * bench/queue/overhead.ts measures what the queue adds.
 *
 *   git worktree add /tmp/scorer-before main && cp -al node_modules /tmp/scorer-before/
 *   npx tsx bench/scorer/end-to-end.ts --before /tmp/scorer-before
 *       [--methods llmlingua,longllmlingua,llmlingua2,landmark] [--sizes 10000,100000]
 *       [--rate 0.3] [--reps 1]
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    before: { type: "string" },
    methods: { type: "string", default: "llmlingua,longllmlingua,llmlingua2,landmark" },
    sizes: { type: "string", default: "10000,100000" },
    rate: { type: "string", default: "0.3" },
    reps: { type: "string", default: "1" },
  },
});
if (args.before === undefined)
  throw new Error("--before <checkout of the code to compare> is required");
const after = path.resolve(import.meta.dirname, "../..");
const before = path.resolve(args.before);
const child = "bench/scorer/end-to-end-once.ts";
if (!existsSync(path.join(before, child))) {
  copyFileSync(path.join(after, child), path.join(before, child));
}

interface Timing {
  seconds: number;
  cpuSeconds: number;
}

function once(checkout: string, method: string, tokens: number): Timing {
  const out = execFileSync(
    path.join(checkout, "node_modules/.bin/tsx"),
    [child, "--method", method, "--tokens", String(tokens), "--rate", args.rate ?? "0.3"],
    { cwd: checkout, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as Timing;
}

const best = (timings: Timing[]): Timing => ({
  seconds: Math.min(...timings.map((t) => t.seconds)),
  cpuSeconds: Math.min(...timings.map((t) => t.cpuSeconds)),
});

console.log(
  `End-to-end compression in process, rate ${args.rate}, best of ${args.reps}; ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} at start`,
);
console.log(`before: ${before}\nafter: ${after}\n`);
console.log(
  "| method | tokens | before s | after s | after/before (wall) | before CPU s | after CPU s | after/before (CPU) |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const method of (args.methods ?? "").split(",")) {
  for (const tokens of (args.sizes ?? "").split(",").map(Number)) {
    const runs: Record<"before" | "after", Timing[]> = { before: [], after: [] };
    for (let rep = 0; rep < Number(args.reps); rep++) {
      // Alternate the order so neither checkout always runs on the busier moment.
      const order = rep % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const);
      for (const which of order) {
        runs[which].push(once(which === "before" ? before : after, method, tokens));
      }
    }
    const b = best(runs.before);
    const a = best(runs.after);
    console.log(
      `| ${method} | ${tokens} | ${b.seconds.toFixed(2)} | ${a.seconds.toFixed(2)} | ${(a.seconds / b.seconds).toFixed(2)} | ` +
        `${b.cpuSeconds.toFixed(2)} | ${a.cpuSeconds.toFixed(2)} | ${(a.cpuSeconds / b.cpuSeconds).toFixed(2)} |`,
    );
  }
}

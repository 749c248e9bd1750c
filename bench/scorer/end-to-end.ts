/**
 * End-to-end compression seconds, this checkout against another (e.g. main before a change),
 * side by side in one run (issue 15 item 4): for each method and size, each checkout runs
 * bench/scorer/end-to-end-once.ts with its own code (the script is copied into the other
 * checkout unless it tracks one), alternating which checkout goes first, so both see the same
 * machine load.
 *
 * `--via in-process` (default) compresses in the child process; CPU is the child's.
 * `--via worker` starts each checkout's own `ctxpress worker` (compress queue, concurrency 1)
 * under a fresh prefix of the shared Redis, and the child enqueues through that checkout's queue
 * client: seconds are enqueue → result read back; CPU is the worker's whole process tree (job
 * thread or sandboxed children) plus the client's. The worker is stopped and its prefix's keys
 * deleted after each timing.
 *
 *   git worktree add --detach /tmp/scorer-before 07e2bae && cp -al node_modules /tmp/scorer-before/
 *   npx tsx bench/scorer/end-to-end.ts --before /tmp/scorer-before [--via in-process|worker]
 *       [--methods llmlingua,longllmlingua,llmlingua2,landmark] [--sizes 10000,100000]
 *       [--rate 0.3] [--reps 1] [--redis-url redis://127.0.0.1:6379]
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_REDIS_URL } from "../../queues/names.js";
import { installChild, runChild, type Timing } from "./end-to-end-child.js";
import { timeThroughWorker } from "./end-to-end-worker.js";

const { values: args } = parseArgs({
  options: {
    before: { type: "string" },
    via: { type: "string", default: "in-process" },
    methods: { type: "string", default: "llmlingua,longllmlingua,llmlingua2,landmark" },
    sizes: { type: "string", default: "10000,100000" },
    rate: { type: "string", default: "0.3" },
    reps: { type: "string", default: "1" },
    "redis-url": { type: "string", default: DEFAULT_REDIS_URL },
  },
});
if (args.before === undefined)
  throw new Error("--before <checkout of the code to compare> is required");
if (args.via !== "in-process" && args.via !== "worker")
  throw new Error(`--via is in-process or worker; got ${args.via}`);
const viaWorker = args.via === "worker";
const after = path.resolve(import.meta.dirname, "../..");
const before = path.resolve(args.before);
installChild(before, after);

async function once(checkout: string, method: string, tokens: number): Promise<Timing> {
  const childArgs = ["--method", method, "--tokens", String(tokens), "--rate", args.rate ?? "0.3"];
  if (!viaWorker) return runChild(checkout, [...childArgs, "--via", "in-process"]);
  const timing = await timeThroughWorker(checkout, childArgs, args["redis-url"] ?? "");
  if (timing.strays) console.error(`warning: ${checkout}'s worker left processes (killed)`);
  return timing;
}

const best = (timings: Timing[]): Timing => ({
  seconds: Math.min(...timings.map((t) => t.seconds)),
  cpuSeconds: Math.min(...timings.map((t) => t.cpuSeconds)),
});

console.log(
  `End-to-end compression ${viaWorker ? "through a worker (enqueue → result; CPU of worker tree + client)" : "in process"}, rate ${args.rate}, best of ${args.reps}; ${os.cpus().length} CPUs, load average ${os
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
        runs[which].push(await once(which === "before" ? before : after, method, tokens));
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

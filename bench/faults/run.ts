/**
 * The fault suite: compress jobs over several worker processes on a Redis of its own while
 * workers are SIGKILLed, Redis is SIGKILLed and restarted, and every client is paused past the
 * job lock; prints what was lost, failed, computed twice or orphaned, and how fast killed
 * workers' jobs restarted. Exits 1 when a job was lost or failed for a reason other than its
 * input, or a process was orphaned.
 *
 *   npm run faults -- [--jobs 1000] [--workers 3] [--concurrency 2] [--kills 20] [--seed 1]
 *                     [--lock-duration ms] [--stalled-interval ms] [--timeout-s 1800] [--logs dir]
 *
 * Needs `redis-server` on PATH (it never touches another Redis). Lock and stall intervals are the
 * workers' defaults unless given.
 */
import { parseArgs } from "node:util";
import { formatReport, runFaults } from "./fault-run.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "1000" },
    workers: { type: "string", default: "3" },
    concurrency: { type: "string", default: "2" },
    kills: { type: "string", default: "20" },
    seed: { type: "string", default: "1" },
    "lock-duration": { type: "string" },
    "stalled-interval": { type: "string" },
    "timeout-s": { type: "string", default: "1800" },
    logs: { type: "string" },
  },
});
const jobs = Number(values.jobs);
const report = await runFaults({
  jobs,
  badJobs: Math.max(1, Math.round(jobs / 100)),
  workers: Number(values.workers),
  concurrency: Number(values.concurrency),
  kills: Number(values.kills),
  seed: Number(values.seed),
  ...(values["lock-duration"] ? { lockDurationMs: Number(values["lock-duration"]) } : {}),
  ...(values["stalled-interval"] ? { stalledIntervalMs: Number(values["stalled-interval"]) } : {}),
  timeoutMs: Number(values["timeout-s"]) * 1000,
  ...(values.logs ? { logsDir: values.logs } : {}),
  log: (message) => console.log(`${new Date().toISOString()} ${message}`),
});
console.log(formatReport(report));
if (report.lost.length > 0 || report.failedOther.length > 0 || report.orphans > 0)
  process.exitCode = 1;

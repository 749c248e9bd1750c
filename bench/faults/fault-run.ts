import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { COMPRESS_JOB, COMPRESS_QUEUE } from "../../queues/names.js";
import { defaultRetention } from "../../queues/retention.js";
import { percentile } from "../../src/compressors/llmlingua2/threshold.js";
import { CtxpressClient } from "../../src/sdk/client.js";
import { createStore } from "../../src/store/store.js";
import { workerConfigSchema } from "../../src/workers/config.js";
import { Rng } from "../tasks/rng.js";
import {
  compressWorkerArgs,
  type FaultWorker,
  isServing,
  type JobEvent,
  jobEvents,
  spawnFaultWorker,
} from "./fault-workers.js";
import { OwnRedis } from "./own-redis.js";
import { descendants, type ProcessId, stillRunning } from "./process-tree.js";
import { tinyRandomModelsFile } from "./tiny-models.js";

export interface FaultRunOptions {
  /** Compress jobs enqueued through the SDK (distinct inputs: no dedup). */
  readonly jobs: number;
  /** Characters of text per job (default 3,000: about a second of tiny-random on a busy core). */
  readonly contextChars?: number;
  /** Raw jobs with bad input (rate 2) that must fail for good, once each. */
  readonly badJobs: number;
  /** Worker processes kept running (a killed one is replaced at once). */
  readonly workers: number;
  readonly concurrency: number;
  /** SIGKILLs of a random worker's PID, spread over the run. */
  readonly kills: number;
  readonly seed: number;
  /** Lock and stall-check intervals given to the workers; their defaults when absent. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** Give up waiting for the jobs after this long; the rest count as lost. */
  readonly timeoutMs: number;
  readonly log: (message: string) => void;
  /** A folder to write each worker's log to (`worker-<pid>.log`), for a closer look. */
  readonly logsDir?: string;
}

export interface FaultReport {
  readonly enqueued: number;
  readonly completed: number;
  readonly failedBadInput: number;
  /** Failed jobs that were not bad input: id and reason. */
  readonly failedOther: readonly { readonly id: string; readonly reason: string }[];
  /** Jobs neither completed nor failed at the end: id and state. */
  readonly lost: readonly { readonly id: string; readonly state: string }[];
  readonly kills: number;
  readonly redisRestarts: number;
  readonly pauseMs: number;
  readonly workerProcesses: number;
  /** Runs of a job beyond its first, by cause. */
  readonly reruns: {
    /** Its worker was killed while running it (expected: that run never finished). */
    readonly afterKill: number;
    /** An earlier attempt failed with a retryable error (a Redis outage). */
    readonly afterError: number;
    /** Anything else: the same job computed twice while its worker lived (a lost lock). */
    readonly duplicate: number;
  };
  /** Jobs that more than one worker reported completed. */
  readonly completedTwice: number;
  /** Processes below a killed worker still running after it died. */
  readonly orphans: number;
  /** Kill of a worker → its running job started again elsewhere, one sample per such job. */
  readonly recoveryMs: readonly number[];
  /** Kill of a worker → its running job found stalled and put back in the queue. */
  readonly requeueMs: readonly number[];
  /** "[ioredis] Unhandled error event" lines in all worker logs. */
  readonly unhandledErrorLines: number;
  readonly wallMs: number;
}

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const document = readFileSync(path.join(repoRoot, "examples/long-document.txt"), "utf8");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `options.jobs` compress jobs over several `ctxpress worker` processes (tiny-random models)
 * on a Redis of its own (random loopback port, AOF on) while SIGKILLing random workers' PIDs
 * (each replaced at once), SIGKILLing and restarting Redis once, and pausing every Redis client
 * for longer than the job lock once. Reads the outcome from Redis and the workers' logs.
 * @throws Error when redis-server cannot start.
 */
export async function runFaults(options: FaultRunOptions): Promise<FaultReport> {
  const startedAt = Date.now();
  const rng = new Rng(options.seed);
  const redis = await OwnRedis.start();
  const prefix = `faults-${options.seed}`;
  const workers: FaultWorker[] = [];
  const killedTrees: ProcessId[] = [];
  const lockDurationMs = options.lockDurationMs ?? workerConfigSchema.parse({}).lockDurationMs;
  const pauseMs = lockDurationMs + 5_000;
  const monitor = new Redis({ host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null });
  monitor.on("error", () => {});
  const queue = new Queue(COMPRESS_QUEUE, {
    connection: { host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null },
    prefix,
  });
  queue.on("error", () => {});
  const workerArgs = [
    ...compressWorkerArgs(redis.url, prefix, options.concurrency),
    "--models",
    tinyRandomModelsFile(),
    ...(options.lockDurationMs ? ["--lock-duration", String(options.lockDurationMs)] : []),
    ...(options.stalledIntervalMs ? ["--stalled-interval", String(options.stalledIntervalMs)] : []),
  ];
  const spawnWorker = () => {
    const worker = spawnFaultWorker(workerArgs);
    workers.push(worker);
    return worker;
  };
  const kill = (worker: FaultWorker) => {
    killedTrees.push(...descendants(worker.pid));
    worker.killedAt = Date.now();
    process.kill(worker.pid, "SIGKILL");
  };

  try {
    for (let i = 0; i < options.workers; i += 1) spawnWorker();
    while (workers.filter(isServing).length < options.workers) {
      if (workers.some((worker) => worker.process.exitCode !== null)) {
        throw new Error(`a worker exited at startup:\n${workers.map((w) => w.output).join("\n")}`);
      }
      await sleep(200);
    }
    options.log(`${options.workers} workers serving on redis ${redis.url}; enqueueing`);
    const ids = await enqueue(redis.url, prefix, options, monitor, queue);
    const total = ids.good.length + ids.bad.length;

    // Faults fire at fractions of the finished jobs, so they land mid-run at any speed.
    const killPoints = Array.from({ length: options.kills }, () => 0.05 + rng.next() * 0.85).sort();
    const faults: { at: number; run: () => Promise<void> }[] = [
      ...killPoints.map((at) => ({
        at,
        run: async () => {
          // At least one other worker serves, so a kill measures recovery, not a dead fleet.
          while (workers.filter(isServing).length < 2) await sleep(200);
          const victim = rng.pick(workers.filter(isServing));
          kill(victim);
          spawnWorker();
          options.log(`killed worker ${victim.pid} (SIGKILL), started a replacement`);
        },
      })),
      {
        at: 0.4,
        run: async () => {
          await redis.kill();
          options.log("redis-server SIGKILLed; restarting in 2 s");
          await sleep(2_000);
          await redis.restart();
          options.log("redis-server restarted (AOF reloaded)");
        },
      },
      {
        at: 0.65,
        run: async () => {
          options.log(`CLIENT PAUSE ${pauseMs} ALL (lock ${lockDurationMs} ms)`);
          await monitor.call("CLIENT", "PAUSE", String(pauseMs), "ALL");
          await sleep(pauseMs);
        },
      },
    ].sort((a, b) => a.at - b.at);

    const deadline = startedAt + options.timeoutMs;
    let finished = 0;
    while (finished < total && Date.now() < deadline) {
      const counts = await queue.getJobCounts("completed", "failed");
      finished = (counts.completed ?? 0) + (counts.failed ?? 0);
      // One fault per look at the counts: faults due once every job finished never fire.
      if ((faults[0]?.at ?? 1) <= finished / total) await faults.shift()?.run();
      await sleep(200);
    }
    const report = await outcome(queue, ids, workers, pauseMs);
    // Every worker left is SIGKILLed too, and its descendants checked like the others'.
    for (const worker of workers)
      if (worker.process.exitCode === null && worker.killedAt === null) kill(worker);
    await sleep(2_000);
    return {
      ...report,
      orphans: killedTrees.filter(stillRunning).length,
      wallMs: Date.now() - startedAt,
    };
  } finally {
    if (options.logsDir) {
      mkdirSync(options.logsDir, { recursive: true });
      for (const worker of workers) {
        writeFileSync(path.join(options.logsDir, `worker-${worker.pid}.log`), worker.output);
      }
    }
    for (const worker of workers) {
      try {
        process.kill(-worker.pid, "SIGKILL");
      } catch {
        // its group is gone
      }
    }
    await queue.close().catch(() => {});
    monitor.disconnect();
    await redis.stop();
  }
}

async function enqueue(
  redisUrl: string,
  prefix: string,
  options: FaultRunOptions,
  monitor: Redis,
  queue: Queue,
): Promise<{ good: string[]; bad: string[] }> {
  const client = await CtxpressClient.connect({ redisUrl, prefix });
  try {
    const good: string[] = [];
    for (let i = 0; i < options.jobs; i += 1) {
      const chars = options.contextChars ?? 3_000;
      const start = (i * 997) % (document.length - chars);
      const handle = await client.enqueueCompress(
        { contexts: [`Request ${i}. ${document.slice(start, start + chars)}`] },
        { method: "llmlingua", rate: 0.5 },
      );
      good.push(handle.id);
    }
    // A raw producer skips the SDK's checks: these must fail for good, once, with the reason.
    const store = createStore(monitor, prefix, defaultRetention);
    const bad: string[] = [];
    for (let i = 0; i < options.badJobs; i += 1) {
      const text = await store.documents.put(`Bad request ${i}: ${document.slice(0, 500)}`);
      const job = await queue.add(
        COMPRESS_JOB,
        { version: 1, documents: [text], options: { method: "llmlingua", rate: 2 } },
        { jobId: `bad-input-${i}`, attempts: 3 },
      );
      bad.push(String(job.id));
    }
    return { good, bad };
  } finally {
    await client.close();
  }
}

async function outcome(
  queue: Queue,
  ids: { good: string[]; bad: string[] },
  workers: readonly FaultWorker[],
  pauseMs: number,
): Promise<Omit<FaultReport, "orphans" | "wallMs">> {
  const failedOther: { id: string; reason: string }[] = [];
  const lost: { id: string; state: string }[] = [];
  let completed = 0;
  let failedBadInput = 0;
  const bad = new Set(ids.bad);
  for (const id of [...ids.good, ...ids.bad]) {
    const job = await queue.getJob(id);
    const state = job ? await job.getState() : "missing";
    if (state === "completed") completed += 1;
    else if (state === "failed" && bad.has(id) && /rate/.test(job?.failedReason ?? ""))
      failedBadInput += 1;
    else if (state === "failed") failedOther.push({ id, reason: job?.failedReason ?? "" });
    else lost.push({ id, state });
  }

  const events = workers.flatMap((worker) =>
    jobEvents(worker.output).map((event) => ({ ...event, worker })),
  );
  const reruns = { afterKill: 0, afterError: 0, duplicate: 0 };
  const recoveryMs: number[] = [];
  const requeueMs: number[] = [];
  const byJob = new Map<string, typeof events>();
  for (const event of events) byJob.set(event.jobId, [...(byJob.get(event.jobId) ?? []), event]);
  let completedTwice = 0;
  for (const jobEventsOfOne of byJob.values()) {
    const starts = jobEventsOfOne
      .filter((event) => event.kind === "started")
      .sort((a, b) => a.at - b.at);
    if (jobEventsOfOne.filter((event) => event.kind === "completed").length > 1)
      completedTwice += 1;
    for (const [index, start] of starts.entries()) {
      if (index === 0) continue;
      const previous = starts[index - 1] as (typeof starts)[number];
      const previousEnd = endOf(previous, jobEventsOfOne);
      if (previousEnd?.kind === "retrying") reruns.afterError += 1;
      else if (
        previousEnd === undefined &&
        previous.worker.killedAt !== null &&
        previous.worker.killedAt <= start.at
      ) {
        reruns.afterKill += 1;
        const killedAt = previous.worker.killedAt;
        recoveryMs.push(start.at - killedAt);
        const requeued = jobEventsOfOne.find(
          (event) => event.kind === "stalled" && event.at >= killedAt,
        );
        if (requeued) requeueMs.push(requeued.at - killedAt);
      } else reruns.duplicate += 1;
    }
  }
  return {
    enqueued: ids.good.length + ids.bad.length,
    completed,
    failedBadInput,
    failedOther,
    lost,
    kills: workers.filter((worker) => worker.killedAt !== null).length,
    redisRestarts: 1,
    pauseMs,
    workerProcesses: workers.length,
    reruns,
    completedTwice,
    recoveryMs,
    requeueMs,
    unhandledErrorLines: workers.reduce(
      (sum, worker) => sum + (worker.output.match(/Unhandled error event/g)?.length ?? 0),
      0,
    ),
  };
}

/** What ended a run of a job in the worker that started it (none: the worker died first). */
function endOf(
  start: JobEvent & { worker: FaultWorker },
  events: readonly (JobEvent & { worker: FaultWorker })[],
): JobEvent | undefined {
  return events
    .filter(
      (event) => event.worker === start.worker && event.at >= start.at && event.kind !== "started",
    )
    .sort((a, b) => a.at - b.at)[0];
}

/** The report as the lines `npm run faults` prints. */
export function formatReport(report: FaultReport): string {
  const p = (samples: readonly number[], q: number) =>
    samples.length > 0 ? `${(percentile(samples, q) / 1000).toFixed(1)} s` : "n/a";
  const percentiles = (samples: readonly number[]) =>
    `p50 ${p(samples, 50)}, p99 ${p(samples, 99)}, max ${p(samples, 100)} over ${samples.length} jobs`;
  return [
    `jobs enqueued            ${report.enqueued}`,
    `completed                ${report.completed}`,
    `failed (bad input)       ${report.failedBadInput}`,
    `failed (other)           ${report.failedOther.length}${report.failedOther.map((f) => `\n  ${f.id}: ${f.reason}`).join("")}`,
    `lost                     ${report.lost.length}${report.lost.map((l) => `\n  ${l.id}: ${l.state}`).join("")}`,
    `faults                   ${report.kills} worker SIGKILLs, ${report.redisRestarts} Redis SIGKILL+restart, 1 CLIENT PAUSE of ${report.pauseMs} ms`,
    `worker processes         ${report.workerProcesses}`,
    `reruns after a kill      ${report.reruns.afterKill}`,
    `reruns after an error    ${report.reruns.afterError}`,
    `duplicate computations   ${report.reruns.duplicate} (jobs completed twice: ${report.completedTwice})`,
    `orphaned processes       ${report.orphans}`,
    `kill → job requeued      ${percentiles(report.requeueMs)}`,
    `kill → job restarted     ${percentiles(report.recoveryMs)}`,
    `ioredis unhandled errors ${report.unhandledErrorLines}`,
    `wall time                ${(report.wallMs / 1000).toFixed(0)} s`,
  ].join("\n");
}

import { type Job, Worker } from "bullmq";
import { workerConnection } from "../../queues/connection.js";
import { ANSWER_QUEUE, type QueueName } from "../../queues/names.js";
import type { WorkerConfig } from "./config.js";
import { JobHost } from "./job-host.js";

export type WorkerLog = (message: string) => void;

export interface RunningWorkers {
  readonly workers: readonly Worker[];
  /**
   * Resolves once every worker is closed: after `close()`, or on its own when the job thread
   * could not set up its models or store (`reason` then says why).
   */
  readonly closed: Promise<{ readonly reason: string | null }>;
  /** Stops taking jobs, waits for the running ones to finish, then closes connections. */
  close(): Promise<void>;
}

/**
 * Starts one BullMQ worker per configured queue on this (main) thread, which only moves jobs and
 * renews their locks; every job runs in the process's one job thread (job-thread.ts), which holds
 * the one model set all queues and concurrent jobs share.
 * @throws WorkerSetupError when the job thread cannot start (a broken install).
 */
export async function startWorkers(
  config: WorkerConfig,
  log: WorkerLog = () => {},
): Promise<RunningWorkers> {
  const host = new JobHost(config, log);
  // A thread that cannot import its modules is one clear startup error, not a failure per job.
  await host.start();

  const workers = config.queues.map((queue) => createWorker(queue, config, host, log));
  let stopReason: string | null = null;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all(workers.map((worker) => worker.close())).then(() => host.close());
    return closing;
  };
  const closed = new Promise<{ reason: string | null }>((resolve) => {
    let open = workers.length;
    for (const worker of workers) {
      worker.on("failed", (job, error) => {
        if (error?.name !== "WorkerSetupError" || closing) return;
        stopReason = error.message;
        log(`stopping: ${error.message} (job ${job?.id} will be retried by another worker)`);
        void close();
      });
      worker.once("closed", () => {
        open -= 1;
        if (open === 0) resolve({ reason: stopReason });
      });
    }
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return { workers, closed, close };
}

function createWorker(
  queue: QueueName,
  config: WorkerConfig,
  host: JobHost,
  log: WorkerLog,
): Worker {
  const processor = async (job: Job, _token?: string, signal?: AbortSignal) =>
    host.run(
      {
        queue,
        jobId: String(job.id),
        data: job.data,
        childrenValues: queue === ANSWER_QUEUE ? await job.getChildrenValues() : {},
      },
      // Progress is advisory: a failed report must never fail the job.
      (progress) => void job.updateProgress(progress).catch(() => {}),
      signal,
    );
  const worker = new Worker(queue, processor, {
    connection: workerConnection(config.redisUrl),
    prefix: config.prefix,
    name: `ctxpress-${queue}-${process.pid}`,
    concurrency: config.concurrency,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: config.maxStalledCount,
  });
  worker.on("active", (job) => log(`${queue} ${job.id}: started`));
  worker.on("completed", (job) => log(`${queue} ${job.id}: completed`));
  worker.on("failed", (job, error) => {
    // BullMQ sets finishedOn only when the job moved to failed for good.
    const final = job?.finishedOn !== undefined;
    log(`${queue} ${job?.id}: failed${final ? "" : " (will retry)"}: ${error.message}`);
  });
  worker.on("stalled", (jobId) =>
    log(`${queue} ${jobId}: stalled (its worker died or lost its lock), requeued`),
  );
  // A lock that lapsed (Redis paused or away past it) makes the job another worker's: stop
  // computing it here instead of finishing a result BullMQ would refuse ("Missing lock").
  worker.on("lockRenewalFailed", (jobIds) => {
    for (const jobId of jobIds) {
      log(`${queue} ${jobId}: lock lost, abandoning this run (the job is requeued as stalled)`);
      worker.cancelJob(jobId, "lock lost");
    }
  });
  // While Redis is unreachable BullMQ reports the same error on every reconnect attempt.
  let lastError = "";
  worker.on("error", (error) => {
    if (error.message !== lastError) log(`${queue} worker error: ${error.message} (retrying)`);
    lastError = error.message;
  });
  worker.on("ready", () => {
    lastError = "";
  });
  return worker;
}

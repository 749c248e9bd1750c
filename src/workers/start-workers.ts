import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "bullmq";
import { workerConnection } from "../../queues/connection.js";
import type { QueueName } from "../../queues/names.js";
import { WORKER_CONFIG_ENV, type WorkerConfig } from "./config.js";

export type WorkerLog = (message: string) => void;

export interface RunningWorkers {
  readonly workers: readonly Worker[];
  /**
   * Resolves once every worker is closed: after `close()`, or on its own when a child process
   * could not set up its models or store (`reason` then says why).
   */
  readonly closed: Promise<{ readonly reason: string | null }>;
  /** Stops taking jobs, waits for the running ones to finish, then closes connections. */
  close(): Promise<void>;
}

const PROCESSOR_FILES: Record<QueueName, string> = {
  compress: "compress-processor",
  answer: "answer-processor",
  index: "index-processor",
};

/** The processor next to this module, with its extension: .ts from source, .js when built. */
export function processorFile(queue: QueueName): string {
  const extension = extname(fileURLToPath(import.meta.url));
  return fileURLToPath(new URL(`./${PROCESSOR_FILES[queue]}${extension}`, import.meta.url));
}

/**
 * Children of a process started without tsx (under vitest, or through the bin stub with
 * `tsx/esm/api`) would not be able to import a .ts processor: give them the loader explicitly.
 */
function childExecArgv(file: string): string[] | undefined {
  if (!file.endsWith(".ts") || process.execArgv.some((arg) => arg.includes("tsx")))
    return undefined;
  return [...process.execArgv, "--import", import.meta.resolve("tsx")];
}

/**
 * Starts one BullMQ worker per configured queue. Jobs run in sandboxed child processes (see
 * compress-processor.ts), so this process only moves jobs and renews their locks.
 */
export async function startWorkers(
  config: WorkerConfig,
  log: WorkerLog = () => {},
): Promise<RunningWorkers> {
  // A processor that throws at import would make BullMQ fork a failing child for every job;
  // importing it here first turns that into one clear startup error.
  for (const queue of config.queues) await import(processorFile(queue));

  const workers = config.queues.map((queue) => createWorker(queue, config, log));
  let stopReason: string | null = null;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all(workers.map((worker) => worker.close())).then(() => {});
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

function createWorker(queue: QueueName, config: WorkerConfig, log: WorkerLog): Worker {
  const file = processorFile(queue);
  const execArgv = childExecArgv(file);
  const worker = new Worker(queue, file, {
    connection: workerConnection(config.redisUrl),
    prefix: config.prefix,
    name: `ctxpress-${queue}-${process.pid}`,
    concurrency: config.concurrency,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: config.maxStalledCount,
    workerForkOptions: {
      env: { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(config) },
      ...(execArgv ? { execArgv } : {}),
    },
  });
  worker.on("active", (job) => log(`${queue} ${job.id}: started`));
  worker.on("completed", (job) => log(`${queue} ${job.id}: completed`));
  worker.on("failed", (job, error) => {
    // BullMQ sets finishedOn only when the job moved to failed for good.
    const final = job?.finishedOn !== undefined;
    log(`${queue} ${job?.id}: failed${final ? "" : " (will retry)"}: ${error.message}`);
  });
  worker.on("stalled", (jobId) => log(`${queue} ${jobId}: stalled (its worker died), requeued`));
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

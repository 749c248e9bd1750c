import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "bullmq";
import {
  clusterPrefixProblem,
  createRedisClient,
  type RedisClient,
  redactPassword,
  redactRedisUrl,
} from "../../queues/connection.js";
import type { QueueName } from "../../queues/names.js";
import { createModels } from "../sdk/models.js";
import { connectRedis, isAuthFailure, MAX_AUTH_ATTEMPTS } from "../sdk/redis-connection.js";
import { storeKeys } from "../store/keys.js";
import { MODELS_HEARTBEAT_MS, ModelsRegistry } from "../store/models-registry.js";
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
 * compress-processor.ts), so this process only moves jobs and renews their locks. Waits for
 * Redis first (however long it takes to come up), but throws `RedisAuthError` once it has
 * refused the credentials `MAX_AUTH_ATTEMPTS` times, and an Error for a cluster URL without a
 * hash-tag prefix. Claims the models fingerprint in the registry every `MODELS_HEARTBEAT_MS`.
 */
export async function startWorkers(
  config: WorkerConfig,
  log: WorkerLog = () => {},
): Promise<RunningWorkers> {
  const clusterProblem = clusterPrefixProblem(config.redisUrl, config.prefix);
  if (clusterProblem !== null) throw new Error(clusterProblem);
  // A processor that throws at import would make BullMQ fork a failing child for every job;
  // importing it here first turns that into one clear startup error.
  for (const queue of config.queues) await import(processorFile(queue));

  const shownUrl = redactRedisUrl(config.redisUrl);
  const registryClient = createRedisClient(config.redisUrl, config.redisTls, "blocking");
  registryClient.on("error", () => {}); // the workers' own connections report outages
  await connectRedis(registryClient, config.redisUrl, {
    onError: (message) => log(`waiting for Redis at ${shownUrl}: ${message}`),
  });
  const stopHeartbeat = await claimModels(registryClient, config, log);

  const clients: RedisClient[] = [];
  const workers = config.queues.map((queue) => {
    const client = createRedisClient(config.redisUrl, config.redisTls, "blocking");
    clients.push(client);
    return createWorker(queue, client, config, log, (reason) => stop(reason));
  });
  let stopReason: string | null = null;
  let closing: Promise<void> | undefined;
  const close = () => {
    stopHeartbeat();
    closing ??= Promise.all(workers.map((worker) => worker.close()))
      .then(() => Promise.all([registryClient, ...clients].map((client) => client.quit())))
      .then(
        () => {},
        () => {},
      );
    return closing;
  };
  const stop = (reason: string) => {
    if (closing) return;
    stopReason = reason;
    log(`stopping: ${reason}`);
    void close();
  };
  const closed = new Promise<{ reason: string | null }>((resolve) => {
    let open = workers.length;
    for (const worker of workers) {
      worker.on("failed", (job, error) => {
        if (error?.name !== "WorkerSetupError" || closing) return;
        stop(`${error.message} (job ${job?.id} will be retried by another worker)`);
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

/**
 * Tells producers which models this process runs (see ModelsRegistry), now (before the worker
 * says it serves) and every `MODELS_HEARTBEAT_MS`; resolves with the heartbeat's stop function.
 */
async function claimModels(
  redis: RedisClient,
  config: WorkerConfig,
  log: WorkerLog,
): Promise<() => void> {
  const registry = new ModelsRegistry(redis, storeKeys(config.prefix));
  const fingerprint = createModels(config.models).fingerprint;
  const startedAt = Date.now();
  const claim = () =>
    registry.claim(fingerprint, startedAt).catch((error: Error) => {
      log(
        `could not claim the models fingerprint: ${redactPassword(error.message, config.redisUrl)}`,
      );
    });
  await claim();
  const timer = setInterval(claim, MODELS_HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function createWorker(
  queue: QueueName,
  connection: RedisClient,
  config: WorkerConfig,
  log: WorkerLog,
  stop: (reason: string) => void,
): Worker {
  const file = processorFile(queue);
  const execArgv = childExecArgv(file);
  const worker = new Worker(queue, file, {
    connection,
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
  // Refused credentials (a rotated password, a revoked ACL user) never heal by retrying.
  let authFailures = 0;
  worker.on("error", (error) => {
    const message = redactPassword(error.message, config.redisUrl);
    if (message !== lastError) log(`${queue} worker error: ${message} (retrying)`);
    lastError = message;
    authFailures = isAuthFailure(error) ? authFailures + 1 : 0;
    if (authFailures === MAX_AUTH_ATTEMPTS) {
      stop(`Redis at ${redactRedisUrl(config.redisUrl)} refused the credentials: ${message}`);
    }
  });
  worker.on("ready", () => {
    lastError = "";
    authFailures = 0;
  });
  return worker;
}

import { type Job, Worker } from "bullmq";
import {
  clusterPrefixProblem,
  createRedisClient,
  type RedisClient,
  redactPassword,
  redactRedisUrl,
} from "../../queues/connection.js";
import { ANSWER_QUEUE, type QueueName } from "../../queues/names.js";
import { WorkerSetupError } from "../errors/index.js";
import { createModels } from "../model/models.js";
import { connectRedis, isAuthFailure, MAX_AUTH_ATTEMPTS } from "../sdk/redis-connection.js";
import { storeKeys } from "../store/keys.js";
import { MODELS_HEARTBEAT_MS, ModelsRegistry } from "../store/models-registry.js";
import type { WorkerConfig } from "./config.js";
import { JobHost } from "./job-host.js";
import { handBack, isForOtherModels } from "./models-handback.js";

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
 * the one model set all queues and concurrent jobs share. Waits for Redis first (however long it
 * takes to come up) and claims the models fingerprint in the registry every `MODELS_HEARTBEAT_MS`.
 * @throws WorkerSetupError when the job thread cannot start (a broken install); `RedisAuthError`
 * once Redis has refused the credentials `MAX_AUTH_ATTEMPTS` times; `WorkerSetupError` for a
 * cluster URL without a hash-tag prefix.
 */
export async function startWorkers(
  config: WorkerConfig,
  log: WorkerLog = () => {},
): Promise<RunningWorkers> {
  const clusterProblem = clusterPrefixProblem(config.redisUrl, config.prefix);
  if (clusterProblem !== null) throw new WorkerSetupError(clusterProblem);
  const shownUrl = redactRedisUrl(config.redisUrl);
  const registryClient = createRedisClient(config.redisUrl, config.redisTls, "blocking");
  registryClient.on("error", () => {}); // the workers' own connections report outages
  await connectRedis(registryClient, config.redisUrl, {
    onError: (message) => log(`waiting for Redis at ${shownUrl}: ${message}`),
  });
  const fingerprint = createModels(config.models).fingerprint;
  const stopHeartbeat = await claimModels(registryClient, config, fingerprint, log);

  const host = new JobHost(config, log);
  // A thread that cannot import its modules is one clear startup error, not a failure per job.
  await host.start();

  const clients: RedisClient[] = [];
  const workers = config.queues.map((queue) => {
    const client = createRedisClient(config.redisUrl, config.redisTls, "blocking");
    clients.push(client);
    return createWorker(queue, {
      client,
      config,
      host,
      fingerprint,
      log,
      stop: (why) => stop(why),
    });
  });
  let stopReason: string | null = null;
  let closing: Promise<void> | undefined;
  const close = () => {
    stopHeartbeat();
    closing ??= Promise.all(workers.map((worker) => worker.close()))
      .then(() => host.close())
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
  fingerprint: string,
  log: WorkerLog,
): Promise<() => void> {
  const registry = new ModelsRegistry(redis, storeKeys(config.prefix));
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

interface WorkerParts {
  /** This worker's own Redis connection (BullMQ duplicates it for blocking commands). */
  readonly client: RedisClient;
  readonly config: WorkerConfig;
  readonly host: JobHost;
  /** Of the models this process runs: jobs naming other models are handed back. */
  readonly fingerprint: string;
  readonly log: WorkerLog;
  /** Stops the whole process's workers, saying why. */
  readonly stop: (reason: string) => void;
}

function createWorker(
  queue: QueueName,
  { client, config, host, fingerprint, log, stop }: WorkerParts,
): Worker {
  const processor = async (job: Job, token?: string, signal?: AbortSignal) =>
    isForOtherModels(job, fingerprint)
      ? handBack(job, token)
      : host.run(
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
    connection: client,
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

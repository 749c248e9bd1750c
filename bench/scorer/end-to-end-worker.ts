import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { redisOptionsFromUrl } from "../../queues/connection.js";
import {
  compressWorkerArgs,
  type FaultWorker,
  isServing,
  spawnFaultWorker,
} from "../faults/fault-workers.js";
import { treeCpuSeconds } from "../faults/process-tree.js";
import { runChild, type Timing } from "./end-to-end-child.js";

/** How long a worker gets to load and log "serving", and to stop after SIGTERM. */
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
/** How long the worker's helper processes get to follow it out. */
const GROUP_GRACE_MS = 5_000;

/** One compression through a checkout's own worker, and what it left behind. */
export interface WorkerTiming extends Timing {
  /** The Redis key prefix the worker and client used (fresh per call). */
  readonly prefix: string;
  /** Keys under the run's prefix found (and deleted) after the worker stopped. */
  readonly keysDeleted: number;
  /** Whether a process of the worker's group outlived its graceful stop (it was then killed). */
  readonly strays: boolean;
}

function groupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function untilServing(worker: FaultWorker): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!isServing(worker)) {
    if (worker.process.exitCode !== null || Date.now() > deadline) {
      throw new Error(`worker did not start serving:\n${worker.output}`);
    }
    await sleep(100);
  }
}

/** SIGTERM (a graceful close), then SIGKILL for whatever of its group is left. */
async function stop(worker: FaultWorker): Promise<boolean> {
  const exited = new Promise<void>((resolve) => {
    if (worker.process.exitCode !== null) resolve();
    else worker.process.once("exit", () => resolve());
  });
  worker.process.kill("SIGTERM");
  await Promise.race([exited, sleep(STOP_TIMEOUT_MS)]);
  // The worker ran in its own process group. Its helpers (tsx's esbuild service, a sandboxed
  // child) exit moments after it; one still there after a grace period is a leak to report.
  const deadline = Date.now() + GROUP_GRACE_MS;
  while (groupAlive(worker.pid)) {
    if (Date.now() > deadline) {
      process.kill(-worker.pid, "SIGKILL");
      return true;
    }
    await sleep(100);
  }
  return false;
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisOptionsFromUrl(redisUrl));
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
  return deleted;
}

/**
 * Starts `checkout`'s worker (compress queue, concurrency 1, the embedded models) under a prefix
 * of its own, lets the child script of the same checkout warm it up and then time one compression
 * through it (enqueue → result read back), and reads the CPU time of the worker's whole process
 * tree around that job (its job thread or sandboxed child processes included, whichever the
 * checkout's design uses). `cpuSeconds` is the worker's CPU plus the client's. Then stops the
 * worker and deletes every key under its prefix, and only those.
 */
export async function timeThroughWorker(
  checkout: string,
  childArgs: readonly string[],
  redisUrl: string,
): Promise<WorkerTiming> {
  const prefix = `ctxpress-e2e-${randomBytes(4).toString("hex")}`;
  const worker = spawnFaultWorker(compressWorkerArgs(redisUrl, prefix, 1), checkout);
  let workerCpu = 0;
  let timing: Timing;
  let strays: boolean;
  let keysDeleted: number;
  try {
    await untilServing(worker);
    timing = await runChild(
      checkout,
      [...childArgs, "--via", "worker", "--prefix", prefix, "--redis-url", redisUrl],
      {
        beforeRun: () => {
          workerCpu = -treeCpuSeconds(worker.pid);
        },
        afterRun: () => {
          workerCpu += treeCpuSeconds(worker.pid);
        },
      },
    );
  } finally {
    strays = await stop(worker);
    keysDeleted = await deleteKeys(redisUrl, prefix);
  }
  return {
    prefix,
    seconds: timing.seconds,
    cpuSeconds: workerCpu + timing.cpuSeconds,
    keysDeleted,
    strays,
  };
}

import { randomBytes } from "node:crypto";
import type { Queue } from "bullmq";
import type { RedisClient } from "../../queues/connection.js";

/** How a request under a deterministic job id was enqueued. */
export interface EnqueueOutcome {
  /** A job with this id was already waiting, running or done: no new work was created. */
  readonly deduplicated: boolean;
  /** A job with this id had failed for good: it was removed and the request queued again. */
  readonly rerun: boolean;
}

/** Longest a producer may hold the replace lock; a crashed holder's lock expires after it. */
const LOCK_MS = 30_000;
const LOCK_POLL_MS = 50;
const RELEASE_SCRIPT =
  'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end';

/**
 * Adds a job (through `add`) under the deterministic `id` so that identical requests run once,
 * and a request whose job failed for good runs again instead of being answered with the old
 * failure. BullMQ's add already ignores a taken id atomically; replacing a failed job (remove,
 * then add) is two steps, so it happens under a lock (`lockKey`), and the state is checked again
 * once the lock is held: of two producers re-enqueueing the same failed request, one replaces it
 * and the other finds the new job and joins it. `add` must create the job with `id` (for a flow:
 * the parent); removing a failed parent removes its children too.
 */
export async function enqueueOnce(
  queue: Queue,
  redis: RedisClient,
  lockKey: string,
  id: string,
  add: () => Promise<unknown>,
): Promise<EnqueueOutcome> {
  const state = await stateOf(queue, id);
  if (state === null) {
    await add();
    return { deduplicated: false, rerun: false };
  }
  if (state !== "failed") return { deduplicated: true, rerun: false };
  return withLock(redis, lockKey, async () => {
    const job = await queue.getJob(id);
    if (job === undefined) {
      await add();
      return { deduplicated: false, rerun: false };
    }
    if ((await job.getState()) !== "failed") return { deduplicated: true, rerun: false };
    await job.remove();
    await add();
    return { deduplicated: false, rerun: true };
  });
}

async function stateOf(queue: Queue, id: string): Promise<string | null> {
  const job = await queue.getJob(id);
  return job === undefined ? null : job.getState();
}

async function withLock<T>(redis: RedisClient, key: string, run: () => Promise<T>): Promise<T> {
  const token = randomBytes(16).toString("hex");
  while ((await redis.set(key, token, "PX", LOCK_MS, "NX")) !== "OK") {
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  try {
    return await run();
  } finally {
    await redis.eval(RELEASE_SCRIPT, 1, key, token);
  }
}

import { DelayedError, type Job } from "bullmq";

/** A job for other models waits this long before a worker takes it again. */
export const HANDBACK_DELAY_MS = 2000;

/**
 * Whether `job` names a models fingerprint other than `fingerprint`, the one this worker runs;
 * a job naming none runs anywhere.
 */
export function isForOtherModels(job: Job, fingerprint: string): boolean {
  const wanted: unknown = job.data?.models;
  return typeof wanted === "string" && wanted !== fingerprint;
}

/**
 * Hands `job` back to the queue, delayed by `HANDBACK_DELAY_MS`, for a worker running the models
 * it names, without spending one of its attempts: in a fleet whose workers run two model sets
 * under one prefix (a rolling upgrade), no worker computes, and so no one is served, a result
 * of models the request did not ask for.
 * @throws BullMQ's `DelayedError`, always: how a processor tells BullMQ it moved the job itself.
 */
export async function handBack(job: Job, token: string | undefined): Promise<never> {
  await job.moveToDelayed(Date.now() + HANDBACK_DELAY_MS, token);
  throw new DelayedError();
}

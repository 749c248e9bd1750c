import type { Queue, QueueEvents } from "bullmq";
import { type JobProgress, jobProgressSchema } from "../../queues/schemas.js";
import { JobFailedError, JobNotFoundError, JobTimeoutError } from "../errors/index.js";

/**
 * Resolves with the job's return value once it completes; rejects with `JobFailedError` (the
 * worker's reason) once it has failed for good, or `JobTimeoutError` after `timeoutMs`.
 * Listens first, then reads the job's state, so a job that finished in between is not missed.
 */
export async function waitForJob(
  queue: Queue,
  events: QueueEvents,
  jobId: string,
  timeoutMs: number,
): Promise<unknown> {
  await events.waitUntilReady();
  return new Promise((resolve, reject) => {
    const onCompleted = (event: { jobId: string; returnvalue: unknown }) => {
      if (event.jobId === jobId) finish(() => resolve(event.returnvalue));
    };
    const onFailed = (event: { jobId: string; failedReason: string }) => {
      if (event.jobId === jobId)
        finish(() => reject(new JobFailedError(jobId, event.failedReason)));
    };
    const timer = setTimeout(
      () => finish(() => reject(new JobTimeoutError(jobId, timeoutMs))),
      timeoutMs,
    );
    let done = false;
    function finish(settle: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      events.off("completed", onCompleted);
      events.off("failed", onFailed);
      settle();
    }
    events.on("completed", onCompleted);
    events.on("failed", onFailed);
    // The state first, then the job: a job read before it completed carries no return value
    // even when its state, read a moment later, says completed (a race seen in the suite).
    // BullMQ writes the return value and the completed state in one script, so a job read after
    // a completed state has its value.
    queue
      .getJobState(jobId)
      .then(async (state) => {
        if (state !== "unknown" && state !== "completed" && state !== "failed") return;
        const job = await queue.getJob(jobId);
        if (!job) return finish(() => reject(new JobNotFoundError(jobId)));
        if (state === "completed") onCompleted({ jobId, returnvalue: job.returnvalue });
        if (state === "failed") onFailed({ jobId, failedReason: job.failedReason });
      })
      .catch((error: unknown) => finish(() => reject(error)));
  });
}

export interface ProgressSource {
  readonly events: QueueEvents;
  readonly jobId: string;
  /** Which job of a flow reports: "compress" or "answer". */
  readonly step: string;
}

export interface JobUpdate extends JobProgress {
  readonly step: string;
}

/**
 * Progress of one job or of a flow's jobs, as an async iterator that ends when `until` settles.
 * Updates that are not ctxpress progress objects (another producer's numbers) are skipped.
 */
export async function* watchProgress(
  sources: readonly ProgressSource[],
  until: Promise<unknown>,
): AsyncGenerator<JobUpdate> {
  const pending: JobUpdate[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const unsubscribe = sources.map(({ events, jobId, step }) => {
    const listener = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
      const progress = jobProgressSchema.safeParse(data);
      if (id !== jobId || !progress.success) return;
      pending.push({ step, ...progress.data });
      notify();
    };
    events.on("progress", listener);
    return () => events.off("progress", listener);
  });
  const settled = until.then(
    () => {},
    () => {},
  );
  void settled.then(() => {
    finished = true;
    notify();
  });
  try {
    while (true) {
      const next = pending.shift();
      if (next) {
        yield next;
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    for (const stop of unsubscribe) stop();
  }
}

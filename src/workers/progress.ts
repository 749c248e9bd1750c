import type { JobProgress } from "../../queues/schemas.js";

/**
 * Forwards compressor progress to BullMQ without flooding Redis: a new stage, the end, or
 * `minIntervalMs` since the last update gets through; other updates are dropped. Failures to
 * report are ignored, since progress is advisory and must never fail the job.
 */
export function throttleProgress(
  send: (progress: JobProgress) => Promise<unknown>,
  minIntervalMs = 250,
  now: () => number = Date.now,
): (progress: JobProgress) => void {
  let lastStage: string | null = null;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  return (progress) => {
    const at = now();
    const due =
      progress.stage !== lastStage || progress.fraction >= 1 || at - lastSentAt >= minIntervalMs;
    if (!due) return;
    lastStage = progress.stage;
    lastSentAt = at;
    const fraction = Math.min(1, Math.max(0, progress.fraction));
    send({ stage: progress.stage, fraction }).catch(() => {});
  };
}

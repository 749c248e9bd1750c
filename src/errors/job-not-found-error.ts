import { CtxpressError } from "./ctxpress-error.js";

/**
 * The job is unknown: never enqueued under this prefix, or removed by retention.
 * Code `JOB_NOT_FOUND`.
 */
export class JobNotFoundError extends CtxpressError {
  static override readonly code = "JOB_NOT_FOUND";
  override readonly name = "JobNotFoundError";

  constructor(readonly jobId: string) {
    super(`job ${jobId} not found (never enqueued under this prefix, or removed by retention)`);
  }
}

import { CtxpressError } from "./ctxpress-error.js";

/**
 * Waiting for a job's result took longer than the caller allowed; the job itself goes on.
 * Code `JOB_TIMEOUT`.
 */
export class JobTimeoutError extends CtxpressError {
  static override readonly code = "JOB_TIMEOUT";
  override readonly name = "JobTimeoutError";

  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`job ${jobId} did not finish within ${timeoutMs} ms (it may still be running)`);
  }
}

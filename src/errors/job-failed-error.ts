import { CtxpressError } from "./ctxpress-error.js";

/** A queued job ended in the failed state; `reason` is the worker's message. Code `JOB_FAILED`. */
export class JobFailedError extends CtxpressError {
  static override readonly code = "JOB_FAILED";
  override readonly name = "JobFailedError";

  constructor(
    readonly jobId: string,
    readonly reason: string,
  ) {
    super(`job ${jobId} failed: ${reason}`);
  }
}

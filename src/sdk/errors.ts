/** A queued job ended in the failed state; `reason` is the worker's message. */
export class JobFailedError extends Error {
  constructor(
    readonly jobId: string,
    readonly reason: string,
  ) {
    super(`job ${jobId} failed: ${reason}`);
    this.name = "JobFailedError";
  }
}

/** Waiting for a job's result took longer than the caller allowed; the job itself goes on. */
export class JobTimeoutError extends Error {
  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`job ${jobId} did not finish within ${timeoutMs} ms (it may still be running)`);
    this.name = "JobTimeoutError";
  }
}

/** The job is unknown: never enqueued under this prefix, or removed by retention. */
export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} not found (never enqueued under this prefix, or removed by retention)`);
    this.name = "JobNotFoundError";
  }
}

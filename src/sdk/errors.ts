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

/**
 * Redis could not be reached, or stopped answering for longer than a producer waits (about 16 s
 * of reconnection attempts). `redisUrl` and the message never hold the password.
 */
export class RedisConnectionError extends Error {
  constructor(
    readonly redisUrl: string,
    message: string,
  ) {
    super(message);
    this.name = "RedisConnectionError";
  }
}

/** Redis refused the credentials (wrong password or user, or an ACL that denies the keys). */
export class RedisAuthError extends RedisConnectionError {
  constructor(redisUrl: string, message: string) {
    super(redisUrl, message);
    this.name = "RedisAuthError";
  }
}

import { CtxpressError } from "./ctxpress-error.js";

/**
 * Redis could not be reached (refused, timed out, TLS failed), or stopped answering for longer
 * than a producer waits (about 16 s of reconnection attempts). Code `REDIS_CONNECTION`.
 * `redisUrl` and the message never hold the password.
 */
export class RedisConnectionError extends CtxpressError {
  static override readonly code: "REDIS_CONNECTION" | "REDIS_AUTH" = "REDIS_CONNECTION";
  override readonly name: string = "RedisConnectionError";

  constructor(
    /** The Redis URL with its password replaced by `***`. */
    readonly redisUrl: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

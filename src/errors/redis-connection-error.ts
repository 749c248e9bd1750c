import { CtxpressError } from "./ctxpress-error.js";

/** Redis could not be reached (refused, timed out, authentication or TLS failed) when connecting. Code `REDIS_CONNECTION`. */
export class RedisConnectionError extends CtxpressError {
  static override readonly code = "REDIS_CONNECTION";
  override readonly name = "RedisConnectionError";
}

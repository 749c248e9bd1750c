import { RedisConnectionError } from "./redis-connection-error.js";

/**
 * Redis refused the credentials: wrong password or user, or an ACL that denies the keys
 * (WRONGPASS, NOAUTH, NOPERM). Code `REDIS_AUTH`; also an instance of `RedisConnectionError`.
 */
export class RedisAuthError extends RedisConnectionError {
  static override readonly code = "REDIS_AUTH";
  override readonly name = "RedisAuthError";
}

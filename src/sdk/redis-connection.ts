import {
  createRedisClient,
  PRODUCER_MAX_RETRIES,
  type RedisClient,
  type RedisTls,
  redactPassword,
  redactRedisUrl,
} from "../../queues/connection.js";
import { RedisAuthError, RedisConnectionError } from "../errors/index.js";

/**
 * Redis's replies to refused credentials (WRONGPASS, NOAUTH) and to ACL denials (NOPERM), also
 * when a transaction was aborted (EXECABORT) because of one.
 */
export function isAuthFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const previous = (error as { previousErrors?: unknown[] } | null)?.previousErrors;
  return (
    /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username-password/i.test(message) ||
    (Array.isArray(previous) && previous.some(isAuthFailure))
  );
}

/** The message of `error`, with the errors that aborted its transaction, if any. */
function fullMessage(error: Error): string {
  const previous = (error as { previousErrors?: unknown[] }).previousErrors;
  if (!Array.isArray(previous) || previous.length === 0) return error.message;
  const causes = previous.map((each) => (each instanceof Error ? each.message : String(each)));
  return `${error.message}: ${[...new Set(causes)].join("; ")}`;
}

/** Errors that mean "Redis is not there (now)", as opposed to a command's own failure. */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "MaxRetriesPerRequestError" ||
    error.name === "ClusterAllFailedError" ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|None of startup nodes|Failed to refresh slots cache|CLUSTERDOWN/.test(
      error.message,
    )
  );
}

/** Refused credentials are tried this often (ioredis would retry AUTH forever), then given up. */
export const MAX_AUTH_ATTEMPTS = 3;

export interface ConnectOptions {
  /** Failed connection attempts before giving up (default: never give up). */
  readonly maxAttempts?: number;
  /** Told each distinct connection error while connecting, already redacted. */
  readonly onError?: (message: string) => void;
}

/**
 * Connects `client` (created with `lazyConnect`) and resolves once Redis answers. Rejects with
 * `RedisAuthError` after `MAX_AUTH_ATTEMPTS` refused logins, or with `RedisConnectionError`
 * after `maxAttempts` failed attempts; the client is disconnected first, since ioredis would
 * otherwise reconnect forever and keep the process alive.
 */
export function connectRedis(
  client: RedisClient,
  redisUrl: string,
  { maxAttempts = Number.POSITIVE_INFINITY, onError }: ConnectOptions = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    let attempts = 0;
    let authFailures = 0;
    let lastMessage = "";
    const finish = (error?: Error) => {
      client.off("error", onClientError);
      client.off("ready", onReady);
      if (error === undefined) return resolve();
      client.disconnect();
      reject(error);
    };
    const onReady = () => finish();
    const onClientError = (error: Error) => {
      const message = redactPassword(error.message, redisUrl);
      if (message !== lastMessage) onError?.(message);
      lastMessage = message;
      if (isAuthFailure(error)) {
        authFailures += 1;
        if (authFailures >= MAX_AUTH_ATTEMPTS) {
          finish(
            new RedisAuthError(
              redactRedisUrl(redisUrl),
              `Redis at ${redactRedisUrl(redisUrl)} refused the credentials ${authFailures} times: ${message} (check the password and user in the URL)`,
            ),
          );
        }
        return;
      }
      attempts += 1;
      if (attempts >= maxAttempts) {
        const shown = redactRedisUrl(redisUrl);
        const tries = attempts === 1 ? "" : ` (${attempts} attempts)`;
        finish(
          new RedisConnectionError(
            shown,
            `cannot connect to Redis at ${shown}${tries}: ${message}`,
          ),
        );
      }
    };
    client.on("error", onClientError);
    client.on("ready", onReady);
    client.connect().catch(() => {
      // Reported through the "error" event, which counts the attempts.
    });
  });
}

/**
 * `error` as thrown to a caller: a connection or credential failure becomes a
 * `RedisConnectionError` / `RedisAuthError` naming the (redacted) URL and, when known, the last
 * connection error (`lastError`, e.g. ECONNREFUSED, rather than ioredis's "max retries"); any
 * other error is returned as it is.
 */
export function redisFailure(redisUrl: string, error: unknown, lastError?: string): unknown {
  const shown = redactRedisUrl(redisUrl);
  if (error instanceof RedisConnectionError || !(error instanceof Error)) return error;
  const message = redactPassword(fullMessage(error), redisUrl);
  if (isAuthFailure(error)) {
    return new RedisAuthError(shown, `Redis at ${shown} refused the credentials: ${message}`);
  }
  if (!isConnectionFailure(error)) return error;
  const cause =
    error.name === "MaxRetriesPerRequestError"
      ? `no answer through ${PRODUCER_MAX_RETRIES} reconnection attempts (about 16 s)`
      : message;
  const last = lastError !== undefined && lastError !== message ? `; last error: ${lastError}` : "";
  return new RedisConnectionError(shown, `cannot reach Redis at ${shown}: ${cause}${last}`);
}

/** Failed attempts before a producer's first connection gives up (about 0.3 s). */
const PRODUCER_CONNECT_ATTEMPTS = 3;

/** A producer's connection: the client, and how its failures read to callers. */
export interface ProducerRedis {
  readonly client: RedisClient;
  /** `error` as callers should see it: see `redisFailure`, with the last connection error. */
  failure(error: unknown): unknown;
  close(): Promise<void>;
}

/**
 * Connects a producer (SDK client, CLI): fails fast when Redis does not answer at first
 * (`RedisConnectionError`, `RedisAuthError`), then rides out later outages (each command waits
 * through `PRODUCER_MAX_RETRIES` reconnections). Its error events are consumed, never unhandled.
 */
export async function connectProducer(
  redisUrl: string,
  tls: RedisTls | undefined,
): Promise<ProducerRedis> {
  const client = createRedisClient(redisUrl, tls, "producer");
  let lastError: string | undefined;
  client.on("error", (error: Error) => {
    lastError = redactPassword(error.message, redisUrl);
  });
  await connectRedis(client, redisUrl, { maxAttempts: PRODUCER_CONNECT_ATTEMPTS });
  return {
    client,
    failure: (error) => redisFailure(redisUrl, error, lastError),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

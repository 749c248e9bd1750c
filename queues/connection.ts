import { readFileSync } from "node:fs";
import type { ConnectionOptions as TlsConnectionOptions } from "node:tls";
import type { RedisOptions } from "bullmq";
import { Cluster, Redis } from "ioredis";
import { z } from "zod";
import { parseRedisUrl } from "./redis-url.js";

export { redactPassword, redactRedisUrl, redisUrlSchema } from "./redis-url.js";

/**
 * Prefix of BullMQ's keys and ours. Braces allowed for Redis Cluster hash tags (`{ctxpress}`),
 * so a job's keys land on one slot.
 */
export const prefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.{}-]+$/, "letters, digits, '_', '.', '-' and braces only")
  .max(100);

/**
 * TLS settings beyond what `rediss://` turns on: a private CA, a client certificate for mutual
 * TLS, and the name the server's certificate must carry when it differs from the host dialled.
 * Files are read when a connection is made, by the process making it.
 */
export const redisTlsSchema = z
  .strictObject({
    /** PEM file of the CA that signed the server's certificate (default: Node's CA list). */
    caFile: z.string().min(1).optional(),
    /** PEM client certificate, for servers that verify clients (`tls-auth-clients yes`). */
    certFile: z.string().min(1).optional(),
    /** PEM key of `certFile`. */
    keyFile: z.string().min(1).optional(),
    /** Server name checked against the certificate (SNI); default: the URL's host. */
    serverName: z.string().min(1).optional(),
  })
  .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), {
    message: "certFile and keyFile go together",
    path: ["keyFile"],
  });
export type RedisTls = z.infer<typeof redisTlsSchema>;

/**
 * A Redis Cluster keeps a multi-key command on one slot only, and every BullMQ script touches
 * several keys: the prefix must be a hash tag (`{ctxpress}`) so all keys share one slot.
 * Returns the problem, or null.
 */
export function clusterPrefixProblem(redisUrl: string, prefix: string): string | null {
  if (!parseRedisUrl(redisUrl).cluster || /^\{[^{}]+\}/.test(prefix)) return null;
  return `a Redis Cluster needs a hash-tag prefix such as {${prefix}} (got ${prefix})`;
}

/** A zod refinement: the rule of `clusterPrefixProblem`, reported on `prefix`. */
export function refineClusterPrefix(
  settings: { readonly redisUrl: string; readonly prefix: string },
  context: z.RefinementCtx,
): void {
  const problem = clusterPrefixProblem(settings.redisUrl, settings.prefix);
  if (problem !== null) context.addIssue({ code: "custom", path: ["prefix"], message: problem });
}

/**
 * Reconnection delay after the `times`-th failed attempt: 100 ms doubling up to 1 s, so a client
 * is back within a second of Redis returning (BullMQ's default grows to 20 s).
 */
export function reconnectDelayMs(times: number): number {
  return Math.min(100 * 2 ** Math.max(0, times - 1), 1000);
}

/**
 * A producer's command waits through this many reconnection attempts (about 16 s of outage
 * with `reconnectDelayMs`) before it fails with ioredis's MaxRetriesPerRequestError.
 */
export const PRODUCER_MAX_RETRIES = 20;

/**
 * `blocking`: workers and queue-event listeners, which BullMQ requires to retry forever.
 * `producer`: the SDK client and the CLI, whose commands wait out a short outage, then fail.
 */
export type RedisRole = "blocking" | "producer";

export type RedisClient = Redis | Cluster;

function readPem(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`redis TLS ${field}: cannot read ${path}: ${(error as Error).message}`);
  }
}

function tlsOptions(tls: RedisTls | undefined): TlsConnectionOptions {
  return {
    ...(tls?.caFile !== undefined ? { ca: readPem(tls.caFile, "caFile") } : {}),
    ...(tls?.certFile !== undefined ? { cert: readPem(tls.certFile, "certFile") } : {}),
    ...(tls?.keyFile !== undefined ? { key: readPem(tls.keyFile, "keyFile") } : {}),
    ...(tls?.serverName !== undefined ? { servername: tls.serverName } : {}),
  };
}

/**
 * ioredis options for one server of `redisUrl` (user, password, database index, TLS with the
 * `tls` files); for a cluster URL, the options every node shares, without host and port.
 * Throws when a TLS file cannot be read.
 */
export function redisOptionsFromUrl(redisUrl: string, tls?: RedisTls): RedisOptions {
  const parsed = parseRedisUrl(redisUrl);
  const node = parsed.nodes[0];
  return {
    ...(parsed.cluster || node === undefined ? {} : { host: node.host, port: node.port }),
    ...(parsed.username !== undefined ? { username: parsed.username } : {}),
    ...(parsed.password !== undefined ? { password: parsed.password } : {}),
    ...(parsed.db !== undefined ? { db: parsed.db } : {}),
    ...(parsed.tls || tls !== undefined ? { tls: tlsOptions(tls) } : {}),
  };
}

/**
 * Options for a worker or queue-event listener on one server: BullMQ requires them to retry
 * forever instead of failing a command after some retries.
 */
export function workerConnection(redisUrl: string, tls?: RedisTls): RedisOptions {
  return {
    ...redisOptionsFromUrl(redisUrl, tls),
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelayMs,
  };
}

/**
 * Options for a producer (the SDK client, the CLI) on one server: commands issued while Redis is
 * away wait for it through `PRODUCER_MAX_RETRIES` reconnections, then fail.
 */
export function producerConnection(redisUrl: string, tls?: RedisTls): RedisOptions {
  return {
    ...redisOptionsFromUrl(redisUrl, tls),
    maxRetriesPerRequest: PRODUCER_MAX_RETRIES,
    enableOfflineQueue: true,
    retryStrategy: reconnectDelayMs,
  };
}

/**
 * A client for `redisUrl` in `role`, not connected yet (call `connect()`): a `Redis` for one
 * server, a `Cluster` for a cluster URL. Pass it to BullMQ as `connection`; BullMQ then leaves
 * closing it to the caller.
 */
export function createRedisClient(
  redisUrl: string,
  tls: RedisTls | undefined,
  role: RedisRole,
): RedisClient {
  const options =
    role === "blocking" ? workerConnection(redisUrl, tls) : producerConnection(redisUrl, tls);
  const parsed = parseRedisUrl(redisUrl);
  if (!parsed.cluster) return new Redis({ ...options, lazyConnect: true });
  const { retryStrategy, enableOfflineQueue, ...nodeOptions } = options;
  return new Cluster(
    parsed.nodes.map((node) => ({ host: node.host, port: node.port })),
    {
      lazyConnect: true,
      clusterRetryStrategy: retryStrategy ?? reconnectDelayMs,
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      redisOptions: nodeOptions,
    },
  );
}

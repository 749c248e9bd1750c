import type { RedisOptions } from "bullmq";
import { z } from "zod";

export const redisUrlSchema = z
  .string()
  .trim()
  .refine((value) => /^rediss?:\/\//.test(value), "must start with redis:// or rediss://");

/**
 * Prefix of BullMQ's keys and ours. Braces allowed for Redis Cluster hash tags (`{ctxpress}`),
 * so a job's keys land on one slot.
 */
export const prefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.{}-]+$/, "letters, digits, '_', '.', '-' and braces only")
  .max(100);

/** ioredis options for a redis:// or rediss:// URL (user, password, database index, TLS). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(redisUrlSchema.parse(url));
  const db = parsed.pathname.replace(/^\//, "");
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (db) options.db = Number(db);
  if (parsed.protocol === "rediss:") options.tls = {};
  return options;
}

/**
 * Workers and queue-event listeners block on Redis; BullMQ requires them to retry forever
 * instead of failing a command after 20 retries.
 */
export function workerConnection(url: string): RedisOptions {
  return { ...redisOptionsFromUrl(url), maxRetriesPerRequest: null };
}

/**
 * Producers (the SDK client, the CLI) should fail fast when Redis is down rather than queue
 * commands in memory and hang; callers must wait for the connection before the first command.
 */
export function producerConnection(url: string): RedisOptions {
  return { ...redisOptionsFromUrl(url), enableOfflineQueue: false };
}

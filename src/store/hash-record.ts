import { z } from "zod";
import type { RedisClient } from "../../queues/connection.js";
import { CorruptRecordError } from "../errors/index.js";

/**
 * Records kept as one Redis hash whose fields are written at once and expire together (landmark
 * indexes, gist summary vectors): a JSON header plus binary fields.
 */

/** Replaces the hash at `key` with `fields`, expiring in `ttlSeconds`. */
export async function writeHashRecord(
  redis: RedisClient,
  key: string,
  fields: Record<string, string | Buffer>,
  ttlSeconds: number,
): Promise<void> {
  await redis.multi().del(key).hset(key, fields).expire(key, ttlSeconds).exec();
}

/**
 * The named fields of the hash at `key`, restarting its TTL; null when any is missing (never
 * written, or expired).
 */
export async function readHashRecord(
  redis: RedisClient,
  key: string,
  fields: readonly string[],
  ttlSeconds: number,
): Promise<Buffer[] | null> {
  const replies = await redis
    .multi()
    .hmgetBuffer(key, ...fields)
    .expire(key, ttlSeconds)
    .exec();
  const failed = replies?.find(([error]) => error !== null)?.[0];
  if (failed) throw failed;
  const values = (replies?.[0]?.[1] ?? []) as (Buffer | null)[];
  if (values.length !== fields.length || values.some((value) => !value)) return null;
  return values as Buffer[];
}

/** The record's JSON header, checked by `schema`; a `CorruptRecordError` when it is not valid. */
export function parseHashHeader<T>(key: string, bytes: Buffer, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new CorruptRecordError(key, "meta is not JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CorruptRecordError(key, z.prettifyError(parsed.error));
  return parsed.data;
}

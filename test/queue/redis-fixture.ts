import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { redisOptionsFromUrl } from "../../queues/connection.js";

export const TEST_REDIS_URL = process.env.CTXPRESS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A prefix no other test (or run) uses, so tests never see each other's jobs or keys. */
export function uniquePrefix(label: string): string {
  return `ctxtest-${label}-${randomBytes(4).toString("hex")}`;
}

export function testRedis(): Redis {
  return new Redis(redisOptionsFromUrl(TEST_REDIS_URL));
}

/** Deletes every key under `prefix` (BullMQ's and ctxpress's). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

export async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    count += keys.length;
    cursor = next;
  } while (cursor !== "0");
  return count;
}

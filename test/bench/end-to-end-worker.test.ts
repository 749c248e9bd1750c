/**
 * The end-to-end bench's worker mode (bench/scorer/end-to-end-worker.ts) on this checkout: a real
 * `ctxpress worker` process under a fresh prefix of the test Redis, the child script enqueuing
 * through the queue client, then the worker stopped and its keys deleted. Counts and flags only.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { timeThroughWorker } from "../../bench/scorer/end-to-end-worker.js";
import { countKeys, TEST_REDIS_URL, testRedis } from "../queue/redis-fixture.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("end-to-end bench through a worker", () => {
  it("times one job through this checkout's worker and leaves no key or process behind", async () => {
    const timing = await timeThroughWorker(
      root,
      ["--method", "landmark", "--tokens", "1000"],
      TEST_REDIS_URL,
    );
    expect(timing.seconds).toBeGreaterThan(0);
    expect(timing.cpuSeconds).toBeGreaterThan(0);
    expect(timing.keysDeleted).toBeGreaterThan(0);
    expect(timing.strays).toBe(false);
    const redis = testRedis();
    try {
      expect(await countKeys(redis, timing.prefix)).toBe(0);
    } finally {
      await redis.quit();
    }
  });
});

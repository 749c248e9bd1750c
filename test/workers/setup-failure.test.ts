import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CtxpressClient } from "../../src/sdk/client.js";
import { deleteKeys, TEST_REDIS_URL, testRedis, uniquePrefix } from "../queue/redis-fixture.js";
import { spawnWorker } from "./worker-process.js";

describe("a worker that cannot load its models", () => {
  let redis: Redis;
  const prefix = uniquePrefix("setup");

  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it("stops with exit code 1 instead of failing the queue's jobs one by one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ctxpress-models-"));
    const models = join(dir, "models.json");
    writeFileSync(
      models,
      JSON.stringify({ scorer: { type: "onnx", model: join(dir, "missing-model") } }),
    );
    const client = await CtxpressClient.connect({ redisUrl: TEST_REDIS_URL, prefix });
    const worker = spawnWorker([
      "--prefix",
      prefix,
      "--redis-url",
      TEST_REDIS_URL,
      "--queues",
      "compress",
      "--models",
      models,
    ]);
    try {
      await worker.waitForLine(/serving/);
      const handle = await client.enqueueCompress(
        { contexts: ["Some text to compress."] },
        { method: "llmlingua" },
      );
      expect((await worker.exited).code).toBe(1);
      expect(worker.output()).toMatch(/stopping: model loading failed: .*missing-model/);
      expect(worker.output()).toMatch(/failed \(will retry\): model loading failed/);
      // The job is not failed for good: it waits for a worker that can run it.
      const status = await client.status(handle.id);
      expect(["delayed", "waiting"]).toContain(status.state);
      expect(status.attemptsMade).toBe(1);
    } finally {
      worker.signal("SIGKILL", "group");
      await client.close();
    }
  });
});

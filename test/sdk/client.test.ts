import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CompressionInputError,
  JobNotFoundError,
  JobTimeoutError,
} from "../../src/errors/index.js";
import { CtxpressClient } from "../../src/sdk/client.js";
import {
  countKeys,
  deleteKeys,
  TEST_REDIS_URL,
  testRedis,
  uniquePrefix,
} from "../queue/redis-fixture.js";

describe("CtxpressClient without workers", () => {
  let redis: Redis;
  let client: CtxpressClient;
  const prefix = uniquePrefix("client");

  beforeAll(async () => {
    redis = testRedis();
    client = await CtxpressClient.connect({ redisUrl: TEST_REDIS_URL, prefix });
  });
  afterAll(async () => {
    await client.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it("stores the document and enqueues a job that only references it", async () => {
    const handle = await client.enqueueCompress(
      { contexts: ["A document. ".repeat(50)] },
      { method: "llmlingua" },
    );
    const status = await client.status(handle.id);
    expect(status).toMatchObject({ queue: "compress", state: "waiting", attemptsMade: 0 });
    const raw = await redis.hget(`${prefix}:compress:${handle.id}`, "data");
    expect(raw).not.toContain("A document.");
    expect(JSON.parse(raw ?? "{}").options).toMatchObject({
      method: "llmlingua",
      rate: 0.5,
      iterativeSize: 200,
    });
    expect(await countKeys(redis, `${prefix}:doc`)).toBe(1);
  });

  it("gives up waiting after the timeout, leaving the job queued", async () => {
    const handle = await client.enqueueAnswer(
      { contexts: ["Another document."], question: "Which?" },
      { method: "llmlingua" },
    );
    await expect(handle.result({ timeoutMs: 200 })).rejects.toBeInstanceOf(JobTimeoutError);
    expect((await client.status(handle.id)).state).toBe("waiting-children");
    expect(await client.counts()).toMatchObject({
      compress: { waiting: 2 },
      answer: { "waiting-children": 1 },
    });
  });

  it("refuses what workers would refuse before storing anything, naming the field", async () => {
    const before = await countKeys(redis, prefix);
    const longQuestion = client.enqueueCompress(
      { contexts: ["Some text."], question: "x".repeat(9 * 1024) },
      { method: "longllmlingua" },
    );
    await expect(longQuestion).rejects.toSatisfy(
      (error: CompressionInputError) =>
        error instanceof CompressionInputError && error.issues[0]?.path[0] === "question",
    );
    const manyContexts = client.enqueueAnswer(
      { contexts: Array.from({ length: 257 }, (_, i) => `Context ${i}.`), question: "Which?" },
      { method: "llmlingua" },
    );
    await expect(manyContexts).rejects.toThrow(/contexts: 257 contexts, over the limit of 256/);
    expect(await countKeys(redis, prefix)).toBe(before);
  });

  it("reports unknown jobs as such", async () => {
    await expect(client.status("compress-nope")).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(client.job("nope")).rejects.toBeInstanceOf(JobNotFoundError);
  });
});

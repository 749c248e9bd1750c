import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentTtlSeconds, retentionSchema } from "../../queues/retention.js";
import type { CompressionResult } from "../../src/compressors/types.js";
import { CorruptRecordError } from "../../src/errors/index.js";
import { storeKeys } from "../../src/store/keys.js";
import { createStore } from "../../src/store/store.js";
import { deleteKeys, testRedis, uniquePrefix } from "../queue/redis-fixture.js";

const retention = retentionSchema.parse({ completedAgeSeconds: 60, failedAgeSeconds: 120 });

function compressionResult(ratio: number): CompressionResult {
  return {
    kind: "text",
    method: "llmlingua",
    prompt: "kept text",
    contexts: [
      { index: 0, text: "kept text", keptSpans: [[0, 9]], originalTokens: 10, compressedTokens: 0 },
    ],
    stats: {
      counts: { tokenizer: "t", originalTokens: 10, compressedTokens: 0, ratio, rate: 0 },
      timingsMs: { fine: 1.5 },
      totalMs: 1.5,
      models: { scorer: "tiny" },
    },
    options: { method: "llmlingua", rate: 0.5 },
  };
}

describe("store", () => {
  let redis: Redis;
  const prefix = uniquePrefix("store");

  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it("stores a document once under its sha256 and restarts its TTL on every put", async () => {
    const store = createStore(redis, prefix, retention);
    const key = storeKeys(prefix).document;
    const ref = await store.documents.put("héllo wörld");
    expect(ref.bytes).toBe(Buffer.byteLength("héllo wörld"));
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    await redis.expire(key(ref.sha256), 5);
    const again = await store.documents.put("héllo wörld");
    expect(again).toEqual(ref);
    expect(await redis.ttl(key(ref.sha256))).toBeGreaterThan(documentTtlSeconds(retention) - 5);
    expect((await store.documents.getBytes(ref.sha256))?.toString("utf8")).toBe("héllo wörld");
  });

  it("documents outlive failed jobs, which outlive completed ones", () => {
    expect(documentTtlSeconds(retention)).toBeGreaterThan(retention.failedAgeSeconds);
  });

  it("keeps arbitrary bytes intact (the worker decides whether they are text)", async () => {
    const store = createStore(redis, prefix, retention);
    const bytes = Uint8Array.from([0xff, 0x00, 0xfe, 0x41]);
    const ref = await store.documents.putBytes(bytes);
    expect([...((await store.documents.getBytes(ref.sha256)) ?? [])]).toEqual([...bytes]);
    expect(await store.documents.getBytes("0".repeat(64))).toBeNull();
  });

  it("round-trips a compression result, Infinity ratio included, with a TTL", async () => {
    const store = createStore(redis, prefix, retention);
    await store.results.putCompression("a".repeat(64), compressionResult(Number.POSITIVE_INFINITY));
    const read = await store.results.getCompression("a".repeat(64));
    expect(read?.stats.counts.ratio).toBe(Number.POSITIVE_INFINITY);
    expect(read).toEqual(compressionResult(Number.POSITIVE_INFINITY));
    expect(await redis.ttl(storeKeys(prefix).compression("a".repeat(64)))).toBeGreaterThan(60);
  });

  it("refuses a stored record that does not have the expected shape", async () => {
    const store = createStore(redis, prefix, retention);
    await redis.set(storeKeys(prefix).answer("answer-x"), JSON.stringify({ answer: 42 }));
    await expect(store.results.getAnswer("answer-x")).rejects.toBeInstanceOf(CorruptRecordError);
  });
});

/**
 * Gist summary vectors in real Redis with the real ONNX AutoCompressor (models/gist-tiny-random):
 * bit-exact binary storage, TTLs, no compression work for a document whose vectors are stored,
 * a model change (other weights) writes and reads other vectors, and cached results of the old
 * model are refused.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRetention } from "../../queues/retention.js";
import {
  type StoredSummary,
  summarizeDocument,
} from "../../src/compressors/gist/summary-vectors.js";
import { runCompression } from "../../src/compressors/index.js";
import { documentSha256 } from "../../src/compressors/landmark/landmark-index.js";
import { createModels, type Models } from "../../src/model/models.js";
import type { SummaryCompressor } from "../../src/model/types.js";
import { CompressionCache, modelIdLookup } from "../../src/store/compression-cache.js";
import { createStore, type Store } from "../../src/store/store.js";
import { SummaryVectorCache } from "../../src/store/summary-vector-cache.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { deleteKeys, testRedis, uniquePrefix } from "../queue/redis-fixture.js";
import { alteredTinyGist, TINY_GIST } from "./fixtures.js";

const document = heldOutParagraphs(8, 900).join("\n\n");

let redis: Redis;
let prefix: string;
let store: Store;
let models: Models;
let alteredModels: Models;
let alteredDir: string;

/** The same model counting the segments it compresses. */
function counting(inner: SummaryCompressor): SummaryCompressor & { segments: number } {
  const spy = Object.create(inner, {
    summarize: {
      value: (segment: readonly number[], softprompt: Float32Array) => {
        spy.segments++;
        return inner.summarize(segment, softprompt);
      },
    },
  });
  spy.segments = 0;
  return spy;
}

function bytesOf(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

beforeAll(async () => {
  redis = testRedis();
  prefix = uniquePrefix("gist");
  store = createStore(redis, prefix, defaultRetention);
  models = createModels({ gist: { type: "onnx", model: TINY_GIST, threads: 1 } });
  alteredDir = await alteredTinyGist(await mkdtemp(path.join(tmpdir(), "ctxpress-gist-")));
  alteredModels = createModels({ gist: { type: "onnx", model: alteredDir, threads: 1 } });
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
  await models.dispose();
  await alteredModels.dispose();
  await rm(path.dirname(alteredDir), { recursive: true, force: true });
});

describe("SummaryVectorStore", () => {
  it("round-trips vectors bit-exactly, NaN payloads, signed zeros and subnormals included", async () => {
    const gist = await models.summaryCompressor();
    const summary = await summarizeDocument({
      text: document,
      segmentTokens: 32,
      compressor: gist,
    });
    // Quiet and signalling NaNs with payloads, -0, the smallest subnormal, +Infinity.
    const tricky = new Uint32Array([
      0x7fc00001, 0xffc12345, 0x7f800001, 0x80000000, 0x00000001, 0x7f800000,
    ]);
    const vectors = Float32Array.from(summary.vectors);
    new Uint32Array(vectors.buffer).set(tricky);
    const stored: StoredSummary = { ...summary, vectors };
    await store.summaryVectors.put(stored, stored);

    const key = store.summaryVectors.keyOf(stored);
    expect(key.startsWith(`${prefix}:gist:`)).toBe(true);
    expect(key.endsWith(`:32:${documentSha256(document)}`)).toBe(true);
    expect((await redis.hgetBuffer(key, "vectors"))?.equals(bytesOf(vectors))).toBe(true);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(store.summaryVectors.ttlSeconds);

    await redis.expire(key, 100);
    const read = await store.summaryVectors.get(stored);
    expect(await redis.ttl(key)).toBeGreaterThan(100); // reading restarts the TTL
    expect(read).not.toBeNull();
    expect(bytesOf(read?.vectors ?? new Float32Array(0)).equals(bytesOf(vectors))).toBe(true);
    expect(read?.blocks).toEqual(summary.blocks);
    expect(read).toMatchObject({
      modelId: gist.modelId,
      summaryTokens: gist.summaryTokens,
      hiddenSize: gist.hiddenSize,
      tokens: summary.tokens,
      createdAt: summary.createdAt,
    });
    expect(await store.summaryVectors.get({ ...stored, modelId: "another@0000" })).toBeNull();
    expect(await store.summaryVectors.get({ ...stored, segmentTokens: 64 })).toBeNull();
  });

  it("refuses a record whose size does not match its header", async () => {
    const gist = await models.summaryCompressor();
    const summary = await summarizeDocument({
      text: "One. Two.",
      segmentTokens: 32,
      compressor: gist,
    });
    await store.summaryVectors.put(summary, summary);
    await redis.hset(store.summaryVectors.keyOf(summary), "vectors", Buffer.alloc(12));
    await expect(store.summaryVectors.get(summary)).rejects.toThrow(/is not valid/);
    await store.summaryVectors.remove(summary);
    expect(await store.summaryVectors.has(summary)).toBe(false);
  });
});

describe("gist questions over stored vectors", () => {
  it("compresses a document on its first question only; later questions read its vectors", async () => {
    const gist = counting(await models.summaryCompressor());
    const env = {
      models: { scorer: () => models.scorer(), summaryCompressor: async () => gist },
      summaryVectors: new SummaryVectorCache(store.summaryVectors),
    };
    const text = `${document}\n\nA fresh ending makes this a document never compressed before.`;
    const first = await runCompression(
      { contexts: [text], question: "Who?" },
      { method: "gist" },
      env,
    );
    const summary = first.summary?.contexts[0];
    expect(summary?.computed).toBe(true);
    expect(gist.segments).toBe(summary?.segments);
    const stored = await store.summaryVectors.get({
      documentSha256: documentSha256(text),
      modelId: gist.modelId,
      segmentTokens: gist.segmentTokens,
    });
    expect(stored?.blocks.length).toBe(summary?.segments);

    // A new client (another process would do the same): only Redis is shared.
    const again = {
      ...env,
      summaryVectors: new SummaryVectorCache(store.summaryVectors),
    };
    for (const question of ["What is the pass key?", "Where did they go?"]) {
      const result = await runCompression(
        { contexts: [text], question },
        { method: "gist" },
        again,
      );
      expect(result.summary?.contexts[0]?.computed).toBe(false);
      expect(result.summary?.ratio).toBe(first.summary?.ratio);
    }
    expect(gist.segments).toBe(summary?.segments);
  });

  it("writes other vectors, and refuses cached results, when the weights change", async () => {
    const original = await models.summaryCompressor();
    const altered = await alteredModels.summaryCompressor();
    expect(altered.modelId).not.toBe(original.modelId);
    // Only the weights differ, and they alone make it another model.
    expect(altered.modelId.split("@")[0]).toBe(original.modelId.split("@")[0]);

    const summaryVectors = new SummaryVectorCache(store.summaryVectors);
    const input = { contexts: [document], question: "Who?" };
    const before = await runCompression(input, { method: "gist" }, { models, summaryVectors });
    const reused = await runCompression(input, { method: "gist" }, { models, summaryVectors });
    expect(reused.summary?.contexts[0]?.computed).toBe(false);
    const after = await runCompression(
      input,
      { method: "gist" },
      { models: alteredModels, summaryVectors },
    );
    expect(after.summary?.contexts[0]).toMatchObject({ computed: true, modelId: altered.modelId });
    const keyOf = (modelId: string) =>
      store.summaryVectors.keyOf({
        documentSha256: documentSha256(document),
        modelId,
        segmentTokens: original.segmentTokens,
      });
    expect(keyOf(altered.modelId)).not.toBe(keyOf(original.modelId));
    expect(await redis.exists(keyOf(original.modelId), keyOf(altered.modelId))).toBe(2);
    const [a, b] = await Promise.all(
      [original.modelId, altered.modelId].map((modelId) =>
        store.summaryVectors.get({
          documentSha256: documentSha256(document),
          modelId,
          segmentTokens: original.segmentTokens,
        }),
      ),
    );
    expect(
      bytesOf(a?.vectors ?? new Float32Array(0)).equals(bytesOf(b?.vectors ?? new Float32Array(1))),
    ).toBe(false);

    const cacheKey = "b".repeat(64);
    await store.results.putCompression(cacheKey, before);
    expect(await new CompressionCache(store.results, modelIdLookup(models)).get(cacheKey)).toEqual(
      before,
    );
    expect(
      await new CompressionCache(store.results, modelIdLookup(alteredModels)).get(cacheKey),
    ).toBeNull();
  });
});

/**
 * Landmark indexes in real Redis with the real ONNX embedder (models/landmark-embedder): binary
 * storage, TTLs, reuse across questions, invalidation by a model change, and the compression
 * cache's model check.
 */

import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRetention } from "../../queues/retention.js";
import { runCompression } from "../../src/compressors/index.js";
import {
  buildLandmarkIndex,
  documentSha256,
} from "../../src/compressors/landmark/landmark-index.js";
import { DEFAULT_EMBEDDER_MODEL } from "../../src/model/defaults.js";
import { OnnxEmbedder } from "../../src/model/embedder.js";
import { createModels, type Models } from "../../src/model/models.js";
import type { Embedder } from "../../src/model/types.js";
import { indexDocument } from "../../src/sdk/landmark-indexes.js";
import { CompressionCache, modelIdLookup } from "../../src/store/compression-cache.js";
import { storeKeys } from "../../src/store/keys.js";
import { LandmarkIndexCache } from "../../src/store/landmark-index-cache.js";
import { createStore, type Store } from "../../src/store/store.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { countKeys, deleteKeys, testRedis, uniquePrefix } from "../queue/redis-fixture.js";

const needle = "The access code of Morvellan is 58213.";
const paragraphs = heldOutParagraphs(40, 700);
paragraphs.splice(23, 0, needle);
const document = paragraphs.join("\n\n");
const question = "What is the access code of Morvellan?";

/** The real embedder, counting the blocks it embeds. */
function counting(inner: Embedder): Embedder & { blocksEmbedded: number } {
  const counter = {
    blocksEmbedded: 0,
    modelId: inner.modelId,
    tokenizer: inner.tokenizer,
    dimensions: inner.dimensions,
    maxTokens: inner.maxTokens,
    embed: (texts: readonly string[]) => inner.embed(texts),
    embedTokens: (items: readonly (readonly number[])[]) => {
      counter.blocksEmbedded += items.length;
      return inner.embedTokens(items);
    },
    dispose: () => inner.dispose(),
  };
  return counter;
}

let redis: Redis;
let prefix: string;
let store: Store;
let models: Models;
let embedder: Embedder & { blocksEmbedded: number };
let alteredDir: string;

beforeAll(async () => {
  redis = testRedis();
  prefix = uniquePrefix("landmark");
  store = createStore(redis, prefix, defaultRetention);
  models = createModels({ embedder: { type: "onnx", threads: 1 } });
  embedder = counting(await models.embedder());
  alteredDir = await mkdtemp(path.join(tmpdir(), "ctxpress-embedder-"));
  await cp(DEFAULT_EMBEDDER_MODEL, alteredDir, { recursive: true });
  const weights = path.join(alteredDir, "onnx", "model.onnx_data");
  const bytes = await readFile(weights);
  for (let at = 0; at < bytes.length; at += 4096)
    bytes.writeFloatLE(bytes.readFloatLE(at) * 1.5, at);
  await writeFile(weights, bytes);
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
  await models.dispose();
  await rm(alteredDir, { recursive: true, force: true });
});

describe("LandmarkIndexStore", () => {
  it("stores vectors and block offsets in binary under one key, with a TTL", async () => {
    const index = await buildLandmarkIndex({ text: document, blockTokens: 64, embedder });
    await store.landmarkIndexes.put(index, index);
    const key = store.landmarkIndexes.keyOf(index);
    expect(key.startsWith(`${prefix}:landmark:`)).toBe(true);
    expect(key.endsWith(`:64:${documentSha256(document)}`)).toBe(true);
    const vectors = await redis.hgetBuffer(key, "vectors");
    expect(vectors?.length).toBe(index.blocks.length * index.dimensions * 4);
    expect(vectors?.readFloatLE(0)).toBeCloseTo(index.vectors[0] ?? Number.NaN, 6);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(store.landmarkIndexes.ttlSeconds);

    await redis.expire(key, 100);
    const read = await store.landmarkIndexes.get(index);
    expect(await redis.ttl(key)).toBeGreaterThan(100); // reading restarts the TTL
    expect(read?.blocks).toEqual(index.blocks);
    expect(Array.from(read?.vectors ?? [])).toEqual(Array.from(index.vectors));
    expect(await store.landmarkIndexes.get({ ...index, modelId: "another@0000" })).toBeNull();
    expect(await store.landmarkIndexes.get({ ...index, blockTokens: 32 })).toBeNull();
  });

  it("refuses a record whose sizes do not match its header", async () => {
    const index = await buildLandmarkIndex({ text: "One block. Two.", blockTokens: 64, embedder });
    await store.landmarkIndexes.put(index, index);
    await redis.hset(store.landmarkIndexes.keyOf(index), "vectors", Buffer.alloc(12));
    await expect(store.landmarkIndexes.get(index)).rejects.toThrow(/is not valid/);
    await store.landmarkIndexes.remove(index);
  });
});

describe("landmark questions over a stored index", () => {
  it("indexes a document on its first question, then reuses the index for every other one", async () => {
    const landmarkIndexes = new LandmarkIndexCache(store.landmarkIndexes);
    const env = { models: { ...models, embedder: async () => embedder }, landmarkIndexes };
    const text = `${document}\n\nA fresh ending makes this a document never indexed before.`;
    const key = {
      documentSha256: documentSha256(text),
      modelId: embedder.modelId,
      blockTokens: 64,
    };
    expect(await store.landmarkIndexes.get(key)).toBeNull();

    const before = embedder.blocksEmbedded;
    const first = await runCompression(
      { contexts: [text], question },
      { method: "landmark", topK: 4 },
      env,
    );
    const indexed = embedder.blocksEmbedded - before;
    const stored = await store.landmarkIndexes.get(key);
    expect(indexed).toBe(stored?.blocks.length);
    expect(first.prompt).toContain(needle);
    expect(first.stats.models.embedder).toBe(embedder.modelId);

    for (const other of ["Who wrote the letter?", "What is the access code of Morvellan?"]) {
      const result = await runCompression(
        { contexts: [text], question: other },
        { method: "landmark" },
        env,
      );
      expect(result.contexts.length).toBeGreaterThan(0);
    }
    expect(embedder.blocksEmbedded - before).toBe(indexed);
    expect((await store.landmarkIndexes.get(key))?.createdAt).toBe(stored?.createdAt);
  });

  it("builds a new index, and refuses cached results, when the embedder's weights change", async () => {
    const altered = await OnnxEmbedder.load(alteredDir, { session: { intraOpThreads: 1 } });
    try {
      expect(altered.modelId).not.toBe(embedder.modelId);
      const landmarkIndexes = new LandmarkIndexCache(store.landmarkIndexes);
      const original = await indexDocument(document, { models, landmarkIndexes });
      const again = await indexDocument(document, { models, landmarkIndexes });
      expect(again).toMatchObject({ built: false, modelId: original.modelId });
      const alteredModels = { ...models, embedder: async () => altered };
      const rebuilt = await indexDocument(document, { models: alteredModels, landmarkIndexes });
      expect(rebuilt).toMatchObject({ built: true, modelId: altered.modelId });
      const keyOf = (modelId: string) =>
        store.landmarkIndexes.keyOf({
          documentSha256: original.documentSha256,
          modelId,
          blockTokens: 64,
        });
      expect(keyOf(altered.modelId)).not.toBe(keyOf(original.modelId));
      expect(await redis.exists(keyOf(original.modelId), keyOf(altered.modelId))).toBe(2);

      const result = await runCompression(
        { contexts: [document], question },
        { method: "landmark" },
        { models, landmarkIndexes },
      );
      const cacheKey = "a".repeat(64);
      await store.results.putCompression(cacheKey, result);
      expect(
        await new CompressionCache(store.results, modelIdLookup(models)).get(cacheKey),
      ).toEqual(result);
      expect(
        await new CompressionCache(store.results, modelIdLookup(alteredModels)).get(cacheKey),
      ).toBeNull();
    } finally {
      await altered.dispose();
    }
  });

  it("refuses an empty document, a block size or k that is not positive", async () => {
    await expect(indexDocument("  \n ", { models })).rejects.toThrow(
      /document: the document is empty: there is nothing to index/,
    );
    for (const blockTokens of [0, -1, 1.5]) {
      await expect(indexDocument(document, { models, blockTokens })).rejects.toThrow(
        /blockTokens must be a positive integer/,
      );
    }
    const env = { models };
    await expect(
      runCompression({ contexts: [document], question }, { method: "landmark", topK: 0 }, env),
    ).rejects.toThrow(/options\.topK: topK must be a positive integer/);
    await expect(
      runCompression(
        { contexts: [document], question },
        { method: "landmark", blockTokens: 0 },
        env,
      ),
    ).rejects.toThrow(/options\.blockTokens: blockTokens must be a positive integer/);
    await expect(
      runCompression({ contexts: [""], question }, { method: "landmark" }, env),
    ).rejects.toThrow(/every context is empty/);
    await expect(
      runCompression({ contexts: [document] }, { method: "landmark" }, env),
    ).rejects.toThrow(/a non-empty question is required/);
  });

  it("keeps every key under the prefix", async () => {
    expect(await countKeys(redis, prefix)).toBeGreaterThan(0);
    expect(storeKeys(prefix).landmarkIndex("m", 64, "d")).toBe(`${prefix}:landmark:m:64:d`);
  });
});

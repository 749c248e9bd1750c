import { ContextualCompressionRetriever } from "@langchain/classic/retrievers/contextual_compression";
import { Document } from "@langchain/core/documents";
import { BaseRetriever } from "@langchain/core/retrievers";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompressionInputError } from "../../src/errors/index.js";
import { CtxpressDocumentCompressor } from "../../src/langchain/index.js";
import { CtxpressClient } from "../../src/sdk/client.js";
import { compress } from "../../src/sdk/in-process.js";
import { workerConfigSchema } from "../../src/workers/config.js";
import { type RunningWorkers, startWorkers } from "../../src/workers/start-workers.js";
import { deleteKeys, TEST_REDIS_URL, testRedis, uniquePrefix } from "../queue/redis-fixture.js";

/** A base retriever over a fixed list: the documents sharing a word of 4+ letters with the query. */
class KeywordRetriever extends BaseRetriever {
  lc_namespace = ["ctxpress", "test"];

  constructor(private readonly documents: readonly Document[]) {
    super();
  }

  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    const words = new Set(query.toLowerCase().match(/\w{4,}/g));
    return this.documents.filter((document) =>
      (document.pageContent.toLowerCase().match(/\w{4,}/g) ?? []).some((word) => words.has(word)),
    );
  }
}

const filler = "The committee met again in the spring and read the minutes of the last meeting. ";
const DOCUMENTS = [
  new Document({
    id: "harbour",
    pageContent: `${filler.repeat(6)}The harbour master keeps the lighthouse key in the blue box. ${filler.repeat(4)}`,
    metadata: { source: "harbour.txt" },
  }),
  new Document({
    id: "orchard",
    pageContent: `${filler.repeat(5)}The orchard gate code is 4417, and the lighthouse is far away. ${filler.repeat(5)}`,
    metadata: { source: "orchard.txt" },
  }),
  new Document({
    id: "weather",
    pageContent: "Rain is expected on Tuesday over the hills.",
    metadata: { source: "weather.txt" },
  }),
];
const QUERY = "Where is the lighthouse key kept?";
const COMPRESSION = { method: "longllmlingua", rate: 0.4 } as const;

describe("CtxpressDocumentCompressor in a ContextualCompressionRetriever", () => {
  it("retrieves, then compresses the retrieved documents against the query in process", async () => {
    const retriever = new ContextualCompressionRetriever({
      baseRetriever: new KeywordRetriever(DOCUMENTS),
      baseCompressor: new CtxpressDocumentCompressor({ compression: COMPRESSION }),
    });
    const documents = await retriever.invoke(QUERY);
    expect(documents.length).toBeGreaterThan(0);
    expect(documents.every((d) => d instanceof Document)).toBe(true);
    // The weather document shares no word with the query: the base retriever left it out.
    // (What is kept is checked below against the SDK's own compress of the same documents.)
    expect(documents.map((d) => d.id).sort()).not.toContain("weather");

    let original = 0;
    let kept = 0;
    for (const document of documents) {
      const source = DOCUMENTS.find((d) => d.id === document.id);
      expect(source, `${document.id} is one of the inputs`).toBeDefined();
      expect(document.metadata.source).toBe(source?.metadata.source);
      expect(document.metadata.ctxpress).toMatchObject({ method: "longllmlingua" });
      original += document.metadata.ctxpress.originalTokens;
      kept += document.metadata.ctxpress.compressedTokens;
    }
    expect(kept).toBeLessThan(original);

    // The same as the SDK's compress over the same documents and question.
    const retrieved = DOCUMENTS.filter((d) => d.id !== "weather");
    const direct = await compress(
      { contexts: retrieved.map((d) => d.pageContent), question: QUERY },
      COMPRESSION,
    );
    expect(documents.map((d) => d.pageContent)).toEqual(
      direct.contexts.map((c) => c.text).filter((text) => text.trim() !== ""),
    );
  });

  it("returns nothing for nothing, and refuses gist, which yields vectors", async () => {
    expect(await new CtxpressDocumentCompressor().compressDocuments([], QUERY)).toEqual([]);
    expect(() => new CtxpressDocumentCompressor({ compression: { method: "gist" } })).toThrow(
      CompressionInputError,
    );
  });

  it("rejects bad options with the SDK's typed error", async () => {
    const compressor = new CtxpressDocumentCompressor({
      compression: { method: "llmlingua", rate: 1.5 },
    });
    await expect(compressor.compressDocuments(DOCUMENTS, QUERY)).rejects.toBeInstanceOf(
      CompressionInputError,
    );
  });
});

describe("CtxpressDocumentCompressor through the queue", () => {
  const prefix = uniquePrefix("langchain");
  let redis: Redis;
  let workers: RunningWorkers;
  let client: CtxpressClient;

  beforeAll(async () => {
    redis = testRedis();
    workers = await startWorkers(
      workerConfigSchema.parse({ redisUrl: TEST_REDIS_URL, prefix, queues: ["compress"] }),
    );
    client = await CtxpressClient.connect({ redisUrl: TEST_REDIS_URL, prefix });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await workers?.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it("gives the documents an in-process compression gives", async () => {
    const queued = new CtxpressDocumentCompressor({
      compression: COMPRESSION,
      client,
      jobTimeoutMs: 120_000,
    });
    const inProcess = new CtxpressDocumentCompressor({ compression: COMPRESSION });
    const [viaQueue, local] = await Promise.all([
      queued.compressDocuments(DOCUMENTS, QUERY),
      inProcess.compressDocuments(DOCUMENTS, QUERY),
    ]);
    expect(viaQueue.length).toBeGreaterThan(0);
    expect(viaQueue.map((d) => [d.id, d.pageContent, d.metadata])).toEqual(
      local.map((d) => [d.id, d.pageContent, d.metadata]),
    );
  }, 180_000);
});

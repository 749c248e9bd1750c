/**
 * The index queue end to end: real Redis, real BullMQ, real ONNX Runtime (the shipped embedder),
 * workers started through the CLI in other processes.
 */

import { describe, expect, it } from "vitest";
import { defaultRetention } from "../../queues/retention.js";
import { documentSha256 } from "../../src/compressors/landmark/landmark-index.js";
import type { CompressionResult } from "../../src/compressors/types.js";
import { CompressionInputError } from "../../src/errors/index.js";
import { createStore } from "../../src/store/store.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { asText } from "../helpers/result-kind.js";
import { workerFleet } from "../workers/worker-fleet.js";

const needle = "The registration number of Quillaby is 730148.";
const paragraphs = heldOutParagraphs(30, 900);
paragraphs.splice(11, 0, needle);
const document = paragraphs.join("\n\n");
const question = "What is the registration number of Quillaby?";

const fleet = workerFleet();

describe("the index queue", () => {
  it("indexes once; the index survives a worker restart and serves later questions", async () => {
    const prefix = fleet.prefix("index-restart");
    const client = await fleet.connect(prefix);
    const first = await fleet.start(prefix);
    const handle = await client.enqueueIndex(document);
    const stages = new Set<string>();
    for await (const update of handle.progress()) stages.add(update.stage);
    const built = await handle.result();
    expect(built).toMatchObject({
      built: true,
      blockTokens: 64,
      documentSha256: documentSha256(document),
    });
    expect(built.blocks).toBeGreaterThan(10);
    expect(stages).toContain("index");

    // Another worker process, after the first one is gone: the index is read, not rebuilt.
    first.signal("SIGTERM", "group");
    await first.exited;
    await fleet.start(prefix);
    const again = await (await client.enqueueIndex(document)).result();
    expect(again).toMatchObject({ built: false, modelId: built.modelId, blocks: built.blocks });

    const store = createStore(fleet.redis, prefix, defaultRetention);
    const key = { documentSha256: built.documentSha256, modelId: built.modelId, blockTokens: 64 };
    const createdAt = (await store.landmarkIndexes.get(key))?.createdAt;
    const answers: CompressionResult[] = [];
    for (const asked of [question, "Who wrote the letters?"]) {
      const compressed = await client.enqueueCompress(
        { contexts: [document], question: asked },
        { method: "landmark", topK: 4 },
      );
      answers.push(await compressed.result());
    }
    expect(asText(answers[0]).prompt).toContain(needle);
    expect(answers[0]?.stats.models.embedder).toBe(built.modelId);
    expect((await store.landmarkIndexes.get(key))?.createdAt).toBe(createdAt);
  });

  it("indexes a document on its first landmark question when no index job ran", async () => {
    const prefix = fleet.prefix("index-on-question");
    const client = await fleet.connect(prefix);
    await fleet.start(prefix);
    const handle = await client.enqueueAnswer(
      { contexts: [document], question },
      { method: "landmark", topK: 2 },
      { maxNewTokens: 4 },
    );
    const answer = await handle.result();
    expect(answer.compression.method).toBe("landmark");
    const modelId = answer.compression.stats.models.embedder ?? "";
    const store = createStore(fleet.redis, prefix, defaultRetention);
    expect(
      await store.landmarkIndexes.has({
        documentSha256: documentSha256(document),
        modelId,
        blockTokens: 64,
      }),
    ).toBe(true);
    const indexed = await (await client.enqueueIndex(document)).result();
    expect(indexed.built).toBe(false);
  });

  it("refuses bad input before anything is queued", async () => {
    const prefix = fleet.prefix("index-bad");
    const client = await fleet.connect(prefix);
    const refused = async (work: () => Promise<unknown>, message: RegExp) => {
      const error = await work().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error instanceof CompressionInputError).toBe(true);
      expect((error as Error).message).toMatch(message);
    };
    await refused(
      () => client.enqueueIndex(" \n\t "),
      /the document is empty: there is nothing to index/,
    );
    await refused(
      () => client.enqueueIndex(document, { blockTokens: 0 }),
      /blockTokens must be a positive integer/,
    );
    await refused(
      () =>
        client.enqueueCompress(
          { contexts: [document], question },
          { method: "landmark", topK: -1 },
        ),
      /topK must be a positive integer/,
    );
    await refused(
      () => client.enqueueCompress({ contexts: [document] }, { method: "landmark" }),
      /a non-empty question is required/,
    );
    expect((await client.counts()).index).toMatchObject({ waiting: 0, active: 0 });
  });
});

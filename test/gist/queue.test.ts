/**
 * Gist through the queues end to end: real Redis, real BullMQ, workers started through the CLI
 * in other processes, the committed tiny AutoCompressor. The vectors are written once per
 * document and model; later questions read them from Redis; a worker with other weights writes
 * its own.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRetention } from "../../queues/retention.js";
import { documentSha256 } from "../../src/compressors/landmark/landmark-index.js";
import { CompressionInputError } from "../../src/errors/index.js";
import type { CtxpressClient } from "../../src/sdk/client.js";
import { createStore } from "../../src/store/store.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { asVectors } from "../helpers/result-kind.js";
import { TINY_MODEL } from "../model/fixtures/tiny-model.js";
import { workerFleet } from "../workers/worker-fleet.js";
import { alteredTinyGist, TINY_GIST } from "./fixtures.js";

const document = heldOutParagraphs(10, 1200).join("\n\n");
let work: string;
let alteredGist: string;
const fleet = workerFleet();

async function modelsFile(name: string, gist: string): Promise<string> {
  const file = path.join(work, `${name}.json`);
  const tiny = { type: "onnx", model: TINY_MODEL, threads: 1 };
  await writeFile(
    file,
    JSON.stringify({
      scorer: tiny,
      decoder: tiny,
      gist: { type: "onnx", model: gist, threads: 1 },
    }),
  );
  return file;
}

async function connect(label: string): Promise<{ client: CtxpressClient; prefix: string }> {
  const prefix = fleet.prefix(label);
  return { client: await fleet.connect(prefix), prefix };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "ctxpress-gist-queue-"));
  // Same folder name, other weights: only the weights digest tells the models apart.
  alteredGist = await alteredTinyGist(path.join(work, "altered"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("gist through the queues", () => {
  it("answers from vectors stored in Redis, compresses each document once, and per model", async () => {
    const { client, prefix } = await connect("gist-queue");
    const worker = await fleet.start(prefix, ["--models", await modelsFile("tiny", TINY_GIST)]);
    const handle = await client.enqueueAnswer(
      { contexts: [document], question: "What is the pass key?" },
      { method: "gist" },
      { maxNewTokens: 4 },
    );
    const stages: string[] = [];
    for await (const update of handle.progress()) stages.push(`${update.step}:${update.stage}`);
    const answer = await handle.result();
    expect(stages).toContain("compress:summarize");
    expect(answer.compression.method).toBe("gist");
    const modelId = answer.compression.stats.models.gist ?? "";
    expect(modelId).toMatch(/^gist-tiny-random@/);
    expect(answer.generation.modelId).toBe(modelId);
    expect(answer.generation.completionTokens).toBeGreaterThan(0);

    const store = createStore(fleet.redis, prefix, defaultRetention);
    const key = { documentSha256: documentSha256(document), modelId, segmentTokens: 32 };
    const stored = await store.summaryVectors.get(key);
    expect(stored?.blocks.length).toBeGreaterThan(5);

    // Another question: a new compress job, which reads the vectors instead of computing them.
    const later = await (
      await client.enqueueCompress(
        { contexts: [document], question: "Who wrote it?" },
        { method: "gist" },
      )
    ).result();
    expect(asVectors(later).summary.contexts[0]).toMatchObject({ computed: false, modelId });
    expect((await store.summaryVectors.get(key))?.createdAt).toBe(stored?.createdAt);

    // A worker with other weights writes (and reads) its own vectors. (A new question: the
    // same request would be deduplicated by its job id while the finished job is retained.)
    worker.signal("SIGTERM", "group");
    await worker.exited;
    await fleet.start(prefix, ["--models", await modelsFile("altered", alteredGist)]);
    const altered = await (
      await client.enqueueCompress(
        { contexts: [document], question: "When was it written?" },
        { method: "gist" },
      )
    ).result();
    const alteredId = asVectors(altered).summary.modelId;
    expect(alteredId).toMatch(/^gist-tiny-random@/);
    expect(alteredId).not.toBe(modelId);
    expect(asVectors(altered).summary.contexts[0]?.computed).toBe(true);
    expect(await store.summaryVectors.has({ ...key, modelId: alteredId })).toBe(true);
    expect(await store.summaryVectors.has(key)).toBe(true);
  });

  it("refuses bad gist options before anything is queued", async () => {
    const { client } = await connect("gist-bad");
    for (const [options, message] of [
      [{ method: "gist", segmentTokens: 0 }, /segmentTokens must be a positive integer/],
      [{ method: "gist", rate: 1.5 }, /rate is the fraction/],
      [{ method: "gist", topK: 3 }, /topK/],
    ] as const) {
      const error = await client
        .enqueueCompress({ contexts: [document] }, options as never)
        .catch((caught: unknown) => caught);
      expect(error instanceof CompressionInputError).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    expect((await client.counts()).compress).toMatchObject({ waiting: 0, active: 0 });
  });
});

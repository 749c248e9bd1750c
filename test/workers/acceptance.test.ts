/**
 * The queue acceptance tests: real Redis, real BullMQ, real ONNX Runtime (models/tiny-random as
 * scorer and decoder, through the workers' --models file: its 512-token window and its speed are
 * what the timings and window checks below are sized for), workers in other processes started
 * through the CLI.
 */
import { readFileSync } from "node:fs";
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { commandName, descendants } from "../../bench/faults/process-tree.js";
import { tinyRandomModelsFile } from "../../bench/faults/tiny-models.js";
import { producerConnection } from "../../queues/connection.js";
import { COMPRESS_JOB, COMPRESS_QUEUE } from "../../queues/names.js";
import { defaultRetention } from "../../queues/retention.js";
import type { CompressJobData } from "../../queues/schemas.js";
import { CompressionInputError } from "../../src/errors/index.js";
import { splitIntoContexts } from "../../src/sdk/chunk.js";
import type { CtxpressClient } from "../../src/sdk/client.js";
import { createStore } from "../../src/store/store.js";
import { TEST_REDIS_URL } from "../queue/redis-fixture.js";
import { workerFleet } from "./worker-fleet.js";
import type { WorkerProcess } from "./worker-process.js";

const longDocument = readFileSync(
  new URL("../../examples/long-document.txt", import.meta.url),
  "utf8",
);
const question = "What is the ship's secret passkey written in the harbour master's ledger?";
const shortContexts = splitIntoContexts(longDocument.slice(0, 6000), 1500);
/** Long enough on tiny-random that a test can act while the job runs. */
const slowContexts = splitIntoContexts(longDocument.slice(0, 40_000), 2000);
const modelsFile = tinyRandomModelsFile();
/** Short locks so a dead worker's job is retaken in seconds, not BullMQ's default 30 s. */
const FAST_STALL = ["--lock-duration", "1500", "--stalled-interval", "1000"];

const fleet = workerFleet();

async function setup(label: string, workerArgs: string[] = [], workers = 1) {
  const prefix = fleet.prefix(label);
  const client = await fleet.connect(prefix);
  const started = await Promise.all(
    Array.from({ length: workers }, () =>
      fleet.start(prefix, ["--models", modelsFile, ...workerArgs]),
    ),
  );
  return { prefix, client, workers: started };
}

/**
 * Enqueues a compression that takes seconds and returns once `worker` is in the middle of it;
 * `onStarted` runs as soon as `worker` has taken the job.
 */
async function startSlowJob(client: CtxpressClient, worker: WorkerProcess, onStarted = () => {}) {
  const handle = await client.enqueueCompress(
    { contexts: slowContexts },
    { method: "llmlingua", rate: 0.3 },
  );
  await worker.waitForLine(new RegExp(`compress ${handle.id}: started`));
  onStarted();
  for await (const update of handle.progress()) if (update.fraction > 0) break;
  return handle;
}

describe("queue acceptance", () => {
  it("compresses and answers a document enqueued by the SDK in a worker process", async () => {
    const { client, workers } = await setup("flow");
    const handle = await client.enqueueAnswer(
      { contexts: shortContexts, question },
      { method: "longllmlingua", targetTokens: 200 },
      { maxNewTokens: 8 },
    );
    const updates = [];
    for await (const update of handle.progress()) updates.push(update);
    const result = await handle.result();

    expect(result.compression.method).toBe("longllmlingua");
    expect(result.compression.stats.counts.compressedTokens).toBeLessThan(
      result.compression.stats.counts.originalTokens,
    );
    expect(result.prompt).toContain(question);
    expect(result.generation.completionTokens).toBeGreaterThan(0);
    expect(result.generation.completionTokens).toBeLessThanOrEqual(8);
    expect(result.timingsMs.total).toBeGreaterThanOrEqual(result.timingsMs.decode);
    expect(updates.some((update) => update.step === "compress")).toBe(true);
    expect(updates.some((update) => update.step === "answer")).toBe(true);
    // The work happened in the other process, not in this one.
    await workers[0]?.waitForLine(new RegExp(`answer ${handle.id}: completed`));
  });

  it("runs an identical request once, however often it is enqueued", async () => {
    const { client, workers, prefix } = await setup("dedup");
    const request = { contexts: shortContexts, question };
    const options = { method: "llmlingua", rate: 0.4 } as const;
    const [first, second] = await Promise.all([
      client.enqueueCompress(request, options),
      client.enqueueCompress(request, { rate: 0.4, method: "llmlingua" }),
    ]);
    expect(second?.id).toBe(first?.id);
    const result = await first.result();
    const third = await client.enqueueCompress(request, options);
    expect(third.deduplicated).toBe(true);
    expect(await third.result()).toEqual(result);

    const queue = new Queue(COMPRESS_QUEUE, {
      connection: producerConnection(TEST_REDIS_URL),
      prefix,
    });
    expect(await queue.getJobCounts("completed", "waiting", "active")).toEqual({
      completed: 1,
      waiting: 0,
      active: 0,
    });
    await queue.close();
    const started =
      workers[0]?.output().match(new RegExp(`compress ${first.id}: started`, "g")) ?? [];
    expect(started).toHaveLength(1);
  });

  it("refuses bad input before enqueue, fails bad raw jobs for good, and keeps serving", async () => {
    const { client, prefix, workers } = await setup("bad", ["--max-document-chars", "5000"]);
    const small = { contexts: ["Some perfectly good text."] };
    const refused = [
      client.enqueueCompress({ contexts: [""] }, { method: "llmlingua" }),
      client.enqueueCompress({ contexts: ["bin\u0000ary"] }, { method: "llmlingua" }),
      client.enqueueCompress(small, { method: "llmlingua", rate: 1.5 }),
      client.enqueueCompress(small, { method: "llmlingua", rate: 0 }),
      client.enqueueCompress(small, { method: "zip" } as never),
    ];
    for (const attempt of refused) {
      await expect(attempt).rejects.toBeInstanceOf(CompressionInputError);
    }
    const limited = await fleet.connect(prefix, { maxDocumentChars: 10 });
    await expect(
      limited.enqueueCompress({ contexts: ["x".repeat(11)] }, { method: "llmlingua" }),
    ).rejects.toThrow(/limit of 10 characters/);
    expect(await client.counts()).toMatchObject({
      compress: { waiting: 0, active: 0, failed: 0, completed: 0 },
    });

    // A raw BullMQ producer skips the SDK's checks: the worker must refuse such jobs itself.
    const store = createStore(fleet.redis, prefix, defaultRetention);
    const binary = await store.documents.putBytes(Uint8Array.from([0xc3, 0x28, 0xff, 0xfe]));
    const text = await store.documents.put("Some perfectly good text for a raw job.");
    const oversized = await store.documents.put("word ".repeat(2000));
    const queue = new Queue(COMPRESS_QUEUE, {
      connection: producerConnection(TEST_REDIS_URL),
      prefix,
    });
    const raw = (jobId: string, data: Partial<CompressJobData> & Record<string, unknown>) =>
      queue.add(
        COMPRESS_JOB,
        { version: 1, documents: [text], options: { method: "llmlingua" }, ...data },
        { jobId, attempts: 3 },
      );
    await raw("bytes", { documents: [binary] });
    await raw("rate", { options: { method: "llmlingua", rate: 2 } });
    await raw("method", { options: { method: "zip" } });
    await raw("empty", { documents: [await store.documents.put("")] });
    await raw("too-long", { documents: [oversized] });
    await raw("garbage", { documents: "not a list" } as never);
    await raw("good", {});

    const good = await client.job("good");
    await good.result();
    const reasons: Record<string, RegExp> = {
      bytes: /not UTF-8 text/,
      rate: /rate/,
      method: /unknown method "zip"/,
      empty: /nothing to compress/,
      "too-long": /limit of 5000 characters/,
      garbage: /documents/,
    };
    for (const [id, reason] of Object.entries(reasons)) {
      const status = await client.status(id);
      expect(status.state, id).toBe("failed");
      expect(status.failedReason, id).toMatch(reason);
      expect(status.attemptsMade, `${id} was not retried`).toBe(1);
      expect(workers[0]?.output()).toContain(`compress ${id}: failed: `);
    }
    // A flow whose compress step fails for good fails as a whole, with that step's reason…
    const tooLongForWorker = await client.enqueueAnswer(
      { contexts: ["word ".repeat(1200)], question },
      { method: "llmlingua" },
    );
    await expect(tooLongForWorker.result()).rejects.toThrow(
      /compress step failed: .*limit of 5000 characters/,
    );
    // …and so does one whose compressed prompt cannot fit the decoder's window.
    const unfitting = await client.enqueueAnswer(
      { contexts: shortContexts, question },
      { method: "llmlingua", rate: 1 },
    );
    await expect(unfitting.result()).rejects.toThrow(/context window/);
    expect((await client.status(unfitting.id)).attemptsMade).toBe(1);

    // A failed job keeps its input for inspection: its document outlives it.
    expect(await store.documents.getBytes(binary.sha256)).not.toBeNull();
    await queue.close();
    expect(workers[0]?.child.exitCode).toBeNull();
  });

  it("hands the job of a worker killed mid-job to another worker", async () => {
    const { client, workers, prefix } = await setup("kill", FAST_STALL);
    const victim = workers[0] as WorkerProcess;
    let rescuer: WorkerProcess | undefined;
    // The rescuer starts once the victim holds the job, so it cannot take the job first.
    const handle = await startSlowJob(client, victim, () => {
      rescuer = fleet.spawn(prefix, ["--models", modelsFile, ...FAST_STALL]);
    });
    // Only its PID, as the OOM killer or `kill -9` would: nothing it started may live on.
    victim.signal("SIGKILL", "parent");
    await victim.exited;
    expect(victim.groupAlive()).toBe(false);
    expect(await client.status(handle.id)).toMatchObject({ state: "active" });

    const result = await handle.result();
    expect(result.stats.counts.compressedTokens).toBeGreaterThan(0);
    await rescuer?.waitForLine(new RegExp(`compress ${handle.id}: completed`));
  });

  it("runs concurrent jobs in its own process with one model set", async () => {
    // The jobs wait in the queue before the worker starts, so it takes all four at once.
    const prefix = fleet.prefix("shared-models");
    const client = await fleet.connect(prefix);
    const handles = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        client.enqueueCompress(
          { contexts: slowContexts, instruction: `Concurrent request ${n}.` },
          { method: "llmlingua", rate: 0.3 },
        ),
      ),
    );
    const worker = await fleet.start(prefix, ["--models", modelsFile, "--concurrency", "4"]);
    await Promise.all(handles.map((handle) => handle.result()));
    // A result can be read back before the worker has logged its completion line.
    for (const handle of handles) {
      await worker.waitForLine(new RegExp(`compress ${handle.id}: completed`));
    }
    const log = worker.output();
    // All four ran at once: every start came before the first completion.
    const firstCompleted = log.indexOf(": completed");
    for (const handle of handles) {
      const started = log.indexOf(`compress ${handle.id}: started`);
      expect(started).toBeGreaterThanOrEqual(0);
      expect(started).toBeLessThan(firstCompleted);
    }
    expect(log.match(/loaded scorer /g)).toHaveLength(1);
    // No process of its own runs a model (tsx's esbuild service may run below it from source).
    const below = descendants(worker.child.pid as number).map(({ pid }) => commandName(pid));
    expect(below.filter((name) => name !== "esbuild")).toEqual([]);
  });

  it("finishes its running job on SIGTERM, then exits 0", async () => {
    const { client, workers } = await setup("sigterm");
    const worker = workers[0] as WorkerProcess;
    const handle = await startSlowJob(client, worker);
    worker.signal("SIGTERM", "parent");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await client.status(handle.id)).toMatchObject({ state: "completed" });
    expect((await handle.result()).method).toBe("llmlingua");
  });
});

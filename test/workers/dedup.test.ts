/**
 * Dedup that never serves a wrong answer, with real workers on the test Redis: a request whose
 * job failed runs again once the cause is fixed (once, however many producers re-enqueue it),
 * a request seen before under other models is computed again, and a worker never computes a job
 * that names models it does not run.
 */
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { tinyRandomModelsFile } from "../../bench/faults/tiny-models.js";
import { producerConnection } from "../../queues/connection.js";
import { COMPRESS_JOB, COMPRESS_QUEUE } from "../../queues/names.js";
import { defaultRetention } from "../../queues/retention.js";
import { JobFailedError } from "../../src/errors/index.js";
import { createStore } from "../../src/store/store.js";
import { TEST_REDIS_URL } from "../queue/redis-fixture.js";
import { workerFleet } from "./worker-fleet.js";
import type { WorkerProcess } from "./worker-process.js";

const tinyRandom = ["--models", tinyRandomModelsFile(), "--queues", "compress"];
const request = { contexts: ["The harbour master keeps the ledger of every ship. ".repeat(8)] };
const options = { method: "llmlingua", rate: 0.5 } as const;

const fleet = workerFleet();

async function stop(worker: WorkerProcess): Promise<void> {
  worker.signal("SIGKILL", "group");
  await worker.exited;
}

function startedCount(worker: WorkerProcess, id: string): number {
  return worker.output().match(new RegExp(`compress ${id}: started`, "g"))?.length ?? 0;
}

describe("dedup", () => {
  it("runs a failed request again once its cause is fixed, once for two producers", async () => {
    const prefix = fleet.prefix("rerun");
    const [one, two] = [await fleet.connect(prefix), await fleet.connect(prefix)];
    // The cause: a worker limit the document is over (bad input fails for good, no retries).
    const strict = await fleet.start(prefix, [...tinyRandom, "--max-document-chars", "100"]);
    const failed = await one.enqueueCompress(request, options);
    await expect(failed.result()).rejects.toBeInstanceOf(JobFailedError);
    await stop(strict);

    const fixed = await fleet.start(prefix, tinyRandom);
    const [first, second] = await Promise.all([
      one.enqueueCompress(request, options),
      two.enqueueCompress(request, options),
    ]);
    expect(first.id).toBe(failed.id);
    expect(second.id).toBe(failed.id);
    expect([first.rerun, second.rerun].filter(Boolean)).toHaveLength(1);
    const [a, b] = await Promise.all([first.result(), second.result()]);
    expect(a).toEqual(b);
    expect(a.stats.counts.compressedTokens).toBeGreaterThan(0);
    expect(startedCount(fixed, failed.id)).toBe(1);
    expect(await one.status(failed.id)).toMatchObject({ state: "completed", attemptsMade: 1 });
  });

  it("hands a job naming other models back instead of computing it", async () => {
    const prefix = fleet.prefix("handback");
    const client = await fleet.connect(prefix);
    const worker = await fleet.start(prefix, tinyRandom);
    const store = createStore(fleet.redis, prefix, defaultRetention);
    const queue = new Queue(COMPRESS_QUEUE, {
      connection: producerConnection(TEST_REDIS_URL),
      prefix,
    });
    const data = {
      version: 1,
      documents: [await store.documents.put(request.contexts[0] as string)],
      options: { method: "llmlingua" },
    };
    await queue.add(COMPRESS_JOB, { ...data, models: "f".repeat(64) }, { jobId: "other-models" });
    // Taken twice: handed back after the first time, without spending an attempt.
    while (startedCount(worker, "other-models") < 2) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const status = await client.status("other-models");
    expect(status.state).not.toBe("completed");
    expect(status.attemptsMade).toBe(0);
    expect(worker.output()).not.toMatch(/compress other-models: (completed|failed)/);
    // The same job naming the models this worker announced runs.
    const current = await store.models.current();
    await queue.add(COMPRESS_JOB, { ...data, models: current }, { jobId: "these-models" });
    await (await client.job("these-models")).result();
    await queue.close();
  });

  it("computes a request again when the workers' models changed", async () => {
    const prefix = fleet.prefix("models");
    const client = await fleet.connect(prefix);
    const tiny = await fleet.start(prefix, tinyRandom);
    const before = await client.enqueueCompress(request, options);
    const old = await before.result();
    await stop(tiny);

    // The embedded ctxpress-5m models instead of tiny-random, under the same prefix.
    const retrained = await fleet.start(prefix, ["--queues", "compress"]);
    const after = await client.enqueueCompress(request, options);
    expect(after.id).not.toBe(before.id);
    expect(after.deduplicated).toBe(false);
    const fresh = await after.result();
    expect(fresh.stats.models.scorer).not.toBe(old.stats.models.scorer);
    expect(startedCount(retrained, after.id)).toBe(1);
  });
});

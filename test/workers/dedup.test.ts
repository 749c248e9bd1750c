/**
 * Dedup that never serves a wrong answer, with real workers on the test Redis: a request whose
 * job failed runs again once the cause is fixed (once, however many producers re-enqueue it),
 * and a request seen before under other models is computed again.
 */
import { describe, expect, it } from "vitest";
import { JobFailedError } from "../../src/sdk/errors.js";
import { tinyRandomModelsFile } from "./tiny-models.js";
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

/**
 * How long the worker's main thread, which renews the BullMQ job locks, is kept from running
 * while jobs compute: its event-loop delay (max and p99) while c llmlingua jobs run in the job
 * thread, next to the same compressions run on the measured thread itself (what lock renewal
 * would suffer if inference ran there). Embedded models; its own Redis on a random port.
 *
 *   npx tsx bench/workers/main-thread-delay.ts [--chars 100000] [--concurrency 2]
 */

import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createModels } from "../../src/model/models.js";
import { splitIntoContexts } from "../../src/sdk/chunk.js";
import { CtxpressClient } from "../../src/sdk/client.js";
import { compress } from "../../src/sdk/in-process.js";
import { workerConfigSchema } from "../../src/workers/config.js";
import { startWorkers } from "../../src/workers/start-workers.js";
import { OwnRedis } from "../faults/own-redis.js";

const { values } = parseArgs({
  options: {
    chars: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "2" },
  },
});
const concurrency = Number(values.concurrency);
const document = readFileSync(new URL("../../examples/long-document.txt", import.meta.url), "utf8");
const text = document.repeat(Math.ceil(Number(values.chars) / document.length));
const contexts = splitIntoContexts(text.slice(0, Number(values.chars)), 2000);
const options = { method: "llmlingua", rate: 0.3 } as const;
const request = (label: string, n: number) => ({ contexts, instruction: `${label} ${n}.` });

/** The event-loop delay of this thread while `work` runs: max and p99 in ms, and the wall time. */
async function delayDuring(work: () => Promise<unknown>) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const startedAt = performance.now();
  histogram.enable();
  await work();
  histogram.disable();
  return {
    maxMs: histogram.max / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    wallMs: performance.now() - startedAt,
  };
}

const redis = await OwnRedis.start();
const prefix = `delay-${process.pid}`;
const config = workerConfigSchema.parse({
  redisUrl: redis.url,
  prefix,
  queues: ["compress"],
  concurrency,
});
const workers = await startWorkers(config);
const client = await CtxpressClient.connect({ redisUrl: redis.url, prefix });
const models = createModels({});
try {
  // Warm both paths (models loaded) so that loading is not measured.
  await (await client.enqueueCompress(request("warm-up", 0), options)).result();
  await compress(request("warm-up", 1), options, { models });
  const jobs = Array.from({ length: concurrency }, (_, n) => n);
  const queued = await delayDuring(async () => {
    const handles = await Promise.all(
      jobs.map((n) => client.enqueueCompress(request("queued", n), options)),
    );
    await Promise.all(handles.map((handle) => handle.result()));
  });
  const onThisThread = await delayDuring(() =>
    Promise.all(jobs.map((n) => compress(request("in-process", n), options, { models }))),
  );
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log(
    `${concurrency} llmlingua jobs of ${contexts.length} contexts (${values.chars} characters) at once; lock ${config.lockDurationMs} ms, renewed every ${config.lockDurationMs / 2} ms; load average ${loadavg()[0]?.toFixed(1)}`,
  );
  console.log("| where inference ran | wall | main-thread delay p99 | main-thread delay max |");
  console.log("|---|---|---|---|");
  console.log(
    `| worker's job thread (this design) | ${ms(queued.wallMs)} | ${ms(queued.p99Ms)} | ${ms(queued.maxMs)} |`,
  );
  console.log(
    `| the lock-renewing thread itself | ${ms(onThisThread.wallMs)} | ${ms(onThisThread.p99Ms)} | ${ms(onThisThread.maxMs)} |`,
  );
} finally {
  await models.dispose();
  await client.close();
  await workers.close();
  await redis.stop();
}

/**
 * Queue overhead: the same compression in this process vs through BullMQ (store the document,
 * enqueue, a worker's job thread compresses, the client reads the stored result), several times.
 * The overhead is the median difference; run it on a quiet machine, it is a difference of two
 * noisy numbers.
 *
 *   npx tsx bench/queue/overhead.ts [--reps 5] [--chars 20000] [--method llmlingua]
 *
 * Needs Redis (scripts/ensure-redis.sh). Uses the embedded models. Each repetition changes the
 * instruction, identically on both paths, so neither dedup nor the result cache can skip work.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { redisOptionsFromUrl } from "../../queues/connection.js";
import { DEFAULT_REDIS_URL } from "../../queues/names.js";
import type { CompressOptionsInput } from "../../src/compressors/index.js";
import { createModels } from "../../src/model/models.js";
import { splitIntoContexts } from "../../src/sdk/chunk.js";
import { CtxpressClient } from "../../src/sdk/client.js";
import { compress } from "../../src/sdk/in-process.js";
import { workerConfigSchema } from "../../src/workers/config.js";
import { startWorkers } from "../../src/workers/start-workers.js";

const { values } = parseArgs({
  options: {
    reps: { type: "string", default: "5" },
    chars: { type: "string", default: "20000" },
    method: { type: "string", default: "llmlingua" },
  },
});
const reps = Number(values.reps);
const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const prefix = `ctxpress-bench-${process.pid}`;

const document = readFileSync(new URL("../../examples/long-document.txt", import.meta.url), "utf8");
const contexts = splitIntoContexts(document.slice(0, Number(values.chars)), 2000);
const options = { method: values.method, rate: 0.3 } as CompressOptionsInput;
const request = (rep: number) => ({ contexts, instruction: `Benchmark repetition ${rep}.` });

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

// Both paths are warmed up (models loaded, the worker's child forked), then timed alternately,
// rep by rep, so that background load on the machine hits both alike.
const models = createModels({});
const workers = await startWorkers(
  workerConfigSchema.parse({ redisUrl, prefix, queues: ["compress"] }),
);
const client = await CtxpressClient.connect({ redisUrl, prefix });
const inProcess: number[] = [];
const queued: number[] = [];
try {
  await compress(request(-1), options, { models });
  await (await client.enqueueCompress(request(-1), options)).result();
  for (let rep = 0; rep < reps; rep++) {
    inProcess.push(await timed(() => compress(request(rep), options, { models })));
    queued.push(
      await timed(async () => (await client.enqueueCompress(request(rep), options)).result()),
    );
  }
} finally {
  await models.dispose();
  await client.close();
  await workers.close();
  const redis = new Redis(redisOptionsFromUrl(redisUrl));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const inProcessMedian = median(inProcess);
const queuedMedian = median(queued);
const pairedOverhead = median(queued.map((time, rep) => time - (inProcess[rep] as number)));
console.log(
  `document: ${contexts.length} contexts, ${contexts.join("\n\n").length} characters; method ${values.method}, rate 0.3; ${reps} repetitions; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`,
);
console.log(`in-process: ${inProcess.map(ms).join(", ")}  (median ${ms(inProcessMedian)})`);
console.log(`through BullMQ: ${queued.map(ms).join(", ")}  (median ${ms(queuedMedian)})`);
console.log(
  `overhead: ${ms(pairedOverhead)} per job (median of paired differences); medians ${ms(queuedMedian - inProcessMedian)} apart, x${(queuedMedian / inProcessMedian).toFixed(2)}`,
);

/**
 * Worker memory by concurrency: a `ctxpress worker` (compress queue, the embedded models) runs c
 * llmlingua jobs at once, c = 1, 2, 4; the peak RSS and PSS of the worker and every process below
 * it are sampled while they run. `--repo` measures another checkout's worker with the same jobs
 * (e.g. `git worktree add --detach /tmp/before main`), so two designs compare in one run.
 *
 *   npx tsx bench/workers/rss.ts [--repo /tmp/before] [--chars 20000]
 *
 * Needs `redis-server` on PATH: it starts its own on a random loopback port.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { splitIntoContexts } from "../../src/sdk/chunk.js";
import { CtxpressClient } from "../../src/sdk/client.js";
import { compressWorkerArgs, spawnFaultWorker } from "../faults/fault-workers.js";
import { OwnRedis } from "../faults/own-redis.js";
import { descendants, treeMemory } from "../faults/process-tree.js";

const { values } = parseArgs({
  options: {
    repo: { type: "string", default: fileURLToPath(new URL("../..", import.meta.url)) },
    chars: { type: "string", default: "20000" },
  },
});
const document = readFileSync(new URL("../../examples/long-document.txt", import.meta.url), "utf8");
const contexts = splitIntoContexts(document.slice(0, Number(values.chars)), 2000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

interface Sample {
  readonly concurrency: number;
  readonly peakRss: number;
  readonly peakPss: number;
  readonly processes: number;
}

async function measure(redis: OwnRedis, concurrency: number): Promise<Sample> {
  const prefix = `rss-${concurrency}-${process.pid}`;
  const worker = spawnFaultWorker(compressWorkerArgs(redis.url, prefix, concurrency), values.repo);
  const pid = worker.pid;
  const client = await CtxpressClient.connect({ redisUrl: redis.url, prefix });
  try {
    while (!/serving/.test(worker.output)) {
      if (worker.process.exitCode !== null) throw new Error(`worker exited:\n${worker.output}`);
      await sleep(100);
    }
    const handles = await Promise.all(
      Array.from({ length: concurrency }, (_, n) =>
        client.enqueueCompress(
          { contexts, instruction: `Memory sample ${n}.` },
          { method: "llmlingua", rate: 0.3 },
        ),
      ),
    );
    let done = false;
    const results = Promise.all(handles.map((handle) => handle.result())).finally(() => {
      done = true;
    });
    let peak: Sample = { concurrency, peakRss: 0, peakPss: 0, processes: 0 };
    while (!done) {
      const memory = treeMemory(pid);
      if (memory.rss > peak.peakRss) {
        peak = {
          concurrency,
          peakRss: memory.rss,
          peakPss: memory.pss,
          processes: 1 + descendants(pid).length,
        };
      }
      await sleep(100);
    }
    await results;
    return peak;
  } finally {
    await client.close();
    process.kill(-pid, "SIGKILL");
  }
}

const redis = await OwnRedis.start();
try {
  const samples: Sample[] = [];
  for (const concurrency of [1, 2, 4]) samples.push(await measure(redis, concurrency));
  const base = samples[0] as Sample;
  console.log(
    `worker of ${values.repo}, ${contexts.length} contexts of ${values.chars} chars per job`,
  );
  console.log(
    "| concurrency | processes | peak RSS (MB) | peak PSS (MB) | RSS per added slot (MB) |",
  );
  console.log("|---|---|---|---|---|");
  for (const sample of samples) {
    const perSlot =
      sample.concurrency === 1
        ? "–"
        : String(mb((sample.peakRss - base.peakRss) / (sample.concurrency - 1)));
    console.log(
      `| ${sample.concurrency} | ${sample.processes} | ${mb(sample.peakRss)} | ${mb(sample.peakPss)} | ${perSlot} |`,
    );
  }
} finally {
  await redis.stop();
}

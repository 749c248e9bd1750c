/**
 * The queue path on a Redis Cluster of three masters this test starts on loopback ports:
 * enqueue through the SDK, a worker process through the CLI, the result back, all under a
 * `{…}` hash-tag prefix so that every key of a job lands on one slot.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyRandomModelsFile } from "../../bench/faults/tiny-models.js";
import { CompressionInputError } from "../../src/errors/index.js";
import { CtxpressClient } from "../../src/sdk/client.js";
import { type OwnRedis, redisCli, startRedis } from "../queue/own-redis.js";
import { uniquePrefix } from "../queue/redis-fixture.js";
import { spawnWorker } from "./worker-process.js";

let nodes: OwnRedis[] = [];
let clusterUrl: string;

async function clusterReady(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await redisCli(["-p", String(port), "cluster", "info"])).includes("cluster_state:ok")) {
    if (Date.now() > deadline) throw new Error(`cluster node ${port} never became ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  nodes = await Promise.all(
    [0, 1, 2].map(() =>
      startRedis(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]),
    ),
  );
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  await redisCli(["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"]);
  await Promise.all(nodes.map((node) => clusterReady(node.port)));
  clusterUrl = `redis+cluster://${addresses.join(",")}`;
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
});

describe("Redis Cluster", () => {
  it("refuses a prefix that is not a hash tag, before connecting", async () => {
    await expect(
      CtxpressClient.connect({ redisUrl: clusterUrl, prefix: "ctxpress" }),
    ).rejects.toSatisfy(
      (error: Error) =>
        error instanceof CompressionInputError && /hash-tag prefix/.test(error.message),
    );
  });

  it("runs enqueue → worker → result on three masters with a {hash-tag} prefix", async () => {
    const prefix = `{${uniquePrefix("cluster")}}`;
    const worker = spawnWorker([
      "--redis-url",
      clusterUrl,
      "--prefix",
      prefix,
      "--models",
      tinyRandomModelsFile(),
      "--queues",
      "compress",
    ]);
    const client = await CtxpressClient.connect({ redisUrl: clusterUrl, prefix });
    try {
      await worker.waitForLine(/serving/);
      const handle = await client.enqueueCompress(
        { contexts: ["The harbour master keeps the ledger of every ship. ".repeat(8)] },
        { method: "llmlingua", rate: 0.5 },
      );
      const result = await handle.result({ timeoutMs: 90_000 });
      expect(result.stats.counts.compressedTokens).toBeLessThan(result.stats.counts.originalTokens);
      await worker.waitForLine(new RegExp(`compress ${handle.id}: completed`));
      expect(
        (
          await client.enqueueCompress(
            { contexts: ["The harbour master keeps the ledger of every ship. ".repeat(8)] },
            { method: "llmlingua", rate: 0.5 },
          )
        ).deduplicated,
      ).toBe(true);
    } finally {
      worker.signal("SIGKILL", "group");
      await client.close();
    }
  });
});

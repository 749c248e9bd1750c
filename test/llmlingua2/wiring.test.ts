import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadParagraphs } from "../../bench/corpus/index.js";
import { compress } from "../../src/pipeline/in-process.js";
import { deleteKeys, TEST_REDIS_URL, testRedis, uniquePrefix } from "../queue/redis-fixture.js";
import { spawnWorker } from "../workers/worker-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
// Running text: a text repeated verbatim gives tied probabilities, which the reference's strict
// threshold drops together, so its rate is no test of the wiring.
const TEXT = loadParagraphs("heldout").slice(10, 16).join("\n\n");

function ctxpress(args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("llmlingua2 through the SDK, the CLI and the queue (shipped classifier)", () => {
  it("compresses in process with the embedded classifier", async () => {
    const result = await compress({ contexts: [TEXT] }, { method: "llmlingua2", rate: 0.4 });
    expect(result.method).toBe("llmlingua2");
    expect(result.stats.models.classifier).toMatch(/lingua2-bert-mini$/);
    expect(Math.abs((result.stats.target?.rate ?? 0) - 0.4)).toBeLessThanOrEqual(0.05);
  });

  it("runs with --method llmlingua2 in the CLI and through a worker", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ctxpress-l2-")), "text.txt");
    writeFileSync(file, TEXT);
    const local = ctxpress(["compress", file, "--method", "llmlingua2", "--rate", "0.5", "--json"]);
    expect(local.code, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout).method).toBe("llmlingua2");

    const prefix = uniquePrefix("l2-queue");
    const redis = ["--redis-url", TEST_REDIS_URL, "--prefix", prefix];
    const worker = spawnWorker(["--queues", "compress", ...redis]);
    try {
      await worker.waitForLine(/serving/);
      const queued = ctxpress([
        ...["enqueue", file, "--method", "llmlingua2", "--rate", "0.5", "--wait", "--json"],
        ...redis,
      ]);
      expect(queued.code, queued.stderr).toBe(0);
      const result = JSON.parse(queued.stdout);
      expect(result.method).toBe("llmlingua2");
      expect(result.prompt).toBe(JSON.parse(local.stdout).prompt);
    } finally {
      worker.signal("SIGKILL", "group");
      const connection = testRedis();
      await deleteKeys(connection, prefix);
      await connection.quit();
    }
  });
});

/**
 * `ctxpress index` and landmark questions from the CLI, against real Redis and the shipped
 * embedder: an index built by one command serves the next (--index-store), a worker indexes
 * queued documents, and bad input exits 2 with the reason.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { deleteKeys, TEST_REDIS_URL, testRedis, uniquePrefix } from "../queue/redis-fixture.js";
import { spawnWorker } from "../workers/worker-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ctxpress-landmark-cli-"));
const needle = "The home port of Tessaly is Varnow.";
const paragraphs = heldOutParagraphs(24, 1200);
paragraphs.splice(9, 0, needle);
const documentFile = join(dir, "document.txt");
writeFileSync(documentFile, paragraphs.join("\n\n"));
const emptyFile = join(dir, "empty.txt");
writeFileSync(emptyFile, "\n  \n");

const redis = testRedis();
const prefix = uniquePrefix("landmark-cli");
const store = ["--redis-url", TEST_REDIS_URL, "--prefix", prefix];

function ctxpress(args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe("ctxpress index and landmark answers", () => {
  it("indexes in process into Redis; a later landmark question reads that index", async () => {
    const built = ctxpress(["index", documentFile, "--in-process", "--json", ...store]);
    expect(built.code, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ built: true, blockTokens: 64 });
    const again = ctxpress(["index", documentFile, "--in-process", "--json", ...store]);
    expect(JSON.parse(again.stdout)).toMatchObject({ built: false });
    // A marker field beside the stored index: rebuilding rewrites the whole hash (DEL, then
    // HSET) and drops it; reading the index leaves it.
    const indexKeys = [];
    for (const key of await redis.keys(`${prefix}:*`)) {
      if ((await redis.type(key)) === "hash" && (await redis.hexists(key, "vectors"))) {
        indexKeys.push(key);
      }
    }
    expect(indexKeys).toHaveLength(1);
    const [indexKey] = indexKeys as [string];
    await redis.hset(indexKey, "test-marker", "kept");

    const answered = ctxpress([
      "compress",
      documentFile,
      "--method",
      "landmark",
      "--question",
      "What is the home port of Tessaly?",
      "--options",
      '{"topK":2}',
      "--index-store",
      "--json",
      ...store,
    ]);
    expect(answered.code, answered.stderr).toBe(0);
    const result = JSON.parse(answered.stdout);
    expect(result.method).toBe("landmark");
    expect(result.prompt).toContain(needle);
    // Read from the store, not rebuilt.
    expect(await redis.hget(indexKey, "test-marker")).toBe("kept");
  });

  it("queues index jobs for a worker and prints each index", async () => {
    const worker = spawnWorker(["--queues", "index", ...store]);
    try {
      await worker.waitForLine(/serving index/);
      const run = ctxpress(["index", documentFile, "--block-tokens", "32", ...store]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        /^[0-9a-f]{64}: \d+ blocks of 32 tokens, 128-d vectors \(landmark-embedder@[0-9a-f]{16}; built in \d+ ms\)/,
      );
    } finally {
      worker.signal("SIGKILL", "group");
    }
  });

  it("exits 2 with the reason on an empty document or a bad block size", () => {
    const empty = ctxpress(["index", emptyFile, "--in-process", ...store]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/the document is empty: there is nothing to index/);
    const badSize = ctxpress([
      "index",
      documentFile,
      "--in-process",
      "--block-tokens",
      "0",
      ...store,
    ]);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toMatch(/blockTokens must be a positive integer/);
    const badK = ctxpress([
      "compress",
      documentFile,
      "--method",
      "landmark",
      "--question",
      "Where?",
      "--options",
      '{"topK":0}',
    ]);
    expect(badK.code).toBe(2);
    expect(badK.stderr).toMatch(/topK must be a positive integer/);
  });
});

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { deleteKeys, TEST_REDIS_URL, testRedis, uniquePrefix } from "../queue/redis-fixture.js";
import { spawnWorker } from "../workers/worker-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ctxpress-cli-"));
const text = join(dir, "text.txt");
writeFileSync(text, "The quick brown fox jumps over the lazy dog. ".repeat(40));
const binary = join(dir, "binary.bin");
writeFileSync(binary, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]));

function ctxpress(args: string[], input?: string) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    input,
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("ctxpress CLI", () => {
  it("compresses a file in process and prints the result as JSON", () => {
    const run = ctxpress(["compress", text, "--rate", "0.5", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.method).toBe("llmlingua");
    expect(result.stats.counts.compressedTokens).toBeLessThan(result.stats.counts.originalTokens);
  });

  it("compresses with landmark when a question is given and no method named", () => {
    const run = ctxpress([
      "compress",
      text,
      "--question",
      "What does the fox jump over?",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).method).toBe("landmark");
  });

  it("reads stdin and prints the compressed text, stats on stderr", () => {
    const run = ctxpress(
      ["compress", "--target-tokens", "40"],
      "Alpha beta gamma delta. ".repeat(30),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().length).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/tokens: \d+ → \d+ tokens/);
  });

  it("exits 2 with a readable reason on bad input or usage", () => {
    const badRate = ctxpress(["compress", text, "--rate", "1.5"]);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toMatch(/rate is the fraction of tokens kept, in \(0, 1\]/);
    const notText = ctxpress(["compress", binary]);
    expect(notText.code).toBe(2);
    expect(notText.stderr).toMatch(/not UTF-8 text/);
    const unknownMethod = ctxpress(["compress", text, "--method", "zip"]);
    expect(unknownMethod.code).toBe(2);
    expect(unknownMethod.stderr).toMatch(
      /unknown method "zip"; known methods: llmlingua, longllmlingua/,
    );
    expect(ctxpress(["compress", text, "--rate", "lots"]).code).toBe(2);
    expect(ctxpress(["answer", text]).stderr).toMatch(/answering needs --question/);
    expect(ctxpress(["frobnicate"]).code).toBe(2);
  });

  it("answers bench with where the benchmark went: it is not part of the product", () => {
    const bench = ctxpress(["bench", "--suite", "quick", "--dataset", "x.jsonl"]);
    expect(bench.code).toBe(2);
    expect(bench.stderr).toMatch(/npm run bench -- --suite quick/);
  });

  it("exits 1 when Redis does not answer, without hanging", () => {
    const started = Date.now();
    const run = ctxpress([
      "status",
      "--redis-url",
      "redis://127.0.0.1:1",
      "--prefix",
      uniquePrefix("cli"),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ECONNREFUSED|connect/i);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("refuses a 9 KB question and more than 256 contexts at the door: exit 2, nothing stored", async () => {
    const prefix = uniquePrefix("cli-door");
    const redis = ["--redis-url", TEST_REDIS_URL, "--prefix", prefix];
    const longQuestion = ctxpress(["enqueue", text, "--question", "why? ".repeat(1800), ...redis]);
    expect(longQuestion.code, longQuestion.stderr).toBe(2);
    expect(longQuestion.stderr).toMatch(/question/);
    const paragraphs = join(dir, "paragraphs.txt");
    writeFileSync(paragraphs, "A short paragraph.\n\n".repeat(300));
    const manyContexts = ctxpress(["enqueue", paragraphs, "--chunk-chars", "10", ...redis]);
    expect(manyContexts.code, manyContexts.stderr).toBe(2);
    expect(manyContexts.stderr).toMatch(/contexts: \d+ contexts, over the limit of 256/);
    // No document and no job: only BullMQ's per-queue metadata, written when the client opened.
    const connection = testRedis();
    const keys = await connection.keys(`${prefix}:*`);
    expect(keys.filter((key) => !key.endsWith(":meta"))).toEqual([]);
    await deleteKeys(connection, prefix);
    await connection.quit();
  });

  it("enqueues for a worker, waits with --wait, and shows the job with status", async () => {
    const prefix = uniquePrefix("cli-queue");
    const redis = ["--redis-url", TEST_REDIS_URL, "--prefix", prefix];
    const worker = spawnWorker(["--queues", "compress", ...redis]);
    try {
      await worker.waitForLine(/serving/);
      const waited = ctxpress(["enqueue", text, "--rate", "0.5", "--wait", "--json", ...redis]);
      expect(waited.code, waited.stderr).toBe(0);
      expect(JSON.parse(waited.stdout).method).toBe("llmlingua");
      // The same request again: deduplicated, so the id is that of the finished job.
      const enqueued = ctxpress(["enqueue", text, "--rate", "0.5", ...redis]);
      expect(enqueued.stderr).toMatch(/already queued/);
      const id = enqueued.stdout.trim();
      const status = ctxpress(["status", id, "--json", ...redis]);
      expect(JSON.parse(status.stdout)).toMatchObject({
        id,
        queue: "compress",
        state: "completed",
      });
      const result = ctxpress(["status", id, "--result", ...redis]);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/tokens: \d+ → \d+ tokens/);
      const missing = ctxpress(["status", "compress-none", ...redis]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/not found/);
    } finally {
      worker.signal("SIGKILL", "group");
      const connection = testRedis();
      await deleteKeys(connection, prefix);
      await connection.quit();
    }
  });
});

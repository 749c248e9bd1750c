import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readResults } from "../../bench/runner/results-file.js";
import { runSuite } from "../../bench/runner/suite-run.js";
import { suiteSchema } from "../../bench/suites/index.js";
import {
  countKeys,
  deleteKeys,
  TEST_REDIS_URL,
  testRedis,
  uniquePrefix,
} from "../queue/redis-fixture.js";

const tinyRandom = fileURLToPath(new URL("../../models/tiny-random", import.meta.url));
const redis = testRedis();
const prefix = uniquePrefix("bench");

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe("bench through the queue", () => {
  it("compresses every cell on workers started for the run (real Redis, BullMQ, ONNX Runtime)", async () => {
    const out = mkdtempSync(join(tmpdir(), "ctxpress-bench-queue-"));
    const suite = suiteSchema.parse({
      name: "queue-test",
      description: "two samples through two workers",
      rates: [0.5],
      groups: [{ task: "passkey", lengths: [300], depths: [0.25, 0.75], samples: 1 }],
    });
    const result = await runSuite({
      suite,
      out,
      models: {
        scorer: { type: "onnx", model: tinyRandom },
        decoder: { type: "onnx", model: tinyRandom },
      },
      methods: ["none", "truncate", "llmlingua"],
      queue: { redisUrl: TEST_REDIS_URL, prefix, workers: 2, timeoutMs: 120_000 },
      command: "ctxpress bench --queue (test)",
    });
    expect(result.ran).toBe(6);
    const { records } = readResults(join(out, "results.jsonl"));
    expect(records.map((r) => r.status)).toEqual(Array(6).fill("ok"));
    for (const record of records.filter((r) => r.method !== "none")) {
      // Compressed by a worker: the result came back through the store with the worker's stats.
      expect(Object.values(record.models ?? {})).toContain(tinyRandom);
      expect(record.timings?.compressWallMs).toBeGreaterThanOrEqual(
        record.timings?.compressMs ?? 0,
      );
    }
    expect(await countKeys(redis, prefix)).toBeGreaterThan(0);
    expect(result.summary).toMatch(/accuracy @ achieved ratio/);
  });
});

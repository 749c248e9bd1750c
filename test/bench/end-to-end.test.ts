import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AutoTokenizer } from "@huggingface/transformers";
import { countTokens as cl100kCount } from "gpt-tokenizer/encoding/cl100k_base";
import { describe, expect, it } from "vitest";
import { type BenchRecord, benchRecordSchema } from "../../bench/runner/record.js";
import { heldOutHaystack } from "../../bench/runner/samples.js";
import {
  docQa,
  passkey,
  readerPrompt,
  scoreSample,
  type TaskSample,
} from "../../bench/tasks/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tinyRandom = join(root, "models/tiny-random");
const tinyGist = join(root, "models/gist-tiny-random");
const dir = mkdtempSync(join(tmpdir(), "ctxpress-bench-e2e-"));
const out = join(dir, "out");
const suiteFile = join(dir, "tiny.json");
const modelsFile = join(dir, "models.json");
writeFileSync(
  suiteFile,
  JSON.stringify({
    name: "tiny",
    description: "tiny-random end to end",
    rates: [0.5, 0.25],
    groups: [
      { task: "passkey", lengths: [300, 900], depths: [0.5], samples: 1 },
      { task: "doc-qa", lengths: [900], positions: [1, 3], documents: 3, samples: 1 },
    ],
  }),
);
writeFileSync(
  modelsFile,
  JSON.stringify({
    scorer: { type: "onnx", model: tinyRandom },
    decoder: { type: "onnx", model: tinyRandom },
    gist: { type: "onnx", model: tinyGist },
  }),
);
const METHODS = ["none", "truncate", "llmlingua", "longllmlingua", "gist"];

function bench(
  models = modelsFile,
  extra: readonly string[] = ["--methods", ...METHODS],
  folder = out,
) {
  const args = ["--suite", suiteFile, "--out", folder, "--models", models, ...extra];
  const run = spawnSync(process.execPath, ["--import", "tsx", "bench/cli.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 300_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function records(): BenchRecord[] {
  return readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => benchRecordSchema.parse(JSON.parse(line)));
}

describe("npm run bench on tiny-random", () => {
  it("runs a suite, writes the table and the plots, and reruns nothing the second time", async () => {
    const first = bench();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/accuracy @ achieved ratio, all tasks/);
    expect(first.stdout).toMatch(/report: .*report\.md/);
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toMatch(/^# ctxpress benchmark — suite "tiny"/);
    expect(report).toMatch(/## Goals/);
    expect(report).toMatch(/### passkey, 300/);
    expect(report).toMatch(/accuracy by position of the answer document/);
    for (const name of [
      "accuracy-vs-ratio",
      "heatmap-passkey",
      "heatmap-doc-qa",
      "kept-passkey",
      "kept-doc-qa",
      "latency-vs-length",
    ]) {
      expect(readFileSync(join(out, `${name}.svg`), "utf8")).toMatch(/^<svg[^>]*>/);
      const png = readFileSync(join(out, `${name}.png`));
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(png.length).toBeGreaterThan(10_000);
    }
    const all = records();
    // 4 samples (passkey at 300 and 900, doc-qa at 2 positions); "none" once, 4 methods × 2 rates.
    expect(all).toHaveLength(4 * (1 + 4 * 2));
    // Gist vectors were read by the AutoCompressor: positions = vectors + the text after them.
    const gist = all.filter((r) => r.method === "gist");
    expect(gist.map((r) => r.status)).toEqual(Array(8).fill("ok"));
    for (const record of gist) {
      expect(record.vectors?.count).toBeGreaterThan(0);
      expect(record.metrics?.reader.compressed).toBeGreaterThan(record.vectors?.count ?? 0);
      expect(record.metrics?.retention).toBeNull();
    }
    // tiny-random reads 512 tokens: the 900-token prompts are n/a uncompressed, never truncated.
    const none900 = all.filter(
      (r) => r.method === "none" && r.ref.kind === "generated" && r.ref.lengthTokens === 900,
    );
    expect(none900.map((r) => r.status)).toEqual(["n/a", "n/a", "n/a"]);
    expect(all.find((r) => r.method === "none" && r.lengthLabel === "300")?.status).toBe("ok");

    const second = bench();
    expect(second.code, second.stderr).toBe(0);
    expect(records()).toHaveLength(all.length);
    expect(readFileSync(join(out, "report.md"), "utf8")).toMatch(
      /36 cells \(0 run now, 36 resumed from earlier runs\)/,
    );
  });

  it("recomputes a cell's metrics from its raw JSONL records", async () => {
    expect(existsSync(join(out, "results.jsonl"))).toBe(true);
    const tokenizer = await AutoTokenizer.from_pretrained(tinyRandom, { local_files_only: true });
    const count = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).length;
    const haystack = heldOutHaystack();
    const cell = records().filter(
      (r) => r.task === "doc-qa" && r.method === "longllmlingua" && r.rate === 0.25,
    );
    expect(cell.map((r) => r.status)).toEqual(["ok", "ok"]);
    const scores: number[] = [];
    let original = 0;
    let compressed = 0;
    for (const record of cell) {
      if (record.ref.kind !== "generated") throw new Error("generated sample expected");
      const { seed, lengthTokens, position, documents } = record.ref;
      const sample: TaskSample = docQa({
        seed,
        lengthTokens,
        position: position ?? 1,
        documents: documents ?? 20,
        countTokens: count,
        haystack,
      });
      const contexts = record.contexts ?? [];
      const sent = readerPrompt({ ...sample, contexts });
      expect(record.answers).toEqual(sample.answers);
      expect(record.metrics?.reader.original).toBe(count(readerPrompt(sample)));
      expect(record.metrics?.reader.compressed).toBe(count(sent));
      expect(record.metrics?.cl100k.original).toBe(cl100kCount(readerPrompt(sample)));
      expect(record.metrics?.cl100k.compressed).toBe(cl100kCount(sent));
      expect(record.metrics?.score).toBe(scoreSample(sample, record.prediction ?? ""));
      const kept = contexts.join("\n\n").toLowerCase();
      expect(record.metrics?.retention).toBe(
        sample.answers.every((a) => kept.includes(a.toLowerCase())) ? 1 : 0,
      );
      // The compressor kept what it says it kept, and the prompt holds only kept text.
      for (const context of contexts)
        expect(sample.contexts.some((c) => c.length >= context.length)).toBe(true);
      scores.push(record.metrics?.score ?? 0);
      original += count(readerPrompt(sample));
      compressed += count(sent);
    }
    const accuracy = scores.reduce((a, b) => a + b, 0) / scores.length;
    const ratio = (original / compressed).toFixed(1);
    const row = readFileSync(join(out, "report.md"), "utf8")
      .split("### doc-qa, 900")[1]
      ?.split("\n")
      .find((line) => line.startsWith("| longllmlingua | 1/4 |"));
    expect(row).toBeDefined();
    expect(row).toContain(`| 2 | ${(100 * accuracy).toFixed(1)}% [`);
    expect(row).toContain(`| ${ratio}x |`);
    // And a sample is rebuilt identically from its reference (the recomputation relies on it).
    const passkeyRecord = records().find(
      (r) => r.task === "passkey" && r.method === "none" && r.status === "ok",
    );
    if (passkeyRecord?.ref.kind !== "generated") throw new Error("generated sample expected");
    const rebuilt = passkey({
      ...passkeyRecord.ref,
      depth: passkeyRecord.ref.depth ?? 0,
      countTokens: count,
      haystack,
    });
    expect(passkeyRecord.answers).toEqual(rebuilt.answers);
    expect(passkeyRecord.metrics?.reader.original).toBe(count(readerPrompt(rebuilt)));
  });

  it("refuses to mix configurations in one folder, with a usage error", () => {
    const other = join(dir, "other-models.json");
    writeFileSync(
      other,
      JSON.stringify({
        scorer: { type: "onnx", model: tinyRandom, threads: 1 },
        decoder: { type: "onnx", model: tinyRandom },
      }),
    );
    const run = bench(other);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/holds results of another configuration \(models: /);
  });

  it("runs a user's JSONL dataset alone, and refuses a bad one naming its line", () => {
    const data = join(dir, "mini-set.jsonl");
    writeFileSync(
      data,
      [
        {
          context: "The vault code of Orlin is 48213. It was set in spring.",
          question: "What is the vault code of Orlin?",
          answers: ["48213"],
        },
        {
          documents: ["Tova lives in Brask.", "Brask is a port."],
          question: "Where does Tova live?",
          answers: ["Brask"],
        },
      ]
        .map((line) => JSON.stringify(line))
        .join("\n"),
    );
    const folder = join(dir, "dataset-out");
    const run = bench(
      modelsFile,
      ["--no-generated", "--dataset", data, "--methods", "none", "truncate"],
      folder,
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(join(folder, "results.jsonl"), "utf8").trim().split("\n");
    const tasks = lines.map((line) => benchRecordSchema.parse(JSON.parse(line)).task);
    expect(tasks).toEqual(Array(lines.length).fill("dataset:mini-set"));
    expect(lines).toHaveLength(2 * (1 + 2));
    expect(readFileSync(join(folder, "report.md"), "utf8")).toMatch(/### dataset:mini-set, mixed/);

    const bad = join(dir, "bad-set.jsonl");
    writeFileSync(
      bad,
      `${JSON.stringify({ context: "c", question: "q", answers: ["a"] })}\n{"context":"c"}\n`,
    );
    const refused = bench(modelsFile, ["--no-generated", "--dataset", bad], join(dir, "bad-out"));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bad-set\.jsonl:2: question: .*answers: /);
  });
});

/**
 * The AutoCompressor toolkit end to end, small enough for CI: a tiny model trains a few steps on
 * real corpus text (lm rows in 2 substeps × 2 segments, plain rows) and generated QA read after
 * summary vectors, resumes from its checkpoint, exports a gist model folder, and ONNX Runtime
 * reproduces torch's summary vectors and reader log-probs (gist-check.json), its int8 graphs
 * within their recorded bounds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoTokenizer, env } from "@huggingface/transformers";
import { afterAll, describe, expect, it } from "vitest";
import { gistReaderText } from "../../bench/gist/reader-text.js";
import { corpusHaystack, docQa, passkey, readerCompletion } from "../../bench/tasks/index.js";
import { OnnxAutoCompressor } from "../../src/model/summary-compressor.js";
import { REPO_ROOT, runPython, writeSmokeCorpus } from "../helpers/training-run.js";
import { maxAbsDifference, readGistCheck } from "./fixtures.js";

env.allowRemoteModels = false;
const ROOT = REPO_ROOT;
const work = mkdtempSync(join(tmpdir(), "ctxpress-gist-smoke-"));
const dataDir = join(work, "data");
const runDir = join(work, "run");
const modelDir = join(work, "model");

afterAll(() => rmSync(work, { recursive: true, force: true }));

function python(module: string, ...args: string[]): string {
  return runPython(["-m", module, ...args], join(ROOT, "training"));
}

async function writeSmokeData(): Promise<void> {
  writeSmokeCorpus(dataDir);
  mkdirSync(join(dataDir, "gist"), { recursive: true });
  const tokenizer = await AutoTokenizer.from_pretrained(join(ROOT, "models/_tokenizer"));
  const countTokens = (text: string) =>
    tokenizer.encode(text, { add_special_tokens: false }).length;
  const haystack = corpusHaystack("train");
  const samples = [1, 2, 3, 4].flatMap((seed) => [
    passkey({ seed, lengthTokens: 150 + 30 * seed, depth: seed / 4, countTokens, haystack }),
    docQa({
      seed,
      lengthTokens: 260,
      documents: 2,
      position: 1 + (seed % 2),
      countTokens,
      haystack,
    }),
  ]);
  const lines = samples.map((sample) =>
    JSON.stringify({
      id: sample.id,
      task: sample.task,
      context: sample.contexts.join("\n\n"),
      tail: gistReaderText(sample),
      answer: readerCompletion(sample),
    }),
  );
  writeFileSync(join(dataDir, "gist", "smoke.jsonl"), `${lines.join("\n")}\n`);
}

describe("gist training smoke run", () => {
  it("trains, resumes, exports, and the export runs in ONNX Runtime as in torch", async () => {
    await writeSmokeData();
    const config = "configs/gist-smoke.json";
    const common = ["--data-dir", dataDir, "--run-dir", runDir];
    python("gist.train", config, ...common, "--stop-at", "2");
    expect(python("gist.train", config, ...common)).toContain("resumed gist-smoke at step 2");

    const log = readFileSync(join(runDir, "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const last = log.filter((record) => record.step === 3).at(-1);
    expect(["lm", "qa", "plain"].every((kind) => Number.isFinite(last?.[kind]))).toBe(true);
    const evaluation = log.find((record) => record.eval)?.eval;
    expect(Object.keys(evaluation?.segment_ppl ?? {}).sort()).toEqual(["full", "gist", "none"]);
    expect(Object.keys(evaluation?.qa_exact_match ?? {}).sort()).toEqual(["doc-qa", "passkey"]);

    python("gist.export", config, "--run-dir", runDir, "--out", modelDir);
    const check = readGistCheck(modelDir);
    const gist = await OnnxAutoCompressor.load(modelDir);
    try {
      expect(gist.summaryTokens).toBe(4);
      let softprompt = new Float32Array(0);
      for (const [i, segment] of check.segments.entries()) {
        const vectors = await gist.summarize(segment, softprompt);
        expect(maxAbsDifference(vectors, check.summary_vectors[i] ?? [])).toBeLessThan(
          check.tolerance,
        );
        softprompt = Float32Array.of(...softprompt, ...vectors);
      }
      const logprobs = await gist.logprobs(softprompt, check.question_ids);
      expect(
        maxAbsDifference(logprobs.subarray(1), check.logprobs.slice(1) as number[]),
      ).toBeLessThan(check.tolerance);
    } finally {
      await gist.dispose();
    }

    // The int8 twins of the three graphs, sharing one weights file, against torch's int8 weights.
    const variant = check.variants?.q8;
    expect(variant).toBeDefined();
    const int8 = await OnnxAutoCompressor.load(modelDir, { dtype: "q8" });
    try {
      const vectors = await int8.summarize(check.segments[0] ?? [], new Float32Array(0));
      expect(maxAbsDifference(vectors, variant?.summary_vectors[0] ?? [])).toBeLessThan(
        variant?.fused.summary_vectors ?? 0,
      );
    } finally {
      await int8.dispose();
    }
  });
});

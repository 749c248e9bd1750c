/**
 * The training toolkit end to end, small enough for CI: a tiny model trains a few steps on real
 * corpus text and generated task samples (lm, copy and task rows), resumes from its checkpoint
 * under bf16 autocast, exports a model folder, and ONNX Runtime reproduces the exported golden
 * log-probs.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AutoTokenizer, env } from "@huggingface/transformers";
import { afterAll, describe, expect, it } from "vitest";
import { corpusHaystack, docQa, passkey } from "../../bench/tasks/index.js";
import { readExportCheck } from "../../training/model-folder-files.js";
import { taskDataLine } from "../../training/task-lines.js";
import { exportCheckDifference } from "../../training/verify-export.js";
import { runPython, writeSmokeCorpus } from "../helpers/training-run.js";

env.allowRemoteModels = false;
const ROOT = resolve(import.meta.dirname, "../..");
const CONFIG = join(ROOT, "training/configs/smoke.json");
const work = mkdtempSync(join(tmpdir(), "ctxpress-smoke-"));
const dataDir = join(work, "data");
const runDir = join(work, "run");
const modelDir = join(work, "model");

afterAll(() => rmSync(work, { recursive: true, force: true }));

function python(script: string, ...args: string[]): string {
  return runPython([join(ROOT, "training", script), ...args]);
}

async function writeSmokeData(): Promise<void> {
  writeSmokeCorpus(dataDir);
  mkdirSync(join(dataDir, "tasks"), { recursive: true });
  const tokenizer = await AutoTokenizer.from_pretrained(join(ROOT, "models/_tokenizer"));
  const countTokens = (text: string) =>
    tokenizer.encode(text, { add_special_tokens: false }).length;
  const haystack = corpusHaystack("train");
  const samples = [1, 2, 3, 4].flatMap((seed) => [
    passkey({ seed, lengthTokens: 200, depth: seed / 4, countTokens, haystack }),
    docQa({
      seed,
      lengthTokens: 220,
      documents: 2,
      position: 1 + (seed % 2),
      countTokens,
      haystack,
    }),
  ]);
  writeFileSync(
    join(dataDir, "tasks", "smoke.jsonl"),
    `${samples.map((sample) => taskDataLine(sample)).join("\n")}\n`,
  );
}

describe("training smoke run", () => {
  it("trains, resumes in bf16, exports, and the export loads in ONNX Runtime", async () => {
    await writeSmokeData();
    const common = ["--data-dir", dataDir, "--run-dir", runDir];
    python("train.py", CONFIG, ...common, "--stop-at", "2");
    for (const file of ["train.npy", "heldout.npy", "tasks/smoke.npz"]) {
      expect(existsSync(join(dataDir, "tokens", file))).toBe(true);
    }
    const resumed = python("train.py", CONFIG, ...common, "--precision", "bf16");
    expect(resumed).toContain("resumed smoke at step 2");

    const log = readFileSync(join(runDir, "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const last = log.filter((r) => r.step === 3).at(-1);
    expect(["lm", "copy", "task"].every((k) => Number.isFinite(last?.[k]))).toBe(true);
    const evaluation = log.find((r) => r.eval)?.eval;
    expect(evaluation?.heldout_loss).toBeGreaterThan(0);
    expect(Object.keys(evaluation?.task_exact_match ?? {}).sort()).toEqual(["doc-qa", "passkey"]);
    expect(Object.keys(evaluation?.task_first_token ?? {}).sort()).toEqual(["doc-qa", "passkey"]);
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(summary).toMatchObject({ steps: 3, precision: "bf16", hardware: { device: "cpu" } });

    python("export_model.py", CONFIG, "--run-dir", runDir, "--out", modelDir);
    const check = readExportCheck(modelDir);
    expect((await exportCheckDifference(modelDir)).max).toBeLessThan(check.tolerance);
  });
});

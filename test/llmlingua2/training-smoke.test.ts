/**
 * The LLMLingua-2 training pipeline end to end, small enough for CI: teacher labels from ctxpress
 * llmlingua (over the tiny test scorer), a few training steps of a tiny encoder, export, and the
 * export loaded by ONNX Runtime: the int8 graph the folder ships and the fp32 graph kept with the
 * run match the golden probabilities within their tolerances, and it compresses.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCompression } from "../../src/compressors/index.js";
import { OnnxTokenClassifier } from "../../src/model/token-classifier.js";
import { REPO_ROOT, runPython } from "../helpers/training-run.js";
import { classifierModels } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "ctxpress-l2-smoke-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function makeLabels(split: string, texts: number, tasks: number): void {
  const run = spawnSync(
    process.execPath,
    [
      ...["--import", "tsx", "training/llmlingua2/make-labels.ts"],
      ...["--scorer", "models/tiny-random", "--split", split, "--out", work],
      ...["--texts", String(texts), "--tasks", String(tasks)],
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  expect(run.status, run.stderr).toBe(0);
}

describe("LLMLingua-2 training smoke run", () => {
  it("labels, trains, exports, and the export agrees with torch in ONNX Runtime", async () => {
    makeLabels("train", 6, 4);
    makeLabels("heldout", 3, 2);
    const line = JSON.parse(
      readFileSync(join(work, "labels-train.jsonl"), "utf8").split("\n")[0] ?? "{}",
    );
    expect(Object.keys(line.kept)).toEqual(["0.35", "0.65"]);

    const model = join(work, "model");
    const output = runPython(
      [
        ...[
          "-m",
          "llmlingua2.train",
          "--labels",
          work,
          "--out",
          model,
          "--run-dir",
          join(work, "run"),
        ],
        ...["--steps", "3", "--warmup", "1", "--batch", "2", "--hidden", "32", "--layers", "1"],
      ],
      join(REPO_ROOT, "training"),
    );
    expect(output).toMatch(/heldout_agreement/);

    const check = JSON.parse(readFileSync(join(model, "export-check.json"), "utf8"));
    // The folder ships the int8 graph alone; the fp32 graph stays with the run.
    expect(readdirSync(join(model, "onnx"))).toEqual(["model_quantized.onnx"]);
    const classifier = await OnnxTokenClassifier.load(model, { log: () => {} });
    // The fp32 graph, loaded from a copy of the folder that holds it.
    const withFp32 = join(work, "with-fp32");
    cpSync(model, withFp32, { recursive: true });
    copyFileSync(join(work, "run", "model.onnx"), join(withFp32, "onnx", "model.onnx"));
    const fp32 = await OnnxTokenClassifier.load(withFp32, { dtype: "fp32", log: () => {} });
    try {
      expect(classifier.folder.dtype).toBe("q8");
      for (const [graph, tolerance] of [
        [classifier, check.variants["model_quantized.onnx"].tolerance],
        [fp32, check.tolerance],
      ] as const) {
        const probabilities = await graph.keepProbabilities(
          check.input_ids.map((ids: number[]) => ids.slice(1, -1)),
        );
        probabilities.forEach((row, i) => {
          row.forEach((p, t) => {
            expect(Math.abs(p - check.keep_probabilities[i][t + 1])).toBeLessThan(tolerance);
          });
        });
      }
      const result = await runCompression(
        { contexts: [check.texts[0]] },
        { method: "llmlingua2", rate: 0.5 },
        { models: classifierModels(classifier) },
      );
      expect(result.stats.counts.compressedTokens).toBeLessThan(result.stats.counts.originalTokens);
    } finally {
      await classifier.dispose();
      await fp32.dispose();
    }
  }, 120_000);
});

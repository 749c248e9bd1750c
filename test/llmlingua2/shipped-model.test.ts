import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnnxTokenClassifier } from "../../src/model/token-classifier.js";
import { SHIPPED } from "./helpers.js";

interface Check {
  readonly texts: string[];
  readonly input_ids: number[][];
  /** torch's fp32 probabilities, the reference of every graph. */
  readonly keep_probabilities: number[][];
  /** For the fp32 graph (onnx/model.onnx, kept with the training run, not in the folder). */
  readonly tolerance: number;
  /** Per shipped variant file: its tolerance against the same probabilities. */
  readonly variants: Record<string, { readonly tolerance: number }>;
}

const check = JSON.parse(readFileSync(path.join(SHIPPED, "export-check.json"), "utf8")) as Check;
let classifier: OnnxTokenClassifier;
beforeAll(async () => {
  classifier = await OnnxTokenClassifier.load(SHIPPED, { log: () => {} });
});
afterAll(async () => {
  await classifier.dispose();
});

describe("the shipped classifier (models/lingua2-bert-mini) agrees with training", () => {
  it("tokenizes like the Python trainer (same ids, [CLS] … [SEP])", () => {
    check.texts.forEach((text, i) => {
      expect([2, ...classifier.tokenizer.encode(text), 3]).toEqual(check.input_ids[i]);
    });
    expect(classifier.wordConvention).toBe("wordpiece");
    expect(classifier.maxContentTokens).toBe(510);
  });

  it("loads the int8 graph by default, the only graph the folder ships", () => {
    expect(classifier.folder.dtype).toBe("q8");
    expect(path.basename(classifier.folder.onnxPath)).toBe("model_quantized.onnx");
    // The fp32 graph (7.6 MB) stays with the training run: models/ has a size budget.
    expect(readdirSync(path.join(SHIPPED, "onnx"))).toEqual(["model_quantized.onnx"]);
  });

  it("gives torch's keep probabilities within the variant's recorded tolerance", async () => {
    const tolerance = check.variants[path.basename(classifier.folder.onnxPath)]?.tolerance;
    expect(tolerance).toBeGreaterThan(0);
    let largest = 0;
    const probabilities = await classifier.keepProbabilities(
      check.input_ids.map((ids) => ids.slice(1, -1)),
    );
    probabilities.forEach((row, i) => {
      const expected = (check.keep_probabilities[i] ?? []).slice(1, -1);
      expect(row.length).toBe(expected.length);
      row.forEach((p, t) => {
        const difference = Math.abs(p - (expected[t] ?? Number.NaN));
        expect(difference).toBeLessThan(tolerance ?? 0);
        largest = Math.max(largest, difference);
      });
    });
    // Not the fp32 graph under another name: int8 weights move the probabilities measurably.
    expect(largest).toBeGreaterThan(check.tolerance);
  });
});

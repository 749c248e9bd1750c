import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnnxTokenClassifier } from "../../src/model/token-classifier.js";
import { SHIPPED } from "./helpers.js";

interface Check {
  readonly texts: string[];
  readonly input_ids: number[][];
  readonly keep_probabilities: number[][];
  readonly tolerance: number;
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

  it("gives torch's keep probabilities within the recorded tolerance", async () => {
    const probabilities = await classifier.keepProbabilities(
      check.input_ids.map((ids) => ids.slice(1, -1)),
    );
    probabilities.forEach((row, i) => {
      const expected = (check.keep_probabilities[i] ?? []).slice(1, -1);
      expect(row.length).toBe(expected.length);
      row.forEach((p, t) => {
        expect(Math.abs(p - (expected[t] ?? Number.NaN))).toBeLessThan(check.tolerance);
      });
    });
  });
});

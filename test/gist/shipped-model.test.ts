/**
 * The shipped AutoCompressor (models/gist-5m, int8 graphs only) is what `method: "gist"` loads
 * with the default models, and its int8 graphs compute what torch computes on the same int8
 * weights within the bounds recorded at export (gist-check.json, variants.q8).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_GIST_MODEL } from "../../src/model/defaults.js";
import { createModelProvider } from "../../src/model/provider.js";
import type { SummaryCompressor } from "../../src/model/types.js";
import { maxAbsDifference, readGistCheck } from "./fixtures.js";

const check = readGistCheck(DEFAULT_GIST_MODEL);
const provider = createModelProvider({}, { log: () => {} });
let gist: SummaryCompressor;

beforeAll(async () => {
  gist = await provider.summaryCompressor();
});

afterAll(async () => {
  await provider.dispose();
});

describe("the shipped gist model (models/gist-5m)", () => {
  it("is the default AutoCompressor and ships no float32 graph", () => {
    expect(path.basename(DEFAULT_GIST_MODEL)).toBe("gist-5m");
    expect(gist.modelId).toMatch(/^gist-5m@[0-9a-f]{16}$/);
    expect([gist.summaryTokens, gist.segmentTokens, gist.hiddenSize]).toEqual([16, 256, 256]);
    for (const file of ["model.onnx", "model.onnx_data", "summarize.onnx"]) {
      expect(existsSync(path.join(DEFAULT_GIST_MODEL, "onnx", file))).toBe(false);
    }
  });

  it("writes and reads summary vectors as torch does with its int8 weights", async () => {
    const variant = check.variants?.q8;
    if (!variant) throw new Error("models/gist-5m/gist-check.json has no q8 variant");
    let softprompt = new Float32Array(0);
    for (const [i, segment] of check.segments.entries()) {
      const vectors = await gist.summarize(segment, softprompt);
      expect(maxAbsDifference(vectors, variant.summary_vectors[i] ?? [])).toBeLessThan(
        variant.fused.summary_vectors,
      );
      softprompt = Float32Array.of(...softprompt, ...vectors);
    }
    const logprobs = await gist.logprobs(softprompt, check.question_ids);
    expect(
      maxAbsDifference(logprobs.subarray(1), variant.logprobs.slice(1) as number[]),
    ).toBeLessThan(variant.fused.logprobs);
  });
});

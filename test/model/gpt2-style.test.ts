import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLm } from "../../src/model/causal-lm.js";
import { OnnxDecoder } from "../../src/model/onnx-decoder.js";
import { OnnxScorer } from "../../src/model/onnx-scorer.js";
import { greedyWithoutCache, longText, maxDifference } from "./fixtures/tiny-model.js";

/**
 * A GPT-2-style export (test/model/fixtures/make_gpt2_style.py): n_* config names, learned
 * positions computed inside the graph, no position_ids input, multi-head attention.
 */
const GPT2_STYLE = path.join(import.meta.dirname, "fixtures", "gpt2-style");
const SAME = 1e-4;

let lm: CausalLm;
let ids: number[];

beforeAll(async () => {
  lm = await CausalLm.load(GPT2_STYLE);
  ids = lm.tokenizer.encode(longText(150));
});

afterAll(async () => {
  await lm.dispose();
});

describe("GPT-2-style exports", () => {
  it("reads GPT-2 config names and notices the missing position_ids input", () => {
    expect(lm.config).toMatchObject({
      modelType: "gpt2",
      numLayers: 2,
      numHeads: 2,
      numKeyValueHeads: 2,
      headDim: 8,
      hiddenSize: 16,
      maxPositions: 128,
    });
    expect(lm.usesPositionIds).toBe(false);
    expect(lm.kv.pastNames).toEqual([
      "past_key_values.0.key",
      "past_key_values.0.value",
      "past_key_values.1.key",
      "past_key_values.1.value",
    ]);
  });

  it("batches only equal-length windows, so batched equals unbatched", async () => {
    const items = [
      { tokens: ids.slice(0, 30) },
      { tokens: ids.slice(30, 40), condition: ids.slice(0, 30) },
      { tokens: ids.slice(50, 70) },
      { tokens: ids.slice(70, 90) },
    ];
    const batched = await new OnnxScorer(lm, { batchSize: 4 }).logprobsBatch(items);
    const single = await new OnnxScorer(lm, { batchSize: 1 }).logprobsBatch(items);
    batched.forEach((result, i) => {
      expect(maxDifference(result, single[i] as Float32Array)).toBeLessThan(SAME);
    });
  });

  it("slides windows past its 128 positions and streams with drops exactly", async () => {
    expect(ids.length).toBeGreaterThan(300);
    const scorer = new OnnxScorer(lm);
    const sliding = await scorer.logprobs({ tokens: ids });
    expect(sliding.every(Number.isFinite)).toBe(true);
    const firstWindow = await scorer.logprobs({ tokens: ids.slice(0, 127) });
    expect(maxDifference(sliding.slice(0, 127), firstWindow)).toBeLessThan(SAME);

    const stream = scorer.stream();
    const kept: number[] = [];
    for (let at = 0; at < 100; at += 20) {
      const segment = ids.slice(at, at + 20);
      const scores = await stream.score(segment);
      expect(
        maxDifference(scores, await scorer.logprobs({ condition: kept, tokens: segment })),
      ).toBeLessThan(SAME);
      const keep = segment.map((_, i) => i % 3 !== 0);
      stream.commit(keep);
      kept.push(...segment.filter((_, i) => keep[i]));
    }
  });

  it("decodes greedily with its KV cache", async () => {
    const generation = await new OnnxDecoder(lm).generate("The pass key is", { maxNewTokens: 10 });
    const expected = await greedyWithoutCache(
      lm,
      [0, ...lm.tokenizer.encode("The pass key is")],
      10,
    );
    expect(generation.completionTokens).toBe(expected.length);
    expect(generation.text).toBe(lm.tokenizer.decode(expected));
  });
});

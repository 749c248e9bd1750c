import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLm } from "../../src/model/causal-lm.js";
import { DTYPE_SUFFIXES, MODEL_DTYPES } from "../../src/model/model-folder.js";
import { OnnxScorer } from "../../src/model/onnx-scorer.js";
import { planWindows } from "../../src/model/scoring-plan.js";
import { exportCheck, longText, maxDifference, TINY_MODEL } from "./fixtures/tiny-model.js";

// Same model, same inputs, different run shapes (batching, KV steps): float32 rounding only.
const SAME = 1e-4;

let lm: CausalLm;
let scorer: OnnxScorer;
let ids: number[];

beforeAll(async () => {
  lm = await CausalLm.load(TINY_MODEL);
  scorer = new OnnxScorer(lm);
  ids = lm.tokenizer.encode(longText(700));
});

afterAll(async () => {
  await lm.dispose();
});

describe("OnnxScorer against torch", () => {
  it("matches the log-probs recorded at export (export-check.json tolerance)", async () => {
    const golden = exportCheck();
    const tokens = lm.tokenizer.encode(golden.text);
    expect([lm.tokenizer.bosTokenId, ...tokens]).toEqual(golden.input_ids);
    const logprobs = await scorer.logprobs({ tokens });
    const expected = golden.logprobs.slice(1) as number[];
    expect(maxDifference(logprobs, expected)).toBeLessThan(golden.tolerance);
    // In practice ONNX Runtime and torch agree far more closely than the stated tolerance.
    expect(maxDifference(logprobs, expected)).toBeLessThan(1e-4);
  });
});

describe("OnnxScorer dtype variants", () => {
  it("loads every ONNX variant the folder ships and matches its recorded log-probs", async () => {
    const golden = exportCheck();
    const tokens = lm.tokenizer.encode(golden.text);
    for (const [file, variant] of Object.entries(golden.variants ?? {})) {
      const dtype = MODEL_DTYPES.find((d) => `model${DTYPE_SUFFIXES[d]}.onnx` === file);
      expect(dtype, `${file} follows the transformers.js dtype naming`).toBeDefined();
      const expected = variant.logprobs.slice(1) as number[];
      // torch ran the variant's own weights on float activations; the int8 graph quantizes them
      // (so `tolerance` is loose), and ONNX Runtime's fusions stay within the `fused` bounds.
      for (const graphOptimization of ["basic", "all"] as const) {
        const variantLm = await CausalLm.load(TINY_MODEL, {
          dtype,
          session: { graphOptimization },
        });
        try {
          const logprobs = await new OnnxScorer(variantLm).logprobs({ tokens });
          const differences = Array.from(logprobs, (v, i) => Math.abs(v - (expected[i] as number)));
          const max = Math.max(...differences);
          const mean = differences.reduce((a, b) => a + b, 0) / differences.length;
          if (graphOptimization === "basic") expect(max).toBeLessThan(variant.tolerance);
          else {
            expect(max).toBeLessThan(variant.fused?.max ?? variant.tolerance);
            expect(mean).toBeLessThan(variant.fused?.mean ?? variant.tolerance);
          }
        } finally {
          await variantLm.dispose();
        }
      }
    }
  });
});

describe("OnnxScorer", () => {
  it("scores the first token from BOS, or gives NaN without BOS and condition", async () => {
    const tokens = ids.slice(0, 12);
    const withBos = await scorer.logprobs({ tokens });
    expect(withBos.every(Number.isFinite)).toBe(true);
    const noBos = new OnnxScorer(lm, { addBos: false });
    const plain = await noBos.logprobs({ tokens });
    expect(plain[0]).toBeNaN();
    expect(plain.slice(1).every(Number.isFinite)).toBe(true);
    const conditioned = await noBos.logprobs({ condition: [42], tokens });
    expect(Number.isFinite(conditioned[0])).toBe(true);
  });

  it("conditions on the condition tokens exactly like on a prefix", async () => {
    const whole = await scorer.logprobs({ tokens: ids.slice(0, 80) });
    const split = await scorer.logprobs({ condition: ids.slice(0, 30), tokens: ids.slice(30, 80) });
    expect(maxDifference(split, whole.slice(30))).toBeLessThan(SAME);
  });

  it("gives the same numbers batched as one by one, whatever the padding", async () => {
    const items = [
      { tokens: ids.slice(0, 17) },
      { tokens: ids.slice(40, 140), condition: ids.slice(20, 40) },
      { tokens: ids.slice(300, 303) },
      { tokens: [] },
      { tokens: ids.slice(5, 9), condition: ids.slice(0, 5) },
    ];
    const batched = await new OnnxScorer(lm, { batchSize: 4 }).logprobsBatch(items);
    const single = await new OnnxScorer(lm, { batchSize: 1 }).logprobsBatch(items);
    expect(batched.map((r) => r.length)).toEqual(items.map((i) => i.tokens.length));
    batched.forEach((result, i) => {
      expect(maxDifference(result, single[i] as Float32Array)).toBeLessThan(SAME);
    });
    expect(await scorer.logprobsBatch([])).toEqual([]);
  });

  it("bounds the logits per run without changing the scores", async () => {
    // 7 rows of an 8192-entry vocabulary per ONNX Runtime run: every window takes many KV steps.
    const small = await CausalLm.load(TINY_MODEL, { maxLogitsBytes: 7 * 8192 * 4 });
    try {
      expect(small.maxLogitsRows).toBe(7);
      // Too small a budget to batch: windows run one at a time.
      expect(new OnnxScorer(small, { batchSize: 2 }).batchSize).toBe(1);
      expect(new OnnxScorer(lm, { batchSize: 16 }).batchSize).toBe(lm.maxLogitsRows / 128);
      const items = [
        { tokens: ids.slice(0, 150) },
        { tokens: ids.slice(10, 50), condition: ids.slice(0, 10) },
      ];
      const bounded = await new OnnxScorer(small, { batchSize: 2 }).logprobsBatch(items);
      const unbounded = await scorer.logprobsBatch(items);
      bounded.forEach((r, i) => {
        expect(maxDifference(r, unbounded[i] as Float32Array)).toBeLessThan(SAME);
      });
    } finally {
      await small.dispose();
    }
  });
});

describe("OnnxScorer sliding windows", () => {
  it("equals single-window scoring wherever the window fits", async () => {
    const tokens = ids.slice(0, 300);
    const full = await scorer.logprobs({ tokens });
    const fitting = await new OnnxScorer(lm, { window: 320, cacheStream: false }).logprobs({
      tokens,
    });
    expect(maxDifference(fitting, full)).toBeLessThan(SAME);
    // With a 64-token window, the first 63 tokens (BOS takes a slot) still see everything.
    const sliding = await new OnnxScorer(lm, {
      window: 64,
      overlap: 16,
      cacheStream: false,
    }).logprobs({ tokens });
    expect(maxDifference(sliding.slice(0, 63), full.slice(0, 63))).toBeLessThan(SAME);
    expect(maxDifference(sliding, full)).toBeGreaterThan(SAME);
  });

  it("scores each token of a long text on exactly its window's context", async () => {
    expect(ids.length).toBeGreaterThan(1000);
    const settings = { window: 64, overlap: 16, cacheStream: false } as const;
    const windowed = new OnnxScorer(lm, settings);
    const item = { condition: ids.slice(0, 37), tokens: ids.slice(37) };
    const result = await windowed.logprobs(item);
    const windows = planWindows([item], windowed.settings);
    expect(windows.length).toBeGreaterThan(20);
    for (const w of windows) {
      // Re-score the same context in one pass with the full-window scorer.
      const context = w.input.slice(1, w.scoreFrom);
      const tokens = w.input.slice(w.scoreFrom);
      const expected = await scorer.logprobs({ condition: context, tokens });
      const actual = result.slice(w.resultOffset, w.resultOffset + tokens.length);
      expect(maxDifference(actual, expected)).toBeLessThan(SAME);
    }
  });
});

describe("OnnxScorer.stream", () => {
  const segmentsOf = (tokens: number[], size: number) =>
    Array.from({ length: Math.ceil(tokens.length / size) }, (_, i) =>
      tokens.slice(i * size, (i + 1) * size),
    );

  it("with every token kept, equals scoring the concatenation", async () => {
    const condition = ids.slice(0, 20);
    const tokens = ids.slice(20, 420);
    const stream = scorer.stream(condition);
    const streamed: number[] = [];
    for (const segment of segmentsOf(tokens, 50)) {
      streamed.push(...(await stream.score(segment)));
      stream.commit(segment.map(() => true));
    }
    const plain = await scorer.logprobs({ condition, tokens });
    expect(maxDifference(streamed, plain)).toBeLessThan(SAME);
  });

  it("with dropped tokens, equals scoring each segment on the kept concatenation", async () => {
    const stream = scorer.stream(ids.slice(0, 10));
    const kept = ids.slice(0, 10);
    let segmentIndex = 0;
    for (const segment of segmentsOf(ids.slice(10, 400), 40)) {
      const scores = await stream.score(segment);
      const expected = await scorer.logprobs({ condition: kept, tokens: segment });
      expect(maxDifference(scores, expected)).toBeLessThan(SAME);
      // Vary the pattern: drop nothing, everything, the tail, the head, every third token.
      const patterns = [
        () => true,
        () => false,
        (i: number) => i < 25,
        (i: number) => i >= 5,
        (i: number) => i % 3 !== 1,
      ];
      const keep = segment.map((_, i) =>
        (patterns[segmentIndex % patterns.length] as (i: number) => boolean)(i),
      );
      stream.commit(keep);
      segment.forEach((token, i) => {
        if (keep[i]) kept.push(token);
      });
      segmentIndex++;
    }
  });

  it("past the window, keeps the condition and the last `overlap` kept tokens (and slides too-long segments)", async () => {
    const windowed = new OnnxScorer(lm, { window: 64, overlap: 16 });
    const usable = 63;
    const condition = ids.slice(900, 906);
    const stream = windowed.stream(condition);
    let context: number[] = [];
    let at = 0;
    for (const size of [20, 30, 25, 40, 10, 60, 15, 33, 90, 12, 45]) {
      const segment = ids.slice(at, at + size);
      at += size;
      if (condition.length + context.length + segment.length > usable) context = context.slice(-16);
      const scores = await stream.score(segment);
      const expected = await windowed.logprobs({
        condition: [...condition, ...context],
        tokens: segment,
      });
      expect(maxDifference(scores, expected)).toBeLessThan(SAME);
      const keep = segment.map((_, i) => (i + size) % 4 !== 0);
      stream.commit(keep);
      context.push(...segment.filter((_, i) => keep[i]));
    }
  });

  it("gives NaN for the very first token only without BOS or condition", async () => {
    const stream = new OnnxScorer(lm, { addBos: false }).stream();
    const first = await stream.score(ids.slice(0, 5));
    expect(first[0]).toBeNaN();
    stream.commit([false, false, false, false, true]);
    const second = await stream.score(ids.slice(5, 9));
    expect(second.every(Number.isFinite)).toBe(true);
  });
});

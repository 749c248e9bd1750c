import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLm } from "../../src/model/causal-lm.js";
import { OnnxScorer } from "../../src/model/onnx-scorer.js";
import { createModelProvider } from "../../src/model/provider.js";
import { CachedScorer } from "../../src/model/score-cache.js";
import type { ScoreItem } from "../../src/model/types.js";
import { longText, TINY_MODEL } from "./fixtures/tiny-model.js";

let lm: CausalLm;
let plain: OnnxScorer;
let ids: number[];

beforeAll(async () => {
  lm = await CausalLm.load(TINY_MODEL);
  plain = new OnnxScorer(lm);
  ids = lm.tokenizer.encode(longText(300));
});

afterAll(async () => {
  await lm.dispose();
});

describe("CachedScorer over ONNX Runtime", () => {
  it("returns what the model returns, and scores a repeated item only once", async () => {
    const cached = new CachedScorer(plain, 10_000);
    const items: ScoreItem[] = [
      { tokens: ids.slice(0, 120) },
      { tokens: ids.slice(120, 200), condition: ids.slice(0, 40) },
    ];
    const expected = await plain.logprobsBatch(items);
    const first = await cached.logprobsBatch(items);
    expect(cached.stats).toMatchObject({ hits: 0, misses: 2, heldTokens: 200 });
    // One new item, one seen before: only the new one reaches the model.
    const third = { tokens: ids.slice(200, 260) };
    const second = await cached.logprobsBatch([third, items[1] as ScoreItem]);
    expect(cached.stats).toMatchObject({ hits: 1, misses: 3 });
    expect(first).toEqual(expected);
    expect(second[0]).toEqual(await plain.logprobs(third));
    expect(second[1]).toEqual(expected[1]);
    expect(await cached.logprobs(items[0] as ScoreItem)).toEqual(expected[0]);
  });

  it("tells a condition from the same tokens in the sequence", async () => {
    const cached = new CachedScorer(plain, 10_000);
    const joined = await cached.logprobs({ tokens: ids.slice(0, 60) });
    const split = await cached.logprobs({ tokens: ids.slice(30, 60), condition: ids.slice(0, 30) });
    expect(cached.stats.misses).toBe(2);
    expect(split).toHaveLength(30);
    expect(joined).toHaveLength(60);
  });

  it("hands out copies: writing into a result changes nothing for the next caller", async () => {
    const cached = new CachedScorer(plain, 10_000);
    const item = { tokens: ids.slice(0, 50) };
    const first = await cached.logprobs(item);
    const original = first.slice();
    first.fill(0);
    expect(await cached.logprobs(item)).toEqual(original);
  });

  it("holds at most maxTokens scores, dropping the least recently used first", async () => {
    const cached = new CachedScorer(plain, 100);
    const a = { tokens: ids.slice(0, 40) };
    const b = { tokens: ids.slice(40, 80) };
    const c = { tokens: ids.slice(80, 120) };
    await cached.logprobs(a);
    await cached.logprobs(b);
    await cached.logprobs(a); // a is now the most recently used
    await cached.logprobs(c); // 120 tokens > 100: b goes
    expect(cached.stats).toMatchObject({ hits: 1, misses: 3, heldTokens: 80 });
    await cached.logprobs(a);
    expect(cached.stats.hits).toBe(2);
    await cached.logprobs(b);
    expect(cached.stats.misses).toBe(4);
    // An item longer than the whole cache is scored and not kept.
    await cached.logprobs({ tokens: ids.slice(0, 150) });
    expect(cached.stats.heldTokens).toBeLessThanOrEqual(100);
  });
});

describe("score cache in the model provider", () => {
  it("is on by default and off with cacheTokens 0", async () => {
    const on = createModelProvider({ scorer: { type: "onnx", model: TINY_MODEL } });
    const off = createModelProvider({
      scorer: { type: "onnx", model: TINY_MODEL, cacheTokens: 0 },
    });
    try {
      expect(await on.scorer()).toBeInstanceOf(CachedScorer);
      expect(await off.scorer()).toBeInstanceOf(OnnxScorer);
    } finally {
      await on.dispose();
      await off.dispose();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContextWindowError, ModelConfigError } from "../../src/errors/index.js";
import { CausalLm } from "../../src/model/causal-lm.js";
import { OnnxDecoder } from "../../src/model/onnx-decoder.js";
import { greedyWithoutCache, longText, TINY_MODEL } from "./fixtures/tiny-model.js";

let lm: CausalLm;
let decoder: OnnxDecoder;
const prompt = "The pass key is 40297. Remember it. What is the pass key?";

beforeAll(async () => {
  lm = await CausalLm.load(TINY_MODEL);
  decoder = new OnnxDecoder(lm);
});

afterAll(async () => {
  await lm.dispose();
});

describe("OnnxDecoder", () => {
  it("generates greedily and deterministically, as a cache-less greedy loop would", async () => {
    const first = await decoder.generate(prompt, { maxNewTokens: 12 });
    const second = await decoder.generate(prompt, { maxNewTokens: 12 });
    expect(second.text).toBe(first.text);
    const ids = [0, ...lm.tokenizer.encode(prompt)];
    expect(first.promptTokens).toBe(ids.length);
    const expected = await greedyWithoutCache(lm, ids, 12);
    expect(first.text).toBe(lm.tokenizer.decode(expected));
    expect(first.latencyMs).toBeGreaterThan(0);
  });

  it("stops after maxNewTokens with finishReason length", async () => {
    const generation = await decoder.generate(prompt, { maxNewTokens: 5 });
    expect(generation.completionTokens).toBe(5);
    expect(generation.finishReason).toBe("length");
    await expect(decoder.generate(prompt, { maxNewTokens: 0 })).rejects.toThrow(ModelConfigError);
  });

  it("cuts the output at the earliest stop string, finishReason stop", async () => {
    const free = await decoder.generate(prompt, { maxNewTokens: 20 });
    expect(free.text.length).toBeGreaterThan(10);
    const stop = free.text.slice(6, 9);
    const cut = free.text.indexOf(stop);
    const stopped = await decoder.generate(prompt, {
      maxNewTokens: 20,
      stop: ["never seen", stop],
    });
    expect(stopped.finishReason).toBe("stop");
    expect(stopped.text).toBe(free.text.slice(0, cut));
    expect(stopped.completionTokens).toBeLessThan(20);
  });

  it("refuses a prompt that fills the window, or keeps its end when truncation is allowed", async () => {
    const long = longText(600);
    const promptTokens = lm.tokenizer.encode(long).length + 1;
    expect(promptTokens).toBeGreaterThan(512);
    const error = await decoder.generate(long, { maxNewTokens: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContextWindowError);
    expect((error as ContextWindowError).tokens).toBe(promptTokens);
    expect((error as ContextWindowError).contextWindow).toBe(512);
    expect((error as Error).message).toMatch(/512-token context window/);

    const truncating = new OnnxDecoder(lm, { truncation: "left" });
    const generation = await truncating.generate(long, { maxNewTokens: 4 });
    expect(generation.promptTokens).toBe(512 - 4);
    expect(generation.completionTokens).toBe(4);
  });

  it("renders chat messages as a transcript when the tokenizer has no chat template", async () => {
    const chat = await decoder.generate(
      [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "What is the pass key?" },
      ],
      { maxNewTokens: 6 },
    );
    const transcript = await decoder.generate(
      "System: Answer briefly.\n\nUser: What is the pass key?\n\nAssistant:",
      { maxNewTokens: 6 },
    );
    expect(chat.text).toBe(transcript.text);
  });

  it("samples with a temperature from the given random source, and honours abort", async () => {
    const seeded = (seed: number) => () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const a = await new OnnxDecoder(lm, { random: seeded(1) }).generate(prompt, {
      maxNewTokens: 8,
      temperature: 1,
    });
    const b = await new OnnxDecoder(lm, { random: seeded(1) }).generate(prompt, {
      maxNewTokens: 8,
      temperature: 1,
    });
    expect(a.text).toBe(b.text);
    const controller = new AbortController();
    controller.abort(new Error("stop now"));
    await expect(
      decoder.generate(prompt, { maxNewTokens: 8, signal: controller.signal }),
    ).rejects.toThrow("stop now");
  });
});
